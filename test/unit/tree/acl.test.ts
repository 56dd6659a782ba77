import { beforeEach, describe, expect, it } from "vitest";
import { checkAcl, ipMatches, isValidAclId, Perms } from "../../../server/tree/acl-check.js";
import { DataTree } from "../../../server/tree/data-tree.js";
import { base64, digestId, sha1, sha1Hex } from "../../../server/tree/sha1.js";
import { Code } from "../../../server/util/error-code.js";
import { createReq, Harness } from "./harness.js";

describe("sha1 / digestId", () => {
  it("matches the FIPS 180 vectors", () => {
    expect(sha1Hex("")).toBe("da39a3ee5e6b4b0d3255bfef95601890afd80709");
    expect(sha1Hex("abc")).toBe("a9993e364706816aba3e25717850c26c9cd0d89d");
    expect(sha1Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")).toBe(
      "84983e441c3bd26ebaae4aa1f95129e5e54670f1",
    );
    expect(sha1Hex("a".repeat(1000))).toBe("291e9a6c66994949b57ba5e650361e98fc36b1ba");
    expect(base64(new Uint8Array([1, 2]))).toBe("AQI=");
  });

  it("digestId equals ZooKeeper's DigestAuthenticationProvider output", () => {
    // java ...DigestAuthenticationProvider super:secret (3.8.0) and bob:pw (probe getACL output).
    expect(digestId("super", "secret")).toBe("super:lK75jTNcA+U9vtVEw5vB51mj/w4=");
    expect(digestId("bob", "pw")).toBe("bob:ikIaKsbtGweaHnb/jKn7OHqbunM=");
    expect(sha1(new Uint8Array(0)).length).toBe(20);
  });
});

// The digest ids as ZooKeeper's DigestAuthenticationProvider gives them (pinned above), written
// out: computed in a describe body, a throw while collecting would fail no test (StrykerJS counts
// the file's mutants as survivors).
const BOB = "bob:ikIaKsbtGweaHnb/jKn7OHqbunM=";
const SUPER = "super:lK75jTNcA+U9vtVEw5vB51mj/w4=";

describe("checkAcl matrix", () => {
  const bob = BOB;
  const acl = (scheme: string, id: string, perms: number) => [{ perms, id: { scheme, id } }];
  const who = {
    anon: [{ scheme: "ip", id: "10.1.2.3" }],
    bob: [
      { scheme: "ip", id: "10.1.2.3" },
      { scheme: "digest", id: bob },
    ],
    super: [{ scheme: "super", id: "" }],
    superDigest: [{ scheme: "digest", id: SUPER }],
    v6: [{ scheme: "ip", id: "fe80::1:2" }],
  };
  const perms = [Perms.READ, Perms.WRITE, Perms.CREATE, Perms.DELETE, Perms.ADMIN];
  const cases: [string, ReturnType<typeof acl>, keyof typeof who, boolean][] = [
    ["world grants its perm", acl("world", "anyone", 31), "anon", true],
    ["digest grants bob", acl("digest", bob, 31), "bob", true],
    ["digest refuses anon", acl("digest", bob, 31), "anon", false],
    ["ip exact", acl("ip", "10.1.2.3", 31), "anon", true],
    ["ip /24", acl("ip", "10.1.2.0/24", 31), "anon", true],
    ["ip /8 other net", acl("ip", "11.0.0.0/8", 31), "anon", false],
    ["ip /0 matches all v4", acl("ip", "0.0.0.0/0", 31), "anon", true],
    ["ip v6 /64", acl("ip", "fe80::/64", 31), "v6", true],
    ["ip v6 refuses v4", acl("ip", "fe80::/64", 31), "anon", false],
    ["ip v4 refuses v6", acl("ip", "0.0.0.0/0", 31), "v6", false],
    ["super id", acl("digest", bob, 0), "super", true],
    ["superDigest", acl("digest", bob, 0), "superDigest", true],
  ];
  for (const [name, list, ids, expected] of cases) {
    it(`${name}: every perm`, () => {
      for (const p of perms) {
        expect(checkAcl(list, p, who[ids], "super:lK75jTNcA+U9vtVEw5vB51mj/w4=")).toBe(expected);
      }
    });
  }

  it("grants only the bits present; an empty ACL grants all (ZooKeeper checkACL)", () => {
    const readOnly = acl("world", "anyone", Perms.READ);
    expect(perms.map((p) => checkAcl(readOnly, p, who.anon))).toEqual([true, false, false, false, false]);
    expect(checkAcl([], Perms.ADMIN, who.anon)).toBe(true);
    expect(checkAcl(readOnly, Perms.READ | Perms.ADMIN, who.anon)).toBe(true);
  });

  it("validates ids as ZooKeeper's providers", () => {
    expect(isValidAclId("digest", "a:b")).toBe(true);
    expect(isValidAclId("digest", ":b")).toBe(true);
    expect(isValidAclId("digest", "a:")).toBe(false);
    expect(isValidAclId("digest", "a:b:c")).toBe(false);
    expect(isValidAclId("ip", "::1/128")).toBe(true);
    expect(isValidAclId("ip", "::1/129")).toBe(false);
    expect(isValidAclId("ip", "1.2.3")).toBe(false);
    expect(ipMatches("::ffff:1.2.3.4", "::ffff:1.2.0.0/112")).toBe(true);
  });
});

describe("ACL checks per op through prep and reads", () => {
  const bob = BOB;
  const h = new Harness({ superDigest: SUPER });
  const anon = h.ctx();
  const bobCtx = h.ctx([{ scheme: "digest", id: bob }]);
  const only = (perms: number) => [
    { perms, id: { scheme: "world", id: "anyone" } },
    { perms: 31, id: { scheme: "digest", id: bob } },
  ];
  // Built in a hook, not in the describe body: a throw while collecting fails no test (the whole
  // file reports none), which StrykerJS counts as a surviving mutant.
  let built = false;
  beforeEach(() => {
    if (built) return;
    for (const [name, p] of Object.entries(Perms))
      if (name !== "ALL") h.create(`/${name}`, 0, { acl: only(p) });
    built = true;
  });
  it("READ gates getData/getChildren/getAllChildrenNumber; exists needs nothing", () => {
    expect(() => h.tree.getData("/WRITE", anon.ids)).toThrow(/NoAuth/);
    expect(() => h.tree.getAllChildrenNumber("/WRITE", anon.ids)).toThrow(/NoAuth/);
    expect(h.tree.getData("/READ", anon.ids).stat?.version).toBe(0);
    expect(h.tree.exists("/WRITE")).toBeDefined();
    expect(h.tree.getData("/WRITE", bobCtx.ids).stat).toBeDefined();
    expect(
      h.tree.getData("/WRITE", [{ scheme: "digest", id: digestId("super", "secret") }]).stat,
    ).toBeDefined();
  });

  it("getACL: NoAuth without READ or ADMIN; READ only masks digest ids as user:x (ZooKeeper 3.8.0 probe)", () => {
    expect(() => h.tree.getACL("/CREATE", anon.ids)).toThrow(/NoAuth/);
    expect(h.tree.getACL("/READ", anon.ids).acl[1]).toEqual({
      perms: 31,
      id: { scheme: "digest", id: "bob:x" },
    });
    expect(h.tree.getACL("/ADMIN", anon.ids).acl[1]).toEqual({
      perms: 31,
      id: { scheme: "digest", id: bob },
    });
    expect(h.tree.getACL("/CREATE", bobCtx.ids).acl[1]?.id?.id).toBe(bob);
    expect(h.tree.getACL("/CREATE").acl[1]?.id?.id).toBe(bob);
  });

  it("write perms: WRITE for setData, CREATE for create, DELETE for delete, ADMIN for setACL", () => {
    const code = (f: (z: number) => unknown) => {
      try {
        f(h.zxid + 1);
        h.prep.reset();
        return Code.OK;
      } catch (e) {
        return (e as { code: number }).code;
      }
    };
    const setData = (path: string) => code((z) => h.prep.setData({ path, data: Buffer.from("") }, anon, z));
    const create = (path: string) => code((z) => h.prep.create(createReq(`${path}/c`), anon, z));
    const del = (path: string) => code((z) => h.prep.delete({ path: `${path}/c` }, anon, z));
    const setAcl = (path: string) => code((z) => h.prep.setACL({ path, acl: only(31) }, anon, z));
    const row = (path: string) => [setData(path), create(path), del(path), setAcl(path)];
    const { OK, NoAuth, NoNode } = Code;
    expect(row("/READ")).toEqual([NoAuth, NoAuth, NoAuth, NoAuth]);
    expect(row("/WRITE")).toEqual([OK, NoAuth, NoAuth, NoAuth]);
    expect(row("/CREATE")).toEqual([NoAuth, OK, NoAuth, NoAuth]);
    expect(row("/DELETE")).toEqual([NoAuth, NoAuth, NoNode, NoAuth]);
    expect(row("/ADMIN")).toEqual([NoAuth, NoAuth, NoAuth, OK]);
    expect(new DataTree().getACL("/").acl.length).toBe(1);
  });
});
