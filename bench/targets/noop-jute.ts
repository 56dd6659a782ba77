/**
 * The no-op target's ZooKeeper-protocol side: answers each request of ZooKeeper's wire protocol at
 * once with a fixed reply, touching no state, so node-zookeeper-client and go-zookeeper get a
 * ceiling row of their own (the generator, its client library and loopback, as the gRPC no-op is
 * for Paddock's clients). Only what the load workloads send is understood; anything else is
 * answered Unimplemented. Facts from ZooKeeper's jute schema: ConnectRequest/ConnectResponse,
 * RequestHeader (xid, type), ReplyHeader (xid, zxid, err), Stat (68 bytes).
 */
import type { Socket } from "node:net";

const STAT_BYTES = 68;
const UNIMPLEMENTED = -6;
const op = {
  create: 1,
  delete: 2,
  exists: 3,
  getData: 4,
  setData: 5,
  getChildren: 8,
  ping: 11,
  getChildren2: 12,
  create2: 15,
  auth: 100,
  setWatches: 101,
  closeSession: -11,
} as const;
const SEQUENTIAL_FLAG = 2;

let nextSessionId = 1n;

/** Serves one connection whose first bytes (`first`) were already read. */
export function serveJute(socket: Socket, first: Buffer): void {
  let buffered = first;
  let connected = false;
  let sequence = 0;
  const sessionId = nextSessionId++;
  socket.setNoDelay(true);
  const onFrames = (chunk: Buffer): void => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    const out: Buffer[] = [];
    let at = 0;
    while (buffered.length - at >= 4) {
      const length = buffered.readInt32BE(at);
      if (length < 0 || length > 0xfffff) {
        socket.destroy();
        return;
      }
      if (buffered.length - at - 4 < length) break;
      const frame = buffered.subarray(at + 4, at + 4 + length);
      at += 4 + length;
      if (!connected) {
        connected = true;
        out.push(connectResponse(frame, sessionId));
        continue;
      }
      const reply = answer(frame, () => ++sequence);
      out.push(reply);
      if (frame.readInt32BE(4) === op.closeSession) {
        socket.end(Buffer.concat(out));
        return;
      }
    }
    buffered = buffered.subarray(at);
    if (out.length > 0) socket.write(out.length === 1 ? out[0]! : Buffer.concat(out));
  };
  socket.on("data", onFrames);
  socket.on("error", () => socket.destroy());
  onFrames(Buffer.alloc(0));
}

/** ConnectResponse: protocol version 0, the asked timeout, a session id, 16-byte password, read-write. */
function connectResponse(request: Buffer, sessionId: bigint): Buffer {
  const timeout = request.readInt32BE(12);
  const body = Buffer.alloc(4 + 4 + 8 + 4 + 16 + 1);
  body.writeInt32BE(0, 0);
  body.writeInt32BE(timeout, 4);
  body.writeBigInt64BE(sessionId, 8);
  body.writeInt32BE(16, 16);
  return framed(body);
}

/** The reply to one request frame: its header and the body its type expects. */
function answer(frame: Buffer, nextSequence: () => number): Buffer {
  const xid = frame.readInt32BE(0);
  const type = frame.readInt32BE(4);
  switch (type) {
    case op.ping:
    case op.auth:
    case op.setWatches:
    case op.delete:
    case op.closeSession:
      return reply(xid, 0, Buffer.alloc(0));
    case op.exists:
    case op.setData:
      return reply(xid, 0, Buffer.alloc(STAT_BYTES));
    case op.getData:
      // Empty data (length 0), then the stat.
      return reply(xid, 0, Buffer.alloc(4 + STAT_BYTES));
    case op.getChildren:
      return reply(xid, 0, Buffer.alloc(4));
    case op.getChildren2:
      return reply(xid, 0, Buffer.alloc(4 + STAT_BYTES));
    case op.create:
    case op.create2: {
      const path = createdPath(frame, nextSequence);
      const body = Buffer.alloc(4 + path.length + (type === op.create2 ? STAT_BYTES : 0));
      body.writeInt32BE(path.length, 0);
      path.copy(body, 4);
      return reply(xid, 0, body);
    }
    default:
      return reply(xid, UNIMPLEMENTED, Buffer.alloc(0));
  }
}

/** The create's path, with a sequence suffix when its flags ask for one (as ZooKeeper names it). */
function createdPath(frame: Buffer, nextSequence: () => number): Buffer {
  let at = 8;
  const pathLength = frame.readInt32BE(at);
  const path = frame.subarray(at + 4, at + 4 + pathLength);
  at += 4 + pathLength;
  const dataLength = frame.readInt32BE(at);
  at += 4 + Math.max(0, dataLength);
  const acls = frame.readInt32BE(at);
  at += 4;
  for (let i = 0; i < acls; i++) {
    at += 4; // perms
    for (let s = 0; s < 2; s++) at += 4 + Math.max(0, frame.readInt32BE(at)); // scheme, id
  }
  const flags = frame.readInt32BE(at);
  if ((flags & SEQUENTIAL_FLAG) === 0) return path;
  return Buffer.concat([path, Buffer.from(String(nextSequence()).padStart(10, "0"))]);
}

function reply(xid: number, err: number, body: Buffer): Buffer {
  const header = Buffer.alloc(4 + 16);
  header.writeInt32BE(16 + body.length, 0);
  header.writeInt32BE(xid, 4);
  header.writeBigInt64BE(0n, 8);
  header.writeInt32BE(err, 16);
  return body.length === 0 ? header : Buffer.concat([header, body]);
}

function framed(body: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeInt32BE(body.length, 0);
  return Buffer.concat([length, body]);
}
