/**
 * DataService/GetDataChunks: one getData through the front-end API (READ checked, consistency as
 * asked, errors as getData's), then its value written in pieces. Stored data is never mutated, so
 * every piece is a view of the one version that read returned, whatever writes follow. Pieces are
 * written only as fast as the client takes them: a client that stops reading holds at most
 * `inFlightBytesMax` bytes (plus the transport's window) of this call, not the value again per piece.
 */
import { Metadata, type ServerWritableStream } from "@grpc/grpc-js";
import type { DataChunk, GetDataChunksRequest } from "../gen/paddock/v1/data.js";
import type { AuthId, ClientFront } from "../pipeline/front.js";
import { Code } from "../util/error-code.js";
import { grpcError } from "./status.js";

export type ChunkCall = ServerWritableStream<GetDataChunksRequest, DataChunk>;

/** chunk_bytes 0 means this; larger values must be at most chunkBytesMax (data.proto). */
export const chunkBytesDefault = 65_536;
export const chunkBytesMax = 1_048_576;
/** Bytes handed to the transport and not yet flushed, before writing the next piece waits. */
const inFlightBytesMax = 1_048_576;
/** A reader that takes nothing for this long is cut: it would pin its version of the value forever. */
export const stallMsMax = 60_000;

/** Serves one call; resolves when the last piece is written or the client went away. */
export async function serveDataChunks(
  front: ClientFront,
  call: ChunkCall,
  ids: readonly AuthId[],
  trace: Record<string, string>,
  timeoutMs: number,
): Promise<void> {
  const { path, consistency, chunkBytes } = call.request;
  if (!Number.isInteger(chunkBytes) || chunkBytes < 0 || chunkBytes > chunkBytesMax) {
    const message = `BadArguments for ${path}: chunk_bytes ${chunkBytes} is out of range 0..${chunkBytesMax}`;
    call.emit("error", grpcError({ code: Code.BadArguments, path, message }, BigInt(front.zxid)));
    return;
  }
  const op = { $case: "getData" as const, value: { path, watch: false, consistency } };
  const reply = await front.unary(op, ids, trace, timeoutMs);
  if (reply.error !== undefined) {
    call.emit("error", grpcError(reply.error, reply.zxid));
    return;
  }
  if (reply.result?.$case !== "getData") throw new Error(`getData answered ${reply.result?.$case}`);
  const { data, stat, dataNull } = reply.result.value;
  const size = chunkBytes === 0 ? chunkBytesDefault : chunkBytes;
  const pacer = new Pacer(call, () =>
    call.emit(
      "error",
      grpcError(
        {
          code: Code.RequestTimeout,
          path,
          message: `GetDataChunks for ${path}: the client took no data for ${stallMsMax} ms; the read is ended`,
        },
        reply.zxid,
      ),
    ),
  );
  let offset = 0;
  do {
    const end = Math.min(data.length, offset + size);
    const chunk: DataChunk = {
      offset: BigInt(offset),
      data: data.subarray(offset, end),
      last: end === data.length,
    };
    if (offset === 0) {
      chunk.stat = stat;
      if (dataNull === true) chunk.dataNull = true;
    }
    if (!(await pacer.write(chunk, end - offset))) return;
    offset = end;
  } while (offset < data.length);
  const trailer = new Metadata();
  trailer.set("paddock-zxid", reply.zxid.toString());
  call.end(trailer);
}

/** Writes with the stream's backpressure: waits on drain, and on flushes past inFlightBytesMax. */
export class Pacer {
  private inFlight = 0;
  private gone = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly call: ChunkCall,
    private readonly onStall: () => void,
  ) {
    const stop = (): void => {
      this.gone = true;
      this.resume();
    };
    call.once("cancelled", stop);
    call.once("close", stop);
    call.once("error", stop);
    call.on("drain", () => this.resume());
  }

  /** False once the client is gone (cancelled, deadline passed, connection closed). */
  async write(chunk: DataChunk, bytes: number): Promise<boolean> {
    if (this.gone || this.call.cancelled) return false;
    this.inFlight += bytes;
    const room = this.call.write(chunk, () => {
      this.inFlight -= bytes;
      this.resume();
    });
    let blocked = !room;
    while (!this.gone && (blocked || this.inFlight > inFlightBytesMax)) {
      let stalled = false;
      const timer = setTimeout(() => {
        stalled = true;
        this.resume();
      }, stallMsMax);
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      clearTimeout(timer);
      if (stalled && !this.gone) {
        this.gone = true;
        this.onStall();
      }
      blocked = this.call.writableNeedDrain;
    }
    return !this.gone;
  }

  private resume(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
