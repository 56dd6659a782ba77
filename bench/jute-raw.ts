/**
 * A bare client of ZooKeeper's wire protocol for the resume storm: it sends a ConnectRequest with
 * the session id and password it is given, which no ZooKeeper client library lets a caller do
 * (they resume only the session they opened, and only after their own connection broke). Facts
 * from ZooKeeper's jute schema: ConnectRequest (protocolVersion, lastZxidSeen, timeOut, sessionId,
 * passwd, readOnly), ConnectResponse (protocolVersion, timeOut, sessionId, passwd, readOnly), and
 * closeSession = RequestHeader (xid, type -11).
 */
import { connect, type Socket } from "node:net";

export interface RawSession {
  sessionId: bigint;
  password: Buffer;
  /** The negotiated timeout; 0 when the server refused the session (ZooKeeper's expired answer). */
  timeoutMs: number;
  socket: Socket;
}

const CLOSE_SESSION = -11;
const CONNECT_TIMEOUT_MS = 60_000;

function splitAddress(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(":");
  return { host: address.slice(0, at), port: Number(address.slice(at + 1)) };
}

function connectRequest(sessionId: bigint, password: Buffer, timeoutMs: number): Buffer {
  const body = Buffer.alloc(4 + 8 + 4 + 8 + 4 + password.length + 1);
  let at = body.writeInt32BE(0, 0); // protocolVersion
  at = body.writeBigInt64BE(0n, at); // lastZxidSeen
  at = body.writeInt32BE(timeoutMs, at);
  at = body.writeBigInt64BE(sessionId, at);
  at = body.writeInt32BE(password.length, at);
  at += password.copy(body, at);
  body.writeUInt8(0, at); // readOnly: false
  const frame = Buffer.alloc(4 + body.length);
  frame.writeInt32BE(body.length, 0);
  body.copy(frame, 4);
  return frame;
}

/**
 * Opens (sessionId 0) or resumes a session on one server; resolves with the ConnectResponse's
 * fields and the open socket, rejects when the connection fails or closes before the answer.
 */
export function rawConnect(
  address: string,
  sessionId: bigint,
  password: Buffer,
  timeoutMs: number,
): Promise<RawSession> {
  const { host, port } = splitAddress(address);
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, noDelay: true });
    let buffered = Buffer.alloc(0);
    const fail = (why: string) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new Error(`connect to ${address}: ${why}`));
    };
    const timer = setTimeout(() => fail(`no answer in ${CONNECT_TIMEOUT_MS} ms`), CONNECT_TIMEOUT_MS);
    socket.on("error", (e) => fail(e.message));
    socket.on("close", () => fail("closed before the connect response"));
    socket.on("connect", () => socket.write(connectRequest(sessionId, password, timeoutMs)));
    socket.on("data", (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < 4 || buffered.length < 4 + buffered.readInt32BE(0)) return;
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on("error", () => socket.destroy());
      // Later bytes (the closeSession reply) are read and dropped, so the server's close arrives.
      socket.resume();
      const timeOut = buffered.readInt32BE(8);
      const id = buffered.readBigInt64BE(12);
      const length = buffered.readInt32BE(20);
      resolve({
        sessionId: id,
        password: Buffer.from(buffered.subarray(24, 24 + length)),
        timeoutMs: timeOut,
        socket,
      });
    });
  });
}

/** Sends closeSession and resolves once the server has closed the connection. */
export function rawClose(session: RawSession): Promise<void> {
  const { socket } = session;
  return new Promise((resolve) => {
    if (socket.destroyed) {
      resolve();
      return;
    }
    socket.on("close", () => resolve());
    const frame = Buffer.alloc(12);
    frame.writeInt32BE(8, 0);
    frame.writeInt32BE(1, 4);
    frame.writeInt32BE(CLOSE_SESSION, 8);
    socket.write(frame);
  });
}
