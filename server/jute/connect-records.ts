// The connect handshake: ConnectRequest decoding and framed ConnectResponse encoding.
import type { ConnectRequest } from "../gen/paddock/v1/session.js";
import { JuteReader } from "./jute-reader.js";
import { sharedWriter } from "./jute-writer.js";
import { PROTOCOL_VERSION } from "./opcodes.js";

export interface JuteConnectRequest {
  protocolVersion: number;
  lastZxidSeen: bigint;
  timeOutMs: number;
  sessionId: bigint;
  passwd: Buffer;
  /** undefined when the client is old enough to omit the byte; then the response omits it too. */
  readOnly: boolean | undefined;
}

/**
 * The first frame of a connection (length prefix already removed). readOnly is optional: clients
 * before 3.3 (and node-zookeeper-client) stop after passwd, detected, as ZooKeeper's
 * ProtocolManager does, by whether any byte is left. Trailing bytes after readOnly are ignored.
 */
export function decodeConnectRequest(frame: Buffer): JuteConnectRequest {
  const r = new JuteReader(frame);
  const protocolVersion = r.int("connect.protocolVersion");
  const lastZxidSeen = r.long("connect.lastZxidSeen");
  const timeOutMs = r.int("connect.timeOut");
  const sessionId = r.long("connect.sessionId");
  const passwd = r.buffer("connect.passwd") ?? Buffer.alloc(0);
  const readOnly = r.remaining > 0 ? r.bool("connect.readOnly") : undefined;
  return { protocolVersion, lastZxidSeen, timeOutMs, sessionId, passwd, readOnly };
}

/** Paddock's ConnectRequest; credentials and watches arrive later as auth and setWatches packets. */
export function toPaddockConnect(req: JuteConnectRequest): ConnectRequest {
  return {
    sessionId: req.sessionId,
    password: req.passwd,
    timeoutMs: req.timeOutMs,
    lastZxidSeen: req.lastZxidSeen,
    auth: [],
    watches: undefined,
  };
}

export interface JuteConnectResponse {
  timeOutMs: number;
  sessionId: bigint;
  passwd: Uint8Array;
  /** undefined when the client omitted readOnly; else whether this server is read-only (not the client's flag). */
  readOnly: boolean | undefined;
}

/**
 * The framed ConnectResponse. To refuse a resume (expired or unknown session), ZooKeeper sends
 * timeOut 0, sessionId 0 and 16 zero bytes of passwd, then closes.
 */
export function encodeConnectResponse(rsp: JuteConnectResponse): Buffer {
  const w = sharedWriter.reset().beginFrame();
  w.int(PROTOCOL_VERSION).int(rsp.timeOutMs).long(rsp.sessionId).buffer(rsp.passwd);
  if (rsp.readOnly !== undefined) w.bool(rsp.readOnly);
  return w.finish();
}
