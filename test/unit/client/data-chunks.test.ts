import { Metadata } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import type { DataChunk as WireChunk } from "../../../clients/ts/gen/paddock/v1/data.js";
import { dataChunks, joinChunks } from "../../../clients/ts/src/data-chunks.js";
import { MarshallingError, NoAuthError, type PaddockError } from "../../../clients/ts/src/errors.js";
import type { ChunkCall, Transport } from "../../../clients/ts/src/transport.js";
import type { WatchStreamSource } from "../../../clients/ts/src/watch-stream.js";

// The TS client's checks on GetDataChunks streams it is handed (scripted here): pieces must be
// contiguous, the first alone carries the stat, nothing follows the last, the stream may not end
// before it; a gRPC status becomes the PaddockError its trailers name, with the chroot removed.
// test/e2e/data-chunks.test.ts runs the real server.

const stat = {
  czxid: 1n,
  mzxid: 2n,
  ctime: 0n,
  mtime: 0n,
  version: 0,
  cversion: 0,
  aversion: 0,
  ephemeralOwner: 0n,
  dataLength: 4,
  numChildren: 0,
  pzxid: 1n,
};

function piece(offset: number, text: string, last: boolean, first = offset === 0): WireChunk {
  return { offset: BigInt(offset), data: Buffer.from(text), last, ...(first ? { stat } : {}) };
}

/** A source whose one call yields `pieces`, then throws `error` if given. */
function source(pieces: WireChunk[], error?: unknown, chroot = "") {
  const seen: { address: string; path: string; cancelled: boolean }[] = [];
  const transport: Transport = {
    open: () => {
      throw new Error("no sessions here");
    },
    close: () => undefined,
    dataChunks: (address, request): ChunkCall => {
      const call = { address, path: request.path, cancelled: false };
      seen.push(call);
      return {
        cancel: () => {
          call.cancelled = true;
        },
        async *[Symbol.asyncIterator]() {
          yield* pieces;
          if (error !== undefined) throw error;
        },
      };
    },
  };
  const src: WatchStreamSource = {
    transport,
    servers: ["s1"],
    current: () => "s1",
    auth: () => [],
    chroot,
  };
  return { src, seen };
}

describe("client getDataChunks", () => {
  it("joins contiguous pieces, the stat from the first; cancels the call when done", async () => {
    const { src, seen } = source([piece(0, "ab", false), piece(2, "cd", true)], undefined, "/app");
    const joined = await joinChunks(dataChunks(src, "/x"));
    expect(Buffer.from(joined.data).toString()).toBe("abcd");
    expect(joined.stat.mzxid).toBe(2n);
    expect(seen).toEqual([{ address: "s1", path: "/app/x", cancelled: true }]);
  });

  it.each([
    ["a gap", [piece(0, "ab", false), piece(3, "d", true)]],
    ["a second stat", [piece(0, "ab", false), piece(2, "cd", true, true)]],
    ["a piece after the last", [piece(0, "ab", true), piece(2, "cd", true)]],
    ["no stat on the first", [piece(0, "ab", true, false)]],
  ])("refuses %s as MarshallingError", async (_, pieces) => {
    const { src } = source(pieces);
    await expect(joinChunks(dataChunks(src, "/x"))).rejects.toBeInstanceOf(MarshallingError);
  });

  it("fails a stream that ends before the last piece with ConnectionLoss", async () => {
    const { src } = source([piece(0, "ab", false)]);
    await expect(joinChunks(dataChunks(src, "/x"))).rejects.toMatchObject({ codeName: "ConnectionLoss" });
  });

  it("turns a status into the error its trailers name, the path without the chroot", async () => {
    const metadata = new Metadata();
    metadata.set("paddock-error-code", "NoAuth");
    metadata.set("paddock-error-path", "/app/caf%C3%A9");
    const status = Object.assign(new Error("7 PERMISSION_DENIED"), {
      code: 7,
      details: "NoAuth for /app/café: READ permission required",
      metadata,
    });
    const { src } = source([], status, "/app");
    const error = await joinChunks(dataChunks(src, "/café")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoAuthError);
    expect((error as PaddockError).path).toBe("/café");
    expect((error as Error).message).toContain("READ");
  });

  it("checks chunkBytes before calling", async () => {
    const { src, seen } = source([]);
    await expect(joinChunks(dataChunks(src, "/x", { chunkBytes: 1_048_577 }))).rejects.toThrow(
      "chunkBytes 1048577 exceeds 1048576",
    );
    await expect(joinChunks(dataChunks(src, "/x", { chunkBytes: -1 }))).rejects.toBeInstanceOf(RangeError);
    expect(seen).toEqual([]);
  });
});
