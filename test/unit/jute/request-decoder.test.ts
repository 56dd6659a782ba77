// decodeRequest for every op that becomes a Paddock op, multi and multiRead included.
import { describe, expect, it } from "vitest";
import { JuteDecodeError } from "../../../server/jute/jute-decode-error.js";
import { OpCode } from "../../../server/jute/opcodes.js";
import { decodeRequest } from "../../../server/jute/request-decoder.js";
import { type Field, MULTI_END, multiOp, OPEN, requestBody } from "./support/jute-client.js";

const DIGEST = [{ perms: 1, id: { scheme: "digest", id: "u:h=" } }];
const createFields = (flags: number, acl = OPEN): Field[] => [
  ["ustring", "/a/é"],
  ["buffer", Buffer.from("data")],
  ["acls", acl],
  ["int", flags],
];
const decode = (opcode: number, fields: Field[] = [], xid = 7) =>
  decodeRequest(requestBody(xid, opcode, fields));

describe("decodeRequest: single ops", () => {
  it("create, create2 and createContainer carry path, data, ACL and mode", () => {
    for (const [opcode, flags, mode] of [
      [OpCode.create, 3, 3],
      [OpCode.create2, 2, 2],
      [OpCode.createContainer, 0, 4],
    ] as const) {
      expect(decode(opcode, createFields(flags, DIGEST))).toEqual({
        kind: "op",
        xid: 7,
        opcode,
        op: {
          $case: "create",
          value: { path: "/a/é", data: Buffer.from("data"), acl: DIGEST, mode, ttl: 0n },
        },
      });
    }
  });

  it("createTTL carries ttl; a non-TTL mode keeps ZooKeeper's BadArguments for ttl >= 0", () => {
    const ttl = (flags: number, t: bigint) => {
      const r = decode(OpCode.createTTL, [...createFields(flags), ["long", t]]);
      return r.kind === "op" && r.op.$case === "create" ? r.op.value.ttl : undefined;
    };
    expect(ttl(5, 60_000n)).toBe(60_000n);
    expect(ttl(6, 0n)).toBe(0n);
    expect(ttl(0, -1n)).toBe(0n);
    expect(ttl(0, 0n)).toBe(-1n);
    expect(ttl(0, 9n)).toBe(9n);
  });

  it("an empty or null ACL on create becomes an id-less entry Paddock rejects as InvalidACL", () => {
    for (const acl of [[], null]) {
      const r = decode(OpCode.create, [
        ["ustring", "/a"],
        ["buffer", null],
        ["acls", acl],
        ["int", 0],
      ]);
      expect(r.kind === "op" && r.op.$case === "create" && r.op.value.acl).toEqual([
        { perms: 0, id: undefined },
      ]);
    }
  });

  it("delete, setData and setACL map version -1 to absent and keep other versions", () => {
    expect(
      decode(OpCode.delete, [
        ["ustring", "/d"],
        ["int", -1],
      ]),
    ).toMatchObject({
      op: { $case: "delete", value: { path: "/d", version: undefined } },
    });
    expect(
      decode(OpCode.delete, [
        ["ustring", "/d"],
        ["int", -2],
      ]),
    ).toMatchObject({
      op: { value: { version: -2 } },
    });
    expect(
      decode(OpCode.setData, [
        ["ustring", "/s"],
        ["buffer", null],
        ["int", 4],
      ]),
    ).toMatchObject({
      op: { $case: "setData", value: { path: "/s", data: Buffer.alloc(0), version: 4 } },
    });
    expect(
      decode(OpCode.setACL, [
        ["ustring", "/s"],
        ["acls", DIGEST],
        ["int", -1],
      ]),
    ).toMatchObject({
      op: { $case: "setAcl", value: { path: "/s", acl: DIGEST, version: undefined } },
    });
  });

  it("reads carry the watch flag", () => {
    const cases = [
      [OpCode.exists, "exists"],
      [OpCode.getData, "getData"],
      [OpCode.getChildren, "getChildren"],
      [OpCode.getChildren2, "getChildren"],
    ] as const;
    for (const [opcode, c] of cases) {
      for (const watch of [true, false]) {
        expect(
          decode(opcode, [
            ["ustring", "/r"],
            ["bool", watch],
          ]),
        ).toEqual({
          kind: "op",
          xid: 7,
          opcode,
          op: { $case: c, value: { path: "/r", watch, consistency: 0 } },
        });
      }
    }
  });

  it("the path-only and small ops", () => {
    expect(decode(OpCode.getACL, [["ustring", "/g"]])).toMatchObject({
      op: { $case: "getAcl", value: { path: "/g" } },
    });
    expect(decode(OpCode.sync, [["ustring", "/y"]])).toMatchObject({
      op: { $case: "sync", value: { path: "/y" } },
    });
    expect(decode(OpCode.getEphemerals, [["ustring", "/e"]])).toMatchObject({
      op: { $case: "getEphemerals", value: { prefixPath: "/e" } },
    });
    expect(decode(OpCode.getAllChildrenNumber, [["ustring", "/n"]])).toMatchObject({
      op: { $case: "getAllChildrenNumber", value: { path: "/n" } },
    });
    expect(
      decode(OpCode.addWatch, [
        ["ustring", "/w"],
        ["int", 1],
      ]),
    ).toMatchObject({
      op: { $case: "addWatch", value: { path: "/w", mode: 1 } },
    });
    expect(
      decode(OpCode.removeWatches, [
        ["ustring", "/w"],
        ["int", 5],
      ]),
    ).toMatchObject({
      op: { $case: "removeWatches", value: { path: "/w", type: 5 } },
    });
    expect(decode(OpCode.whoAmI)).toMatchObject({ op: { $case: "whoAmI", value: {} } });
  });
});

describe("decodeRequest: multi and multiRead", () => {
  it("multi reads ops until done and records each op's type", () => {
    const r = decode(OpCode.multi, [
      ...multiOp(OpCode.create, createFields(0)),
      ...multiOp(OpCode.create2, createFields(4)),
      ...multiOp(OpCode.createTTL, [...createFields(5), ["long", 10n]]),
      ...multiOp(OpCode.delete, [
        ["ustring", "/d"],
        ["int", 3],
      ]),
      ...multiOp(OpCode.setData, [
        ["ustring", "/s"],
        ["buffer", Buffer.from("v")],
        ["int", -1],
      ]),
      ...multiOp(OpCode.check, [
        ["ustring", "/c"],
        ["int", 1],
      ]),
      ...MULTI_END,
    ]);
    expect(r.kind === "op" && r.multiOpcodes).toEqual([
      OpCode.create,
      OpCode.createContainer,
      OpCode.createTTL,
      OpCode.delete,
      OpCode.setData,
      OpCode.check,
    ]);
    const ops = r.kind === "op" && r.op.$case === "multi" ? r.op.value.ops : [];
    expect(ops.map((o) => o.op?.$case)).toEqual(["create", "create", "create", "delete", "setData", "check"]);
    expect(ops[2]).toMatchObject({ op: { value: { mode: 5, ttl: 10n } } });
    expect(ops[5]).toEqual({ op: { $case: "check", value: { path: "/c", version: 1 } } });
  });

  it("an empty multi has no ops", () => {
    expect(decode(OpCode.multi, MULTI_END)).toMatchObject({ op: { $case: "multi", value: { ops: [] } } });
  });

  it("a read op inside multi is a decode error carrying the header", () => {
    const e = captureError(() =>
      decode(
        OpCode.multi,
        [
          ...multiOp(OpCode.getData, [
            ["ustring", "/a"],
            ["bool", false],
          ]),
          ...MULTI_END,
        ],
        9,
      ),
    );
    expect(e).toBeInstanceOf(JuteDecodeError);
    expect((e as JuteDecodeError).header).toEqual({ xid: 9, opcode: OpCode.multi });
  });

  it("multiRead holds getData and getChildren, with watches off", () => {
    const r = decode(OpCode.multiRead, [
      ...multiOp(OpCode.getData, [
        ["ustring", "/a"],
        ["bool", true],
      ]),
      ...multiOp(OpCode.getChildren, [
        ["ustring", "/b"],
        ["bool", true],
      ]),
      ...MULTI_END,
    ]);
    expect(r).toMatchObject({
      op: {
        $case: "multiRead",
        value: {
          ops: [
            { op: { $case: "getData", value: { path: "/a", watch: false } } },
            { op: { $case: "getChildren", value: { path: "/b", watch: false } } },
          ],
        },
      },
    });
    expect(() =>
      decode(OpCode.multiRead, [
        ...multiOp(OpCode.delete, [
          ["ustring", "/a"],
          ["int", 1],
        ]),
        ...MULTI_END,
      ]),
    ).toThrow(/not a read op/);
  });
});

function captureError(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error("expected an error");
}
