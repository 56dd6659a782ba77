import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isValidAclId } from "../../../server/tree/acl-check.js";
import { x509Ids } from "../../../server/tree/x509-ids.js";
import { isDistinguishedName, subjectDn } from "../../../server/util/x500-name.js";

// The x509 scheme's id is Java's X500Principal.getName() (RFC 2253) of the client certificate's
// subject, as ZooKeeper's X509AuthenticationProvider uses it. Certificates with awkward subjects are
// made with openssl and read by Java itself; our reading of the DER must print the same text.

const subjects = [
  "/CN=client/O=Paddock",
  '/C=US/ST=CA/L=SF/O=Pad, Inc./OU=ops+CN=x/CN=a\\+b;c<d>e"f\\\\g',
  "/CN= lead and trail /emailAddress=a@b.c/DC=example/DC=com/UID=u1",
  "/CN=#hash=eq/serialNumber=123/street=Main St",
  "/CN=ünï cödé/O=é",
];

const javaProgram = `
import java.io.FileInputStream;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
public class Dn {
  public static void main(String[] args) throws Exception {
    CertificateFactory f = CertificateFactory.getInstance("X.509");
    for (String a : args) {
      try (FileInputStream in = new FileInputStream(a)) {
        X509Certificate c = (X509Certificate) f.generateCertificate(in);
        System.out.println(c.getSubjectX500Principal().getName());
      }
    }
  }
}
`;

describe("subjectDn", () => {
  it("prints a certificate's subject exactly as Java's X500Principal.getName() does", () => {
    const dir = mkdtempSync(join(tmpdir(), "paddock-dn-"));
    execFileSync("openssl", ["genrsa", "-out", "k.pem", "2048"], { cwd: dir, stdio: "ignore" });
    const files = subjects.map((subject, i) => {
      const file = join(dir, `c${i}.pem`);
      execFileSync(
        "openssl",
        [
          "req",
          "-new",
          "-x509",
          "-key",
          "k.pem",
          "-out",
          file,
          "-days",
          "1",
          "-utf8",
          "-multivalue-rdn",
          "-subj",
          subject,
        ],
        { cwd: dir, stdio: "ignore" },
      );
      return file;
    });
    writeFileSync(join(dir, "Dn.java"), javaProgram);
    const java = execFileSync("java", [join(dir, "Dn.java"), ...files], { encoding: "utf8" })
      .trimEnd()
      .split("\n");
    const ours = files.map((file) => subjectDn(new X509Certificate(readFileSync(file)).raw));
    expect(ours).toEqual(java);
    // Spelled out, so a reader sees the format (Java's output above is the authority).
    expect(ours[0]).toBe("O=Paddock,CN=client");
    expect(ours[3]).toBe("STREET=Main St,2.5.4.5=#1303313233,CN=\\#hash\\=eq");
  }, 60_000);

  it("throws on bytes that are not a certificate, never reading past them", () => {
    expect(() => subjectDn(new Uint8Array([0x30, 0x05, 0x30]))).toThrow(RangeError);
    expect(() => subjectDn(new Uint8Array([0x04, 0x00]))).toThrow(RangeError);
  });
});

describe("the x509 scheme", () => {
  it("accepts as an ACL id what reads as a distinguished name (X509AuthenticationProvider.isValid)", () => {
    for (const dn of [
      "CN=client",
      "CN=client,O=Paddock",
      "CN=a\\,b, O=x",
      "CN=x+OU=y",
      "2.5.4.3=x",
      "OID.2.5.4.3=x",
    ]) {
      expect([dn, isDistinguishedName(dn)]).toEqual([dn, true]);
      expect(isValidAclId("x509", dn)).toBe(true);
    }
    for (const bad of ["", "nonsense", "=x", "CN=x,", "CN=a\\", 'CN="open']) {
      expect([bad, isDistinguishedName(bad)]).toEqual([bad, false]);
    }
  });

  it("gives a certificate its x509 id, and super too when its DN is the super user's", () => {
    const dir = mkdtempSync(join(tmpdir(), "paddock-dn-"));
    execFileSync("openssl", ["genrsa", "-out", "k.pem", "2048"], { cwd: dir, stdio: "ignore" });
    execFileSync(
      "openssl",
      [
        "req",
        "-new",
        "-x509",
        "-key",
        "k.pem",
        "-out",
        "c.pem",
        "-days",
        "1",
        "-subj",
        "/O=Paddock/CN=admin",
      ],
      { cwd: dir, stdio: "ignore" },
    );
    const der = new X509Certificate(readFileSync(join(dir, "c.pem"))).raw;
    expect(x509Ids(der, undefined)).toEqual([{ scheme: "x509", id: "CN=admin,O=Paddock" }]);
    expect(x509Ids(der, "CN=other")).toEqual([{ scheme: "x509", id: "CN=admin,O=Paddock" }]);
    expect(x509Ids(der, "CN=admin,O=Paddock")).toEqual([
      { scheme: "x509", id: "CN=admin,O=Paddock" },
      { scheme: "super", id: "CN=admin,O=Paddock" },
    ]);
  }, 30_000);
});
