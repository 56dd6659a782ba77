import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveJute } from "../../../bench/targets/noop-jute.js";
import {
  connectFrame,
  framesOf,
  openRaw,
  parseConnectResponse,
  pathRequest,
} from "../../support/jute-raw.js";

// The no-op's ZooKeeper-protocol side, byte by byte over a real socket: each reply has the header
// and body size ZooKeeper's schema gives its request (ReplyHeader 16 bytes, Stat 68).

let server: Server;
let address: string;

beforeAll(async () => {
  server = createServer((socket) => socket.once("data", (first: Buffer) => serveJute(socket, first)));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const bound = server.address();
  address = `127.0.0.1:${typeof bound === "object" && bound !== null ? bound.port : 0}`;
});
afterAll(() => server.close());

const int = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const str = (s: string): Buffer => Buffer.concat([int(Buffer.byteLength(s)), Buffer.from(s)]);
/** create's rest after the path: data "x", one ACL (world:anyone, perms 31), flags. */
const createRest = (flags: number): Buffer =>
  Buffer.concat([str("x"), int(1), int(31), str("world"), str("anyone"), int(flags)]);

describe("noop-jute", () => {
  it("answers connect, create (sequential or not), setData, getData, exists, ping and an unknown op", async () => {
    const conn = await openRaw(address);
    conn.socket.write(connectFrame({ timeOut: 12_345 }));
    const head = await conn.bytes(4);
    const connectLength = 4 + head.readInt32BE(0);
    const connected = parseConnectResponse(await conn.bytes(connectLength));
    expect(head.readInt32BE(0)).toBe(37);
    expect(connected.timeOut).toBe(12_345);
    expect(connected.passwd.length).toBe(16);

    conn.socket.write(
      Buffer.concat([
        pathRequest(1, 1, "/a", createRest(0)),
        pathRequest(2, 1, "/s-", createRest(2)),
        pathRequest(3, 1, "/s-", createRest(3)),
        pathRequest(4, 5, "/a", Buffer.concat([str("y"), int(-1)])),
        pathRequest(5, 4, "/a", Buffer.from([0])),
        pathRequest(6, 3, "/a", Buffer.from([0])),
        pathRequest(-2, 11, ""),
        pathRequest(7, 999, "/a"),
      ]),
    );
    let frames: Buffer[] = [];
    for (;;) {
      frames = framesOf(conn.received(), connectLength);
      if (frames.length === 8) break;
      await conn.bytes(conn.received().length + 1);
    }
    const xids = frames.map((f) => f.readInt32BE(0));
    const errs = frames.map((f) => f.readInt32BE(12));
    const bodies = frames.map((f) => f.subarray(16));
    expect(xids).toEqual([1, 2, 3, 4, 5, 6, -2, 7]);
    expect(errs).toEqual([0, 0, 0, 0, 0, 0, 0, -6]);
    const path = (b: Buffer): string => b.subarray(4, 4 + b.readInt32BE(0)).toString();
    expect(bodies.slice(0, 3).map(path)).toEqual(["/a", "/s-0000000001", "/s-0000000002"]);
    expect(bodies.slice(3).map((b) => b.length)).toEqual([68, 4 + 68, 68, 0, 0]);
    expect(bodies[4]!.readInt32BE(0)).toBe(0);

    // closeSession: answered, then the connection ends.
    const close = Buffer.alloc(12);
    close.writeInt32BE(8, 0);
    close.writeInt32BE(8, 4);
    close.writeInt32BE(-11, 8);
    conn.socket.write(close);
    await conn.closed;
    const last = framesOf(conn.received(), connectLength).pop()!;
    expect([last.readInt32BE(0), last.readInt32BE(12), last.length]).toEqual([8, 0, 16]);
  });

  it("closes a connection whose frame length is over jute.maxbuffer, and reassembles split frames", async () => {
    const bad = await openRaw(address);
    bad.socket.write(connectFrame({}));
    await bad.bytes(41);
    bad.socket.write(int(0x100000));
    await bad.closed;

    const split = await openRaw(address);
    const bytes = Buffer.concat([
      connectFrame({}),
      pathRequest(1, 5, "/a", Buffer.concat([str("y"), int(-1)])),
    ]);
    for (const byte of bytes) split.socket.write(Buffer.from([byte]));
    const all = await split.bytes(41 + 4 + 16 + 68);
    expect(framesOf(all, 41).map((f) => [f.readInt32BE(0), f.length])).toEqual([[1, 84]]);
    split.socket.destroy();
  });
});
