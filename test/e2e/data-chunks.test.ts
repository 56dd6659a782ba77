import { randomBytes } from "node:crypto";
import { credentials, Metadata, type ServiceError } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Client,
  connect,
  type DataChunk,
  InvalidPathError,
  NoAuthError,
  NoNodeError,
  type PaddockError,
} from "../../clients/ts/src/index.js";
import { DataServiceClient, type DataChunk as WireChunk } from "../../server/gen/paddock/v1/data.js";
import { type ServerHandle, startServer } from "../support/launcher.js";

// DataService/GetDataChunks against a real server: through the TS client (getDataChunks and the
// joined getDataChunked) and through a raw gRPC stub for what the client refuses before sending.

let server: ServerHandle;
let client: Client;
let raw: DataServiceClient;
/** Just under the 1 MiB request limit (jute.maxbuffer counts path and framing too). */
const big = randomBytes(1_040_000);

beforeAll(async () => {
  server = await startServer();
  client = await connect(server.address);
  raw = new DataServiceClient(server.address, credentials.createInsecure());
  await client.create("/big", big);
});

afterAll(async () => {
  raw?.close();
  await client?.close();
  await server?.stop();
});

async function collect(chunks: AsyncIterable<DataChunk>): Promise<DataChunk[]> {
  const out: DataChunk[] = [];
  for await (const chunk of chunks) out.push(chunk);
  return out;
}

/** The raw stream's pieces, or its error. */
function rawChunks(request: { path: string; chunkBytes: number }): Promise<WireChunk[]> {
  return new Promise((resolve, reject) => {
    const out: WireChunk[] = [];
    const call = raw.getDataChunks({ ...request, consistency: 0 }, new Metadata());
    call.on("data", (chunk: WireChunk) => out.push(chunk));
    call.on("error", reject);
    call.on("end", () => resolve(out));
  });
}

describe("GetDataChunks", () => {
  it.each([0, 7_777, 333_333, 1_048_576])(
    "returns a ~1 MiB value whole in pieces of %i bytes (0: the 65536 default)",
    async (chunkBytes) => {
      const chunks = await collect(client.getDataChunks("/big", { chunkBytes }));
      const size = chunkBytes === 0 ? 65_536 : chunkBytes;
      expect(chunks).toHaveLength(Math.ceil(big.length / size));
      let offset = 0;
      for (const [i, chunk] of chunks.entries()) {
        expect(chunk.offset).toBe(offset);
        expect(chunk.data.length).toBe(Math.min(size, big.length - offset));
        expect(chunk.last).toBe(i === chunks.length - 1);
        expect(chunk.stat !== undefined).toBe(i === 0);
        offset += chunk.data.length;
      }
      expect(Buffer.concat(chunks.map((c) => c.data)).equals(big)).toBe(true);
      expect(chunks[0]!.stat!.dataLength).toBe(big.length);
      const joined = await client.getDataChunked("/big", { chunkBytes });
      expect(Buffer.from(joined.data).equals(big)).toBe(true);
      expect(joined.stat).toEqual((await client.getData("/big")).stat);
    },
  );

  it("sends one last piece for empty data, flagged data_null for null data", async () => {
    await client.create("/empty", "");
    const empty = await collect(client.getDataChunks("/empty"));
    expect(empty).toHaveLength(1);
    expect(empty[0]).toMatchObject({ offset: 0, last: true });
    expect(empty[0]!.data.length).toBe(0);
    expect(empty[0]!.dataNull).toBeUndefined();
    expect(empty[0]!.stat!.dataLength).toBe(0);

    await new Promise<void>((resolve, reject) =>
      raw.create({ path: "/null", data: Buffer.alloc(0), acl: [], mode: 0, ttl: 0n, dataNull: true }, (e) =>
        e ? reject(e) : resolve(),
      ),
    );
    const none = await collect(client.getDataChunks("/null"));
    expect(none).toHaveLength(1);
    expect(none[0]).toMatchObject({ offset: 0, last: true, dataNull: true });
    expect(none[0]!.data.length).toBe(0);
  });

  it("answers NoNode as getData does", async () => {
    const error = await client.getDataChunked("/missing/node").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoNodeError);
    expect((error as PaddockError).path).toBe("/missing/node");
    const status = (await rawChunks({ path: "/missing/node", chunkBytes: 0 }).catch(
      (e) => e,
    )) as ServiceError;
    expect(status.code).toBe(5);
    expect(status.metadata.get("paddock-error-code")).toEqual(["NoNode"]);
    expect(status.metadata.get("paddock-error-path")).toEqual(["/missing/node"]);
  });

  it("checks READ as getData does: NoAuth without the credentials, the data with them", async () => {
    const owner = await connect(server.address, { auth: [{ scheme: "digest", auth: "carol:pw" }] });
    const carol = await connect(server.address, { auth: [{ scheme: "digest", auth: "carol:pw" }] });
    try {
      await owner.create("/secret", "s3cret", { acl: [{ perms: 31, id: { scheme: "auth", id: "" } }] });
      const error = await client.getDataChunked("/secret").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NoAuthError);
      expect((error as PaddockError).path).toBe("/secret");
      expect((error as PaddockError).message).toContain("READ");
      expect(Buffer.from((await carol.getDataChunked("/secret")).data).toString()).toBe("s3cret");
    } finally {
      await Promise.all([owner.close(), carol.close()]);
    }
  });

  it("refuses a chunk size out of range, naming the value and the limit, and a bad path", async () => {
    for (const chunkBytes of [1_048_577, -1]) {
      const status = (await rawChunks({ path: "/big", chunkBytes }).catch((e) => e)) as ServiceError;
      expect(status.code).toBe(3);
      expect(status.details).toContain(`chunk_bytes ${chunkBytes}`);
      expect(status.details).toContain("1048576");
      expect(status.metadata.get("paddock-error-code")).toEqual(["BadArguments"]);
    }
    // A bad path is getData's BadArguments, with the path (the client refuses it before sending).
    const badPath = (await rawChunks({ path: "/a//b", chunkBytes: 0 }).catch((e) => e)) as ServiceError;
    expect(badPath.code).toBe(3);
    expect(badPath.metadata.get("paddock-error-path")).toEqual(["/a//b"]);
    // The client refuses it before sending.
    await expect(client.getDataChunked("/big", { chunkBytes: 1_048_577 })).rejects.toThrow(/1048576/);
    await expect(client.getDataChunked("/big", { chunkBytes: 1.5 })).rejects.toThrow(RangeError);
    await expect(client.getDataChunked("bad")).rejects.toBeInstanceOf(InvalidPathError);
  });

  it("gives a slow reader the version it started on, whole, while setData replaces it", async () => {
    const before = randomBytes(1_000_000);
    const after = randomBytes(1_000_000);
    await client.create("/moving", before);
    // Small pieces: what flow control lets the server get ahead by (HTTP/2 windows, the two
    // sides' stream buffers) is a small part of the value, so most of it is sent after setData.
    const chunks = client.getDataChunks("/moving", { chunkBytes: 1024 });
    const first = await chunks.next();
    expect(first.done).toBe(false);
    const firstChunk = first.value as DataChunk;
    const replaced = await client.setData("/moving", after);
    expect(replaced.version).toBe(1);
    const rest = await collect(chunks);
    const got = Buffer.concat([firstChunk.data, ...rest.map((c) => c.data)]);
    expect(got.equals(before)).toBe(true);
    expect(firstChunk.stat!.version).toBe(0);
    expect(firstChunk.stat!.dataLength).toBe(before.length);
    expect(firstChunk.stat!.mzxid).toBeLessThan(replaced.mzxid);
    expect(Buffer.from((await client.getDataChunked("/moving")).data).equals(after)).toBe(true);
  });

  it("stops sending when the reader leaves mid-value, and serves the next reader", async () => {
    for await (const chunk of client.getDataChunks("/big", { chunkBytes: 1024 })) {
      if (chunk.offset >= 10 * 1024) break;
    }
    expect(Buffer.from((await client.getDataChunked("/big")).data).equals(big)).toBe(true);
  });
});
