import { describe, expect, it } from "vitest";
import type { ACL } from "../../../server/gen/paddock/v1/data.js";
import { checkAcl, isValidAclId, Perms } from "../../../server/tree/acl-check.js";
import { DataTree } from "../../../server/tree/data-tree.js";
import { create, del, E, OPEN, setData, txn } from "./txns.js";

const BOB: ACL[] = [{ perms: Perms.ALL, id: { scheme: "sasl", id: "bob" } }];

describe("identity in the tree: sasl ids, skipACL, the ACL each watch trigger carries", () => {
  it("sasl ids are KerberosNames; they match by equality, and the SASL user super matches them all", () => {
    for (const id of ["bob", "", "zk/host@EXAMPLE.COM", "bob@EXAMPLE.COM"])
      expect(isValidAclId("sasl", id)).toBe(true);
    for (const id of ["a@b@c", "a/b/c@R"]) expect(isValidAclId("sasl", id)).toBe(false);
    expect(checkAcl(BOB, Perms.READ, [{ scheme: "sasl", id: "bob" }])).toBe(true);
    expect(checkAcl(BOB, Perms.READ, [{ scheme: "sasl", id: "alice" }])).toBe(false);
    expect(checkAcl(BOB, Perms.READ, [{ scheme: "sasl", id: "super" }])).toBe(true);
    expect(checkAcl(BOB, Perms.READ, [{ scheme: "digest", id: "bob" }])).toBe(false);
  });

  it("each trigger carries the ACL of the node it is about, as the event fires (the deleted node's too)", () => {
    const tree = new DataTree();
    tree.apply(txn(E + 1, create("/p", "", 1), 1));
    const made = tree.apply(txn(E + 2, create("/p/s", "x", 1, 0n, BOB), 2));
    expect(made.triggers).toEqual([
      { path: "/p/s", type: 1, acl: BOB },
      { path: "/p", type: 4, acl: OPEN },
    ]);
    expect(tree.apply(txn(E + 3, setData("/p/s", "y", 1), 3)).triggers).toEqual([
      { path: "/p/s", type: 3, acl: BOB },
    ]);
    expect(tree.apply(txn(E + 4, del("/p/s"), 4)).triggers).toEqual([
      { path: "/p/s", type: 2, acl: BOB },
      { path: "/p", type: 4, acl: OPEN },
    ]);
  });

  it("skipACL: allows() and reads pass every check; without it READ is required", () => {
    const strict = new DataTree();
    const open = new DataTree({ skipAcl: true });
    for (const tree of [strict, open]) {
      tree.apply(txn(E + 1, create("/s", "x", 1, 0n, BOB), 1));
    }
    expect(strict.allows(BOB, Perms.READ, [])).toBe(false);
    expect(() => strict.getData("/s", [])).toThrow(/NoAuth|READ/);
    expect(open.allows(BOB, Perms.READ, [])).toBe(true);
    expect(Buffer.from(open.getData("/s", []).data).toString()).toBe("x");
  });
});
