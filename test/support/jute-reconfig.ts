import { connectFrame, framesOf, openRaw, type RawConn } from "./jute-raw.js";

/**
 * ZooKeeper's reconfig (opcode 16) spoken on the wire, byte for byte the same to ZooKeeper and to
 * Paddock: a session, an optional `addauth digest`, one ReconfigRequest, and the reply as sent.
 */
export interface ReconfigCall {
  /** null: the field absent (a null ustring), as zkCli sends what it was not given. */
  readonly joining?: string | null;
  readonly leaving?: string | null;
  readonly newMembers?: string | null;
  readonly curConfigId?: bigint;
  /** `user:password` for addauth digest before the request. */
  readonly digest?: string;
}

export interface ReconfigReply {
  readonly err: number;
  readonly zxid: bigint;
  /** On success: /zookeeper/config's text and its stat. */
  readonly data?: string;
  readonly stat?: { mzxid: bigint; version: number; aversion: number; dataLength: number };
}

const RECONFIG = 16;
const AUTH = 100;

function ustring(s: string | null | undefined): Buffer {
  const len = Buffer.alloc(4);
  if (s === null || s === undefined) {
    len.writeInt32BE(-1);
    return len;
  }
  const bytes = Buffer.from(s, "utf8");
  len.writeInt32BE(bytes.length);
  return Buffer.concat([len, bytes]);
}

function frame(xid: number, opcode: number, body: Buffer): Buffer {
  const head = Buffer.alloc(12);
  head.writeInt32BE(8 + body.length, 0);
  head.writeInt32BE(xid, 4);
  head.writeInt32BE(opcode, 8);
  return Buffer.concat([head, body]);
}

/** The reply frame to xid (length prefix removed), waiting with a deadline. */
async function replyTo(conn: RawConn, xid: number, timeoutMs = 20_000): Promise<Buffer> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = conn.received();
    const reply = framesOf(got)
      .slice(1)
      .find((f) => f.readInt32BE(0) === xid);
    if (reply !== undefined) return reply;
    if (conn.isClosed()) throw new Error(`connection closed before the reply to xid ${xid}`);
    if (Date.now() > deadline) throw new Error(`no reply to xid ${xid} within ${timeoutMs} ms`);
    await Promise.race([
      conn.bytes(got.length + 1),
      new Promise((r) => setTimeout(r, deadline - Date.now())),
    ]);
  }
}

export async function juteReconfig(address: string, call: ReconfigCall): Promise<ReconfigReply> {
  const conn = await openRaw(address);
  try {
    conn.socket.write(connectFrame({ timeOut: 10_000 }));
    const first = await conn.bytes(4);
    await conn.bytes(4 + first.readInt32BE(0));
    if (call.digest !== undefined) {
      const auth = Buffer.from(call.digest);
      const len = Buffer.alloc(4);
      len.writeInt32BE(auth.length);
      conn.socket.write(frame(-4, AUTH, Buffer.concat([Buffer.alloc(4), ustring("digest"), len, auth])));
      const authReply = await replyTo(conn, -4);
      if (authReply.readInt32BE(12) !== 0) throw new Error(`addauth failed: ${authReply.readInt32BE(12)}`);
    }
    const version = Buffer.alloc(8);
    version.writeBigInt64BE(call.curConfigId ?? -1n);
    const body = Buffer.concat([
      ustring(call.joining),
      ustring(call.leaving),
      ustring(call.newMembers),
      version,
    ]);
    conn.socket.write(frame(1, RECONFIG, body));
    const reply = await replyTo(conn, 1);
    const zxid = reply.readBigInt64BE(4);
    const err = reply.readInt32BE(12);
    if (err !== 0) return { err, zxid };
    const dataLength = reply.readInt32BE(16);
    const data = reply.subarray(20, 20 + dataLength).toString("utf8");
    const stat = reply.subarray(20 + dataLength);
    // Stat: czxid, mzxid, ctime, mtime (longs), version, cversion, aversion (ints), ...
    return {
      err,
      zxid,
      data,
      stat: {
        mzxid: stat.readBigInt64BE(8),
        version: stat.readInt32BE(32),
        aversion: stat.readInt32BE(40),
        dataLength: stat.readInt32BE(52),
      },
    };
  } finally {
    conn.socket.destroy();
  }
}
