import { describe, expect, it } from "vitest";
import type { CreateRequest, Op } from "../../../server/gen/paddock/v1/data.js";
import { requestSize, utf8Length } from "../../../server/tree/request-size.js";

// The jute sizes ZooKeeper compares with jute.maxbuffer: header (xid, type) 8 bytes, a string or
// buffer is a 4-byte length plus its bytes, an ACL is perms + scheme + id, flags and versions 4.
const create = (path: string, data: number, mode = 0, acl: CreateRequest["acl"] = []): CreateRequest => ({
  path,
  data: Buffer.alloc(data),
  acl,
  mode: mode as CreateRequest["mode"],
  ttl: 0n,
});

describe("request sizes as jute counts them", () => {
  it("UTF-8 lengths agree with Node's encoder, lone surrogates included (3 bytes each)", () => {
    const samples = [
      "",
      "a",
      "\x7f",
      "\x80",
      "é",
      "\u07ff",
      "\u0800",
      "€",
      "\ud7ff",
      "\ud83d\ude00",
      "\udbff\udfff",
      "\ud800\udc00x",
      "\ud83d",
      "\ud83dx",
      "x\ud83d",
      "\ud83d\ue000",
      "\ude00",
      "\ud83d\ud83d\ude00",
      "/a/é/€/\ud83d\ude00",
      // Only a high surrogate starts a pair, and only a low one ends it.
      "€\udc00",
      "\ue000\udc00",
      "\udc00\udc00",
      "\ud83d\u0800",
      "\ud83dé",
    ];
    for (const s of samples) expect(utf8Length(s), JSON.stringify(s)).toBe(Buffer.byteLength(s, "utf8"));
  });

  it("setData: ZooKeeper 3.8's largest accepted request under the default jute.maxbuffer is 1048575", () => {
    expect(requestSize.setData("/sz584159228204", Buffer.alloc(1048540))).toBe(1048575);
    expect(requestSize.setData("/é", Buffer.alloc(0))).toBe(8 + (4 + 3) + 4 + 4);
  });

  it("create: path, data, ACL list, flags, and 8 bytes of TTL for the TTL modes only", () => {
    expect(requestSize.create(create("/a", 10))).toBe(8 + (4 + 2) + (4 + 10) + 4 + 4);
    const acl = [
      { perms: 31, id: { scheme: "digest", id: "u:h" } },
      { perms: 1, id: { scheme: "world", id: "anyone" } },
    ];
    expect(requestSize.create(create("/a", 0, 0, acl))).toBe(
      8 + 6 + 4 + (4 + (4 + 10 + 7) + (4 + 9 + 10)) + 4,
    );
    expect(requestSize.create(create("/a", 0, 0, [{ perms: 1 }]))).toBe(8 + 6 + 4 + (4 + 4 + 4 + 4) + 4);
    for (const mode of [5, 6]) expect(requestSize.create(create("/a", 0, mode))).toBe(8 + 6 + 4 + 4 + 4 + 8);
    for (const mode of [1, 2, 3, 4])
      expect(requestSize.create(create("/a", 0, mode))).toBe(8 + 6 + 4 + 4 + 4);
  });

  it("setACL: path, ACL list, version", () => {
    const acl = [{ perms: 31, id: { scheme: "ip", id: "10.0.0.1" } }];
    expect(requestSize.setACL("/a", acl)).toBe(8 + 6 + (4 + (4 + 6 + 12)) + 4);
  });

  it("multi: a 9-byte op header before each op and once at the end, each op's record", () => {
    const ops: Op[] = [
      { op: { $case: "create", value: create("/c", 3) } },
      { op: { $case: "setData", value: { path: "/s", data: Buffer.alloc(5), version: -1 } } },
      { op: { $case: "delete", value: { path: "/d", version: -1 } } },
      { op: { $case: "check", value: { path: "/k", version: 2 } } },
      { op: undefined },
    ];
    const records = [6 + 7 + 4 + 4, 6 + 9 + 4, 6 + 4, 6 + 4, 0];
    const expected = 8 + 9 + records.reduce((n, r) => n + 9 + r, 0);
    expect(requestSize.multi({ ops })).toBe(expected);
    expect(requestSize.multi({ ops: [] })).toBe(17);
  });
});
