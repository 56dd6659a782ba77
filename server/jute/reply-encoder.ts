// encodeReply, encodeEvent, encodeHeaderOnly: framed ReplyHeader + body exactly as ZooKeeper sends them.
import type { Stat } from "../gen/paddock/v1/data.js";
import type { Reply } from "../gen/paddock/v1/session.js";
import { assert } from "../util/assert.js";
import { writeAclVector, writeClientInfo, writeStat, writeStringVector } from "./data-records.js";
import { type JuteWriter, sharedWriter } from "./jute-writer.js";
import { writeMultiReadResponse, writeMultiResponse } from "./multi-records.js";
import { KeeperState, OpCode, Xid } from "./opcodes.js";

const NO_NODE = -101;

type Result = NonNullable<Reply["result"]>;
type ResultOf<C extends Result["$case"]> = Extract<Result, { $case: C }>["value"];

/** The result a reply to this opcode must carry: the pipeline's invariant, so asserted. */
function result<C extends Result["$case"]>(reply: Reply, opcode: number, c: C): ResultOf<C> {
  const r = reply.result;
  assert(r?.$case === c, `reply to opcode ${opcode} carries ${r?.$case ?? "no result"}, expected ${c}`);
  return r.value as ResultOf<C>;
}

function stat(s: Stat | undefined, opcode: number): Stat {
  assert(s !== undefined, `reply to opcode ${opcode} has no stat`);
  return s;
}

function start(xid: number, zxid: bigint, err: number): JuteWriter {
  return sharedWriter.reset().beginFrame().int(xid).long(zxid).int(err);
}

/** ReplyHeader {xid, zxid 0, err} + SetSASLResponse {token}, framed, as ZooKeeper's processSasl answers. */
export function encodeSaslReply(xid: number, err: number, token: Uint8Array | null): Buffer {
  return start(xid, 0n, err).buffer(token).finish();
}

/** ReplyHeader {xid, zxid, err} alone, framed: ping (xid -2), auth (-4), setWatches (-8), errors. */
export function encodeHeaderOnly(xid: number, zxid: bigint, err: number): Buffer {
  return start(xid, zxid, err).finish();
}

/**
 * A notification: ReplyHeader {xid -1, zxid, err 0} + WatcherEvent {type, state, path}. ZooKeeper
 * 3.9 puts the triggering transaction's zxid in the header (-1 when there is none, as 3.8 always did).
 */
export function encodeEvent(
  type: number,
  path: string,
  zxid = -1n,
  state: number = KeeperState.syncConnected,
): Buffer {
  return start(Xid.notification, zxid, 0).int(type).int(state).ustring(path).finish();
}

/**
 * The framed reply to a request of this opcode. An error (other than a multi's, which travels in
 * its results) is the header with err = code and no body, as ZooKeeper sends it. exists on a
 * missing node is Paddock's empty result but ZooKeeper's NoNode error. multiOpcodes are the
 * multi's op types from decodeRequest (they pick CreateResponse or Create2Response per op).
 */
export function encodeReply(opcode: number, reply: Reply, multiOpcodes?: readonly number[]): Buffer {
  const { xid, zxid } = reply;
  const isMulti = opcode === OpCode.multi || opcode === OpCode.multiRead;
  if (reply.error !== undefined && !(isMulti && reply.result !== undefined)) {
    return encodeHeaderOnly(xid, zxid, reply.error.code);
  }
  switch (opcode) {
    case OpCode.create:
      return start(xid, zxid, 0)
        .ustring(result(reply, opcode, "create").path)
        .finish();
    case OpCode.create2:
    case OpCode.createContainer:
    case OpCode.createTTL: {
      const r = result(reply, opcode, "create");
      const w = start(xid, zxid, 0).ustring(r.path);
      writeStat(w, stat(r.stat, opcode));
      return w.finish();
    }
    case OpCode.exists: {
      const s = result(reply, opcode, "exists").stat;
      if (s === undefined) return encodeHeaderOnly(xid, zxid, NO_NODE);
      return withStat(start(xid, zxid, 0), s);
    }
    case OpCode.getData: {
      const r = result(reply, opcode, "getData");
      // Null data goes back as ZooKeeper sends it: a buffer of length -1.
      return withStat(start(xid, zxid, 0).buffer(r.dataNull === true ? null : r.data), stat(r.stat, opcode));
    }
    case OpCode.setData:
      return withStat(start(xid, zxid, 0), stat(result(reply, opcode, "setData").stat, opcode));
    case OpCode.reconfig: {
      // ZooKeeper answers a reconfig with a GetDataResponse: /zookeeper/config after the change.
      const r = result(reply, opcode, "reconfig");
      return withStat(start(xid, zxid, 0).buffer(r.data), stat(r.stat, opcode));
    }
    case OpCode.getACL: {
      const r = result(reply, opcode, "getAcl");
      const w = start(xid, zxid, 0);
      writeAclVector(w, r.acl);
      return withStat(w, stat(r.stat, opcode));
    }
    case OpCode.setACL:
      return withStat(start(xid, zxid, 0), stat(result(reply, opcode, "setAcl").stat, opcode));
    case OpCode.getChildren:
    case OpCode.getChildren2: {
      const r = result(reply, opcode, "getChildren");
      const w = start(xid, zxid, 0);
      writeStringVector(w, r.children);
      if (opcode === OpCode.getChildren) return w.finish();
      return withStat(w, stat(r.stat, opcode));
    }
    case OpCode.sync:
      return start(xid, zxid, 0)
        .ustring(result(reply, opcode, "sync").path)
        .finish();
    case OpCode.multi: {
      const w = start(xid, zxid, 0);
      writeMultiResponse(w, result(reply, opcode, "multi"), multiOpcodes);
      return w.finish();
    }
    case OpCode.multiRead: {
      const w = start(xid, zxid, 0);
      writeMultiReadResponse(w, result(reply, opcode, "multiRead"));
      return w.finish();
    }
    case OpCode.getEphemerals: {
      const w = start(xid, zxid, 0);
      writeStringVector(w, result(reply, opcode, "getEphemerals").paths);
      return w.finish();
    }
    case OpCode.getAllChildrenNumber:
      return start(xid, zxid, 0)
        .int(result(reply, opcode, "getAllChildrenNumber").number)
        .finish();
    case OpCode.whoAmI: {
      const infos = result(reply, opcode, "whoAmI").clientInfo;
      const w = start(xid, zxid, 0).vectorStart(infos.length);
      for (const c of infos) writeClientInfo(w, c);
      return w.finish();
    }
    case OpCode.addWatch:
      // ZooKeeper answers addWatch with an ErrorResponse {err 0} body.
      return start(xid, zxid, 0).int(0).finish();
    default:
      // delete, removeWatches, checkWatches, ping, closeSession, setWatches, auth: header only.
      return encodeHeaderOnly(xid, zxid, 0);
  }
}

function withStat(w: JuteWriter, s: Stat): Buffer {
  writeStat(w, s);
  return w.finish();
}
