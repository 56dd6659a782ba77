import { describe, expect, it } from "vitest";
import { DigestMd5Server, parseDirectives, SaslError } from "../../../server/jute/sasl-digest-md5.js";

// Known answers from an independent client: pure-sasl 0.6.2 (kazoo's), with cnonce "123456789" and
// the nonce of 24 zero bytes; it accepted the rspauth below and refused it with one digit changed.
const NONCE = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
const response = (over: Record<string, string> = {}): Buffer => {
  const d: Record<string, string> = {
    qop: "auth",
    realm: '"zk-sasl-md5"',
    username: '"bob"',
    nonce: `"${NONCE}"`,
    cnonce: '"123456789"',
    nc: "00000001",
    "digest-uri": '"zookeeper/zk-sasl-md5"',
    response: "a5f1b494c64a617536ea6a83c238e487",
    ...over,
  };
  return Buffer.from(
    Object.entries(d)
      .map(([k, v]) => `${k}=${v}`)
      .join(","),
  );
};

function server(): DigestMd5Server {
  const s = new DigestMd5Server({
    password: (user) => (user === "bob" ? "bobpw" : undefined),
    random: (size) => new Uint8Array(size),
  });
  expect(s.evaluate(new Uint8Array()).toString()).toBe(
    `realm="zk-sasl-md5",nonce="${NONCE}",qop="auth",charset=utf-8,algorithm=md5-sess`,
  );
  return s;
}

describe("DIGEST-MD5 server (RFC 2831, as ZooKeeper runs Java's)", () => {
  it("challenges, checks pure-sasl's response and answers its rspauth; the user is the identity", () => {
    const s = server();
    expect(s.complete).toBe(false);
    expect(s.evaluate(response()).toString()).toBe("rspauth=d6f737efd432efd570926cebbb35452b");
    expect(s.complete).toBe(true);
    expect(s.authorizationId).toBe("bob");
    expect(() => s.evaluate(new Uint8Array())).toThrow(SaslError);
  });

  it("ignores an initial response, as Java's DigestMD5Server does", () => {
    const s = new DigestMd5Server({ password: () => "x", random: (n) => new Uint8Array(n) });
    expect(s.evaluate(Buffer.from("\0bob\0bobpw")).toString()).toContain(`nonce="${NONCE}"`);
  });

  it.each([
    ["a wrong password (response)", { response: "a5f1b494c64a617536ea6a83c238e488" }, "wrong password"],
    ["an unknown user", { username: '"carol"' }, "unknown user"],
    ["another nonce", { nonce: '"BBBB"' }, "nonce mismatch"],
    ["a nonce count other than 1", { nc: "00000002" }, "nonce count"],
    ["another digest-uri", { "digest-uri": '"zookeeper/localhost"' }, "digest-uri"],
    ["qop auth-int", { qop: "auth-int" }, "qop"],
    ["another realm", { realm: '"elsewhere"' }, "realm"],
    ["charset latin1", { charset: "iso-8859-1" }, "charset"],
  ])("refuses %s", (_name, over, message) => {
    const s = server();
    expect(() => s.evaluate(response(over))).toThrow(message);
    expect(s.complete).toBe(false);
  });

  it("parses quoted values with escapes and refuses a repeated directive", () => {
    expect(parseDirectives(' a="x\\"y", b=tok ,c=""')).toEqual(
      new Map([
        ["a", 'x"y'],
        ["b", "tok"],
        ["c", ""],
      ]),
    );
    expect(() => parseDirectives("a=1,a=2")).toThrow(SaslError);
    expect(() => parseDirectives('a="open')).toThrow(SaslError);
  });
});
