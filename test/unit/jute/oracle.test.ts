// Cross-checks against node-zookeeper-client's own jute classes: theirs encode, ours decode, and back.
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { decodeConnectRequest, encodeConnectResponse } from "../../../server/jute/connect-records.js";
import { OpCode } from "../../../server/jute/opcodes.js";
import { encodeEvent, encodeReply } from "../../../server/jute/reply-encoder.js";
import { decodeRequest } from "../../../server/jute/request-decoder.js";
import { reply, STAT } from "./support/samples.js";

interface TheirRecord {
  [field: string]: unknown;
  byteLength(): number;
  serialize(buffer: Buffer, offset: number): number;
  deserialize(buffer: Buffer, offset: number): number;
}
type Ctor = new (...args: unknown[]) => TheirRecord;
interface TheirJute {
  protocol: Record<string, Ctor>;
  data: Record<string, Ctor>;
  Request: new (header: TheirRecord | undefined, payload: unknown) => { toBuffer(): Buffer };
  TransactionRequest: new (ops: unknown[]) => TheirRecord;
  TransactionResponse: new () => TheirRecord & { results: Record<string, unknown>[] };
}
const jute = createRequire(import.meta.url)("node-zookeeper-client/lib/jute/index.js") as TheirJute;
const P = jute.protocol;
const long = (v: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(v);
  return b;
};
const theirAcl = () => {
  const a = new jute.data.ACL!(31, new jute.data.Id!("world", "anyone"));
  return [a];
};

/** Their request frame without the length prefix, for decodeRequest. */
function theirs(xid: number, type: number, payload?: TheirRecord): Buffer {
  const frame = new jute.Request(new P.RequestHeader!(xid, type), payload).toBuffer();
  expect(frame.readInt32BE(0)).toBe(frame.length - 4);
  return frame.subarray(4);
}

/** Decodes our reply frame with their ReplyHeader and the given payload record. */
function theirReply(frame: Buffer, payload?: TheirRecord) {
  const header = new P.ReplyHeader!();
  let at = 4 + header.deserialize(frame, 4);
  if (payload) at += payload.deserialize(frame, at);
  expect(at).toBe(frame.length);
  return header;
}

describe("their requests, our decoder", () => {
  it("create, delete, setData, getData, exists, getChildren2, getACL, setACL", () => {
    expect(
      decodeRequest(theirs(1, OpCode.create, new P.CreateRequest!("/a", Buffer.from("d"), theirAcl(), 3))),
    ).toEqual({
      kind: "op",
      xid: 1,
      opcode: 1,
      op: {
        $case: "create",
        value: {
          path: "/a",
          data: Buffer.from("d"),
          acl: [{ perms: 31, id: { scheme: "world", id: "anyone" } }],
          mode: 3,
          ttl: 0n,
        },
      },
    });
    expect(decodeRequest(theirs(2, OpCode.delete, new P.DeleteRequest!("/a", 5)))).toMatchObject({
      op: { $case: "delete", value: { path: "/a", version: 5 } },
    });
    expect(
      decodeRequest(theirs(3, OpCode.setData, new P.SetDataRequest!("/a", Buffer.from("v"), -1))),
    ).toMatchObject({
      op: { $case: "setData", value: { path: "/a", data: Buffer.from("v"), version: undefined } },
    });
    expect(decodeRequest(theirs(4, OpCode.getData, new P.GetDataRequest!("/a", true)))).toMatchObject({
      op: { $case: "getData", value: { path: "/a", watch: true } },
    });
    expect(decodeRequest(theirs(5, OpCode.exists, new P.ExistsRequest!("/a", false)))).toMatchObject({
      op: { $case: "exists", value: { path: "/a", watch: false } },
    });
    expect(
      decodeRequest(theirs(6, OpCode.getChildren2, new P.GetChildren2Request!("/a", true))),
    ).toMatchObject({
      opcode: 12,
      op: { $case: "getChildren", value: { path: "/a", watch: true } },
    });
    expect(decodeRequest(theirs(7, OpCode.getACL, new P.GetACLRequest!("/a")))).toMatchObject({
      op: { $case: "getAcl", value: { path: "/a" } },
    });
    expect(decodeRequest(theirs(8, OpCode.setACL, new P.SetACLRequest!("/a", theirAcl(), 2)))).toMatchObject({
      op: { $case: "setAcl", value: { path: "/a", version: 2 } },
    });
  });

  it("multi (their TransactionRequest), ping, close, auth, setWatches", () => {
    const ops = [
      {
        type: OpCode.create,
        path: "/t",
        data: Buffer.from("x"),
        acls: [{ toRecord: () => theirAcl()[0] }],
        mode: 0,
      },
      { type: OpCode.delete, path: "/u", version: -1 },
      { type: OpCode.setData, path: "/v", data: Buffer.from("y"), version: 2 },
      { type: OpCode.check, path: "/w", version: 1 },
    ];
    const r = decodeRequest(theirs(9, OpCode.multi, new jute.TransactionRequest(ops)));
    expect(
      r.kind === "op" && r.op.$case === "multi" && r.op.value.ops.map((o) => [o.op?.$case, o.op?.value.path]),
    ).toEqual([
      ["create", "/t"],
      ["delete", "/u"],
      ["setData", "/v"],
      ["check", "/w"],
    ]);
    expect(decodeRequest(theirs(-2, OpCode.ping))).toEqual({ kind: "ping", xid: -2 });
    expect(decodeRequest(theirs(10, OpCode.closeSession))).toEqual({ kind: "close", xid: 10 });
    expect(
      decodeRequest(theirs(-4, OpCode.auth, new P.AuthPacket!(0, "digest", Buffer.from("u:p")))),
    ).toEqual({
      kind: "auth",
      xid: -4,
      scheme: "digest",
      auth: Buffer.from("u:p"),
    });
    const sw = new P.SetWatches!(long(0x10n), ["/d"], ["/e"], ["/c"]);
    expect(decodeRequest(theirs(-8, OpCode.setWatches, sw))).toMatchObject({
      kind: "setWatches",
      watches: { relativeZxid: 0x10n, dataWatches: ["/d"], existWatches: ["/e"], childWatches: ["/c"] },
    });
  });

  it("their ConnectRequest (without readOnly) and ConnectResponse", () => {
    const req = new P.ConnectRequest!(0, long(0x33n), 30000, long(0x1000c5e47000100n), Buffer.alloc(16, 2));
    const frame = new jute.Request(undefined, req).toBuffer();
    expect(decodeConnectRequest(frame.subarray(4))).toEqual({
      protocolVersion: 0,
      lastZxidSeen: 0x33n,
      timeOutMs: 30000,
      sessionId: 0x1000c5e47000100n,
      passwd: Buffer.alloc(16, 2),
      readOnly: undefined,
    });
    const ours = encodeConnectResponse({
      timeOutMs: 4000,
      sessionId: -5n,
      passwd: Buffer.alloc(16, 3),
      readOnly: undefined,
    });
    const rsp = new P.ConnectResponse!();
    expect(4 + rsp.deserialize(ours, 4)).toBe(ours.length);
    expect([rsp.timeOut, (rsp.sessionId as Buffer).readBigInt64BE(), rsp.passwd]).toEqual([
      4000,
      -5n,
      Buffer.alloc(16, 3),
    ]);
  });
});

describe("our replies, their decoder", () => {
  const theirStat = (s: TheirRecord) =>
    ["czxid", "mzxid", "ctime", "mtime", "ephemeralOwner", "pzxid"].every(
      (k) => (s[k] as Buffer).readBigInt64BE() === STAT[k as keyof typeof STAT],
    ) &&
    ["version", "cversion", "aversion", "dataLength", "numChildren"].every(
      (k) => s[k] === STAT[k as keyof typeof STAT],
    );

  it("create, getData, setData, exists, getACL, setACL, getChildren2", () => {
    const create = new P.CreateResponse!();
    const h = theirReply(
      encodeReply(OpCode.create, reply({ $case: "create", value: { path: "/p1", stat: STAT } })),
      create,
    );
    expect([h.xid, (h.zxid as Buffer).readBigInt64BE(), h.err, create.path]).toEqual([
      42,
      0x2_0000_0001n,
      0,
      "/p1",
    ]);

    const gd = new P.GetDataResponse!();
    theirReply(
      encodeReply(
        OpCode.getData,
        reply({ $case: "getData", value: { data: Buffer.from("zz"), stat: STAT } }),
      ),
      gd,
    );
    expect(gd.data).toEqual(Buffer.from("zz"));
    expect(theirStat(gd.stat as TheirRecord)).toBe(true);

    for (const [opcode, c, Rsp] of [
      [OpCode.setData, "setData", P.SetDataResponse!],
      [OpCode.exists, "exists", P.ExistsResponse!],
      [OpCode.setACL, "setAcl", P.SetACLResponse!],
    ] as const) {
      const rsp = new Rsp();
      theirReply(
        encodeReply(opcode, reply({ $case: c, value: { stat: STAT } } as Parameters<typeof reply>[0])),
        rsp,
      );
      expect(theirStat(rsp.stat as TheirRecord)).toBe(true);
    }

    const acl = new P.GetACLResponse!();
    theirReply(
      encodeReply(
        OpCode.getACL,
        reply({
          $case: "getAcl",
          value: { acl: [{ perms: 1, id: { scheme: "ip", id: "10.0.0.1" } }], stat: STAT },
        }),
      ),
      acl,
    );
    const a = (acl.acl as TheirRecord[])[0]!;
    expect([a.perms, (a.id as TheirRecord).scheme, (a.id as TheirRecord).id]).toEqual([1, "ip", "10.0.0.1"]);

    const kids = new P.GetChildren2Response!();
    theirReply(
      encodeReply(
        OpCode.getChildren2,
        reply({ $case: "getChildren", value: { children: ["x", "y"], stat: STAT } }),
      ),
      kids,
    );
    expect(kids.children).toEqual(["x", "y"]);
    expect(theirStat(kids.stat as TheirRecord)).toBe(true);
  });

  it("an error reply and a notification", () => {
    const h = theirReply(
      encodeReply(OpCode.getData, reply(undefined, { code: -101, path: "/n", message: "" })),
    );
    expect(h.err).toBe(-101);
    const ev = new P.WatcherEvent!();
    const eh = theirReply(encodeEvent(4, "/w", 9n), ev);
    expect([eh.xid, ev.type, ev.state, ev.path]).toEqual([-1, 4, 3, "/w"]);
  });

  it("multi (their TransactionResponse)", () => {
    const results = [
      { result: { $case: "create" as const, value: { path: "/t", stat: STAT } } },
      { result: { $case: "delete" as const, value: {} } },
      { result: { $case: "setData" as const, value: { stat: STAT } } },
      { result: { $case: "check" as const, value: {} } },
      { result: { $case: "error" as const, value: { code: -2, path: "", message: "" } } },
    ];
    const frame = encodeReply(OpCode.multi, reply({ $case: "multi", value: { results } }), [1, 2, 5, 13, 2]);
    const tr = new jute.TransactionResponse();
    const header = new P.ReplyHeader!();
    const at = 4 + header.deserialize(frame, 4);
    expect(at + tr.deserialize(frame, at)).toBe(frame.length);
    expect(tr.results.map((r) => [r.type, r.path ?? r.err ?? null])).toEqual([
      [1, "/t"],
      [2, null],
      [5, null],
      [13, null],
      [-1, -2],
    ]);
  });
});
