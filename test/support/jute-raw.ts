import { type Socket, connect as tcpConnect } from "node:net";
import { deferred } from "./wait.js";

/** A raw TCP connection to a ZooKeeper-protocol port, for tests of the wire itself. */
export interface RawConn {
  socket: Socket;
  received: () => Buffer;
  closed: Promise<void>;
  isClosed: () => boolean;
  /** Resolves once at least n bytes arrived, or the connection closed. */
  bytes(n: number): Promise<Buffer>;
}

export async function openRaw(address: string): Promise<RawConn> {
  const [host, port] = address.split(":");
  const chunks: Buffer[] = [];
  let closed = false;
  const done = deferred<void>();
  const waiters: (() => void)[] = [];
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = tcpConnect({ host: host!, port: Number(port), noDelay: true }, () => resolve(s));
    s.on("error", reject);
  });
  socket.on("data", (c: Buffer) => {
    chunks.push(c);
    for (const w of waiters) w();
  });
  socket.on("close", () => {
    closed = true;
    done.resolve();
    for (const w of waiters) w();
  });
  socket.on("error", () => {});
  return {
    socket,
    received: () => Buffer.concat(chunks),
    closed: done.promise,
    isClosed: () => closed,
    bytes: (n) =>
      new Promise((resolve) => {
        const check = (): void => {
          const got = Buffer.concat(chunks);
          if (got.length >= n || closed) resolve(got);
        };
        waiters.push(check);
        check();
      }),
  };
}

function framed(body: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeInt32BE(body.length);
  return Buffer.concat([length, body]);
}

/** ConnectRequest {protocolVersion 0, lastZxidSeen, timeOut, sessionId, passwd, readOnly false}. */
export function connectFrame(o: {
  timeOut?: number;
  sessionId?: bigint;
  passwd?: Buffer;
  lastZxid?: bigint;
}): Buffer {
  const passwd = o.passwd ?? Buffer.alloc(16);
  const body = Buffer.alloc(4 + 8 + 4 + 8 + 4 + passwd.length + 1);
  body.writeInt32BE(0, 0);
  body.writeBigInt64BE(o.lastZxid ?? 0n, 4);
  body.writeInt32BE(o.timeOut ?? 10_000, 12);
  body.writeBigInt64BE(o.sessionId ?? 0n, 16);
  body.writeInt32BE(passwd.length, 24);
  passwd.copy(body, 28);
  return framed(body);
}

/** RequestHeader {xid, type}, a path ustring, then `extra` (the rest of the record). */
export function pathRequest(
  xid: number,
  opcode: number,
  path: string,
  extra: Buffer = Buffer.alloc(0),
): Buffer {
  const p = Buffer.from(path);
  const head = Buffer.alloc(12);
  head.writeInt32BE(xid, 0);
  head.writeInt32BE(opcode, 4);
  head.writeInt32BE(p.length, 8);
  return framed(Buffer.concat([head, p, extra]));
}

export interface ConnectResponse {
  timeOut: number;
  sessionId: bigint;
  passwd: Buffer;
}

/** A framed ConnectResponse: [len][protocolVersion][timeOut][sessionId][passwd len][passwd][readOnly]. */
export function parseConnectResponse(bytes: Buffer): ConnectResponse {
  const n = bytes.readInt32BE(20);
  return {
    timeOut: bytes.readInt32BE(8),
    sessionId: bytes.readBigInt64BE(12),
    passwd: bytes.subarray(24, 24 + n),
  };
}

/** The frames after the first `skip` bytes, each without its length prefix. */
export function framesOf(bytes: Buffer, skip = 0): Buffer[] {
  const frames: Buffer[] = [];
  let at = skip;
  while (at + 4 <= bytes.length && at + 4 + bytes.readInt32BE(at) <= bytes.length) {
    frames.push(bytes.subarray(at + 4, at + 4 + bytes.readInt32BE(at)));
    at += 4 + bytes.readInt32BE(at);
  }
  return frames;
}
