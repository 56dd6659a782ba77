// A test-only client side of the jute codec: request encoding and reply decoding with our primitives.
import type { ACL, Stat } from "../../../../server/gen/paddock/v1/data.js";
import { readAcl, readClientInfo, readStat, writeAcl } from "../../../../server/jute/data-records.js";
import { JuteReader } from "../../../../server/jute/jute-reader.js";
import { JuteWriter } from "../../../../server/jute/jute-writer.js";
import { OpCode } from "../../../../server/jute/opcodes.js";

export type Field =
  | ["int", number]
  | ["long", bigint]
  | ["bool", boolean]
  | ["buffer", Uint8Array | null]
  | ["ustring", string | null]
  | ["acls", ACL[] | null]
  | ["strings", string[] | null];

export function writeFields(w: JuteWriter, fields: readonly Field[]): JuteWriter {
  for (const f of fields) {
    switch (f[0]) {
      case "int":
        w.int(f[1]);
        break;
      case "long":
        w.long(f[1]);
        break;
      case "bool":
        w.bool(f[1]);
        break;
      case "buffer":
        w.buffer(f[1]);
        break;
      case "ustring":
        w.ustring(f[1]);
        break;
      case "acls":
        w.vectorStart(f[1] === null ? null : f[1].length);
        for (const a of f[1] ?? []) writeAcl(w, a);
        break;
      case "strings":
        w.vectorStart(f[1] === null ? null : f[1].length);
        for (const s of f[1] ?? []) w.ustring(s);
        break;
    }
  }
  return w;
}

/** A framed request: length, RequestHeader {xid, type}, then the fields. */
export function requestFrame(xid: number, opcode: number, fields: readonly Field[] = []): Buffer {
  const w = new JuteWriter(64).beginFrame().int(xid).int(opcode);
  return writeFields(w, fields).finish();
}

/** The same without the length prefix (what FrameDecoder hands to decodeRequest). */
export function requestBody(xid: number, opcode: number, fields: readonly Field[] = []): Buffer {
  return requestFrame(xid, opcode, fields).subarray(4);
}

export const OPEN: ACL[] = [{ perms: 31, id: { scheme: "world", id: "anyone" } }];

/** One multi op as MultiHeader + record fields. */
export function multiOp(type: number, fields: readonly Field[]): Field[] {
  return [["int", type], ["bool", false], ["int", -1], ...fields];
}
export const MULTI_END: Field[] = [
  ["int", -1],
  ["bool", true],
  ["int", -1],
];

export interface DecodedReply {
  xid: number;
  zxid: bigint;
  err: number;
  body: Record<string, unknown>;
  /** Bytes left after the body (ZooKeeper-exact replies leave none). */
  rest: number;
}

export type MultiResult = {
  type: number;
  err: number;
  path?: string;
  stat?: Stat;
  data?: Buffer | null;
  children?: string[] | null;
};

function readMulti(r: JuteReader): MultiResult[] {
  const out: MultiResult[] = [];
  for (;;) {
    const type = r.int("mh.type");
    const done = r.bool("mh.done");
    const err = r.int("mh.err");
    if (done) return out;
    const res: MultiResult = { type, err };
    if (type === OpCode.create) res.path = r.ustring("path") ?? "";
    else if (type === OpCode.create2) {
      res.path = r.ustring("path") ?? "";
      res.stat = readStat(r);
    } else if (type === OpCode.setData) res.stat = readStat(r);
    else if (type === OpCode.getData) {
      res.data = r.buffer("data");
      res.stat = readStat(r);
    } else if (type === OpCode.getChildren)
      res.children = r.vector("children", 4, (x) => x.ustring("c") ?? "");
    else if (type === OpCode.error) res.err = r.int("errorResponse.err");
    out.push(res);
  }
}

/** Decodes a reply frame (prefix removed) as the client of opcode would. */
export function decodeReply(opcode: number, frame: Buffer): DecodedReply {
  const r = new JuteReader(frame);
  const xid = r.int("xid");
  const zxid = r.long("zxid");
  const err = r.int("err");
  const body: Record<string, unknown> = {};
  const strings = () => r.vector("strings", 4, (x) => x.ustring("s") ?? "");
  if (xid === -1) {
    body.type = r.int("type");
    body.state = r.int("state");
    body.path = r.ustring("path");
  } else if (err === 0 || opcode === OpCode.multi || opcode === OpCode.multiRead) {
    switch (opcode) {
      case OpCode.create:
      case OpCode.sync:
        body.path = r.ustring("path");
        break;
      case OpCode.create2:
      case OpCode.createContainer:
      case OpCode.createTTL:
        body.path = r.ustring("path");
        body.stat = readStat(r);
        break;
      case OpCode.exists:
      case OpCode.setData:
      case OpCode.setACL:
        body.stat = readStat(r);
        break;
      case OpCode.getData:
        body.data = r.buffer("data");
        body.stat = readStat(r);
        break;
      case OpCode.getACL:
        body.acl = r.vector("acl", 12, readAcl);
        body.stat = readStat(r);
        break;
      case OpCode.getChildren:
        body.children = strings();
        break;
      case OpCode.getChildren2:
        body.children = strings();
        body.stat = readStat(r);
        break;
      case OpCode.getEphemerals:
        body.ephemerals = strings();
        break;
      case OpCode.getAllChildrenNumber:
        body.totalNumber = r.int("totalNumber");
        break;
      case OpCode.whoAmI:
        body.clientInfo = r.vector("clientInfo", 8, readClientInfo);
        break;
      case OpCode.addWatch:
        if (r.remaining >= 4) body.err = r.int("errorResponse.err");
        break;
      case OpCode.multi:
      case OpCode.multiRead:
        if (r.remaining > 0) body.results = readMulti(r);
        break;
    }
  }
  return { xid, zxid, err, body, rest: r.remaining };
}
