import { describe, expect, it } from "vitest";
import type { ACL } from "../../../server/gen/paddock/v1/data.js";
import { AclCache } from "../../../server/tree/acl-cache.js";
import { fixupAcl } from "../../../server/tree/fixup-acl.js";
import { Code } from "../../../server/util/error-code.js";
import { PaddockError } from "../../../server/util/paddock-error.js";

const acl = (perms: number, scheme: string, id: string): ACL => ({ perms, id: { scheme, id } });
const world = acl(31, "world", "anyone");

function refusalOf(f: () => unknown): [number, string, string] {
  try {
    f();
  } catch (e) {
    if (e instanceof PaddockError) return [e.code, e.path, e.message];
    throw e;
  }
  throw new Error("no refusal");
}

describe("fixupAcl (ZooKeeper's fixupACL)", () => {
  it("drops exact duplicates, keeping the first; the same id with other perms stays", () => {
    const out = fixupAcl("/a", [world, acl(31, "world", "anyone"), acl(1, "world", "anyone")], [], 10);
    expect(out).toEqual([world, acl(1, "world", "anyone")]);
  });

  it("refuses an empty list and an entry without an id, naming the path", () => {
    expect(refusalOf(() => fixupAcl("/a", [], [], 10))).toEqual([
      Code.InvalidACL,
      "/a",
      "InvalidACL for /a: empty ACL",
    ]);
    expect(refusalOf(() => fixupAcl("/b", [{ perms: 1 }, { perms: 1 }], [], 10))).toEqual([
      Code.InvalidACL,
      "/b",
      "InvalidACL for /b: ACL entry without id",
    ]);
  });

  it("expands auth to each authenticated id of the session (not ip, world or super)", () => {
    const ids = [
      { scheme: "ip", id: "10.0.0.1" },
      { scheme: "digest", id: "u:h" },
      { scheme: "world", id: "anyone" },
      { scheme: "super", id: "" },
      { scheme: "x509", id: "CN=a" },
    ];
    expect(fixupAcl("/a", [acl(3, "auth", "")], ids, 10)).toEqual([
      acl(3, "digest", "u:h"),
      acl(3, "x509", "CN=a"),
    ]);
    expect(refusalOf(() => fixupAcl("/a", [acl(3, "auth", "")], ids.slice(0, 1), 10))).toEqual([
      Code.InvalidACL,
      "/a",
      "InvalidACL for /a: scheme auth but the session has no authenticated id",
    ]);
  });

  it("refuses an id its scheme does not accept, and more entries than aclEntriesMax after expansion", () => {
    expect(refusalOf(() => fixupAcl("/a", [acl(1, "world", "me")], [], 10))[2]).toBe(
      "InvalidACL for /a: invalid id world:me",
    );
    const ids = [
      { scheme: "digest", id: "u:h" },
      { scheme: "digest", id: "v:h" },
    ];
    expect(fixupAcl("/a", [world, acl(1, "auth", "")], ids, 3)).toHaveLength(3);
    expect(refusalOf(() => fixupAcl("/a", [world, acl(1, "auth", "")], ids, 2))[2]).toBe(
      "InvalidACL for /a: 3 ACL entries, over aclEntriesMax 2",
    );
  });

  it("returns copies: the caller's entries are not kept", () => {
    const input = [acl(31, "digest", "u:h")];
    const out = fixupAcl("/a", input, [], 10);
    expect(out[0]).not.toBe(input[0]);
    expect(out[0]!.id).not.toBe(input[0]!.id);
  });
});

describe("the shared ACL lists (ReferenceCountedACLCache)", () => {
  it("one entry per distinct list, counted per holder, gone with its last holder", () => {
    const cache = new AclCache();
    const a = cache.acquire([world]);
    const b = cache.acquire([acl(31, "world", "anyone")]);
    expect(b).toBe(a);
    expect(a.count).toBe(2);
    const other = cache.acquire([acl(1, "world", "anyone")]);
    expect(other.ref).toBe(a.ref + 1);
    expect(cache.size).toBe(2);
    cache.release(a);
    expect(cache.size).toBe(2);
    cache.release(a);
    expect(cache.size).toBe(1);
    expect([...cache.entries()]).toEqual([other]);
    expect(() => cache.release(a)).toThrow(`ACL ref ${a.ref} released more often than acquired`);
    // Released lists are new entries when they come back.
    expect(cache.acquire([world]).ref).toBe(other.ref + 1);
  });

  it("an entry keeps a frozen copy; its hash depends on the list", () => {
    const cache = new AclCache();
    const input = [acl(31, "digest", "u:h")];
    const e = cache.acquire(input);
    expect(e.acl).toEqual(input);
    expect(e.acl).not.toBe(input);
    expect(Object.isFrozen(e.acl) && Object.isFrozen(e.acl[0]) && Object.isFrozen(e.acl[0]!.id)).toBe(true);
    expect(cache.acquire([{ perms: 1 }]).acl).toEqual([{ perms: 1, id: { scheme: "", id: "" } }]);
    const f = cache.acquire([acl(31, "digest", "u:i")]);
    expect([f.hashLo, f.hashHi]).not.toEqual([e.hashLo, e.hashHi]);
    // Lists that differ only in a scheme, or only in where one entry ends, are different lists.
    expect(cache.acquire([acl(1, "ip", "x")])).not.toBe(cache.acquire([acl(1, "digest", "x")]));
    const two = cache.acquire([acl(1, "w", "x"), acl(2, "y", "z")]);
    expect(cache.acquire([acl(1, "w", "x2,y:z")])).not.toBe(two);
    const again = new AclCache().acquire([acl(31, "digest", "u:h")]);
    expect([again.hashLo, again.hashHi]).toEqual([e.hashLo, e.hashHi]);
  });

  it("restores snapshot lists under their refs; unused ones are pruned; new refs go above them", () => {
    const cache = new AclCache();
    cache.restore(7, [world]);
    cache.restore(3, [acl(1, "world", "anyone")]);
    expect(() => cache.restore(7, [acl(2, "world", "anyone")])).toThrow("duplicate ACL ref 7 in snapshot");
    expect(() => cache.restore(9, [world])).toThrow("ACL list recorded twice in snapshot (ref 9)");
    expect(() => cache.acquireRef(5)).toThrow("snapshot node names unknown ACL ref 5");
    expect(cache.acquireRef(7).count).toBe(1);
    expect(cache.acquire([world]).ref).toBe(7);
    cache.prune();
    expect([...cache.entries()].map((e) => e.ref)).toEqual([7]);
    expect(cache.acquire([acl(4, "world", "anyone")]).ref).toBe(8);
  });
});
