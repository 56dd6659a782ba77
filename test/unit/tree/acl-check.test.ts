import { describe, expect, it } from "vitest";
import {
  checkAcl,
  ipMatches,
  isSuper,
  isValidAclId,
  Perms,
  parseIp,
  permName,
} from "../../../server/tree/acl-check.js";
import { digestId } from "../../../server/tree/sha1.js";

// acl-check.ts edge by edge (found by mutation testing, docs/TESTING.md): the permission names
// NoAuth messages show, who counts as super, entries that grant nothing, and the IP parser byte by byte.

const SUPER = digestId("super", "secret");
const acl = (scheme: string, id: string, perms: number = Perms.ALL) => [{ perms, id: { scheme, id } }];

describe("permName (the permission a NoAuth message names)", () => {
  it("names each bit in order, never ALL, and NONE for no bit", () => {
    expect(permName(Perms.READ)).toBe("READ");
    expect(permName(Perms.WRITE)).toBe("WRITE");
    expect(permName(Perms.READ | Perms.ADMIN)).toBe("READ|ADMIN");
    expect(permName(Perms.ALL)).toBe("READ|WRITE|CREATE|DELETE|ADMIN");
    expect(permName(0)).toBe("NONE");
  });
});

describe("isSuper", () => {
  it("a super id, or exactly the superDigest as a digest id", () => {
    expect(isSuper([{ scheme: "super", id: "" }])).toBe(true);
    expect(isSuper([{ scheme: "digest", id: SUPER }], SUPER)).toBe(true);
    expect(isSuper([{ scheme: "digest", id: SUPER }])).toBe(false);
    expect(isSuper([{ scheme: "digest", id: digestId("bob", "pw") }], SUPER)).toBe(false);
    expect(isSuper([{ scheme: "ip", id: SUPER }], SUPER)).toBe(false);
    expect(isSuper([], SUPER)).toBe(false);
  });
});

describe("checkAcl: entries that grant nothing", () => {
  const bob = [{ scheme: "digest", id: digestId("bob", "pw") }];
  it("an entry without id, world with another id, anyone under another scheme, another digest", () => {
    expect(checkAcl([{ perms: Perms.ALL, id: undefined }], Perms.READ, bob)).toBe(false);
    expect(checkAcl(acl("world", "nobody"), Perms.READ, bob)).toBe(false);
    expect(checkAcl(acl("digest", "anyone"), Perms.READ, bob)).toBe(false);
    expect(checkAcl(acl("digest", digestId("alice", "pw")), Perms.READ, bob)).toBe(false);
    expect(checkAcl(acl("digest", digestId("alice", "pw")), Perms.READ, bob, SUPER)).toBe(false);
    expect(checkAcl(acl("digest", digestId("bob", "pw"), Perms.READ), Perms.WRITE, bob)).toBe(false);
  });

  it("sasl: an equal id, or the SASL user super for any sasl entry", () => {
    expect(checkAcl(acl("sasl", "alice"), Perms.READ, [{ scheme: "sasl", id: "alice" }])).toBe(true);
    expect(checkAcl(acl("sasl", "alice"), Perms.READ, [{ scheme: "sasl", id: "bob" }])).toBe(false);
    expect(checkAcl(acl("sasl", "alice"), Perms.READ, [{ scheme: "sasl", id: "super" }])).toBe(true);
    expect(checkAcl(acl("digest", "super"), Perms.READ, [{ scheme: "digest", id: "bob" }])).toBe(false);
    // Only under sasl: a digest or ip id "super" is nobody special.
    expect(checkAcl(acl("digest", "alice:x"), Perms.READ, [{ scheme: "digest", id: "super" }])).toBe(false);
  });
});

describe("isValidAclId (ZooKeeper's providers)", () => {
  it("digest: user:hash, as Java's split counts parts", () => {
    for (const id of ["a:b", ":b", "a:b::"]) expect(isValidAclId("digest", id), id).toBe(true);
    for (const id of ["a:", "a:b:c", "", ":", "ab"]) expect(isValidAclId("digest", id), id).toBe(false);
  });

  it("x509 takes a distinguished name; an unknown scheme (and auth) is invalid", () => {
    expect(isValidAclId("x509", "CN=client,O=Paddock")).toBe(true);
    expect(isValidAclId("x509", "not a name")).toBe(false);
    expect(isValidAclId("auth", "")).toBe(false);
    expect(isValidAclId("foo", "bar")).toBe(false);
  });

  it("ip: an address with an optional prefix length as Java's parseInt reads it", () => {
    for (const id of ["10.0.0.0/8", "10.0.0.0/+8", "10.0.0.0/0", "10.0.0.0/32", "255.255.255.255", "::/0"]) {
      expect(isValidAclId("ip", id), id).toBe(true);
    }
    for (const id of [
      "10.0.0.0/33",
      "10.0.0.0/-1",
      "10.0.0.0/abc",
      "10.0.0.0/x8",
      "10.0.0.0/8x",
      "10.0.0.0/",
      "1.2.3.4.5",
      "1.2.3.a1",
      "1.2.3.4a",
      "1.2.3.256",
      "/8",
    ]) {
      expect(isValidAclId("ip", id), id).toBe(false);
    }
  });
});

describe("parseIp, byte by byte", () => {
  const bytes = (text: string) => {
    const out = parseIp(text);
    return out === undefined ? undefined : [...out];
  };
  const v6 = (...groups: number[]) => groups.flatMap((g) => [g >> 8, g & 0xff]);

  it("IPv4", () => {
    expect(bytes("10.1.2.255")).toEqual([10, 1, 2, 255]);
    expect(bytes("1.2.3")).toBeUndefined();
  });

  it("IPv6: full, compressed at either end or inside, embedded IPv4, zone", () => {
    expect(bytes("1:2:3:4:5:6:7:8")).toEqual(v6(1, 2, 3, 4, 5, 6, 7, 8));
    expect(bytes("fe80::1:2")).toEqual(v6(0xfe80, 0, 0, 0, 0, 0, 1, 2));
    expect(bytes("::1")).toEqual(v6(0, 0, 0, 0, 0, 0, 0, 1));
    expect(bytes("fe80::")).toEqual(v6(0xfe80, 0, 0, 0, 0, 0, 0, 0));
    expect(bytes("::")).toEqual(v6(0, 0, 0, 0, 0, 0, 0, 0));
    expect(bytes("1:2:3:4:5:6:7::")).toEqual(v6(1, 2, 3, 4, 5, 6, 7, 0));
    expect(bytes("1:2:3:4:5:6::8")).toEqual(v6(1, 2, 3, 4, 5, 6, 0, 8));
    expect(bytes("::ffff:1.2.3.4")).toEqual(v6(0, 0, 0, 0, 0, 0xffff, 0x102, 0x304));
    expect(bytes("1:2:3:4:5:6:1.2.3.4")).toEqual(v6(1, 2, 3, 4, 5, 6, 0x102, 0x304));
    expect(bytes("fe80::abcd%eth0")).toEqual(v6(0xfe80, 0, 0, 0, 0, 0, 0, 0xabcd));
  });

  it("IPv6: refuses a second ::, too many or too few groups, bad groups, a bad embedded IPv4", () => {
    for (const text of [
      "1::2::3",
      "1:2:3:4:5:6:7:8::::",
      "1:2:3:4:5:6:7:8:9",
      "1:2:3:4:5:6:7",
      "1:2:3:4:5:6:7:8::",
      "1::2:3:4:5:6:7:8",
      "12345::",
      "g::1",
      "1::g",
      "::x1",
      "::1x",
      "::1.2.3",
      "1.2.3.4:1::",
    ]) {
      expect(bytes(text), text).toBeUndefined();
    }
  });
});

describe("ipMatches", () => {
  it("compares the whole address without a prefix, the prefix bits with one", () => {
    expect(ipMatches("10.1.2.3", "10.1.2.3")).toBe(true);
    expect(ipMatches("10.1.2.3", "10.1.2.4")).toBe(false);
    expect(ipMatches("138.1.2.3", "10.1.2.3")).toBe(false);
    expect(ipMatches("10.1.2.3", "10.1.0.0/17")).toBe(true);
    expect(ipMatches("10.1.128.3", "10.1.0.0/17")).toBe(false);
    expect(ipMatches("fe80::1", "fe81::/16")).toBe(false);
    expect(ipMatches("fe80::1:2", "fe80::1:2")).toBe(true);
    expect(ipMatches("fe80::1:3", "fe80::1:2")).toBe(false);
    expect(ipMatches("fe80::1%eth0", "fe80::/64")).toBe(true);
  });

  it("never matches an unparsable address or ACL", () => {
    expect(ipMatches("10.1.2.3", "bogus")).toBe(false);
    expect(ipMatches("bogus", "10.0.0.0/8")).toBe(false);
    expect(ipMatches("10.1.2.3", "10.0.0.0/abc")).toBe(false);
  });
});
