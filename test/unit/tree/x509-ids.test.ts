import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { x509Ids } from "../../../server/tree/x509-ids.js";

// The identities a client certificate gives a connection, judged in the tree's own folder (the
// subject's printing is pinned against Java in test/unit/util/x500-name.test.ts). A real
// certificate made by openssl; an EC key, as it is made in milliseconds.

describe("x509Ids", () => {
  it("x509:<DN> always; super:<DN> only when the DN equals the configured super user exactly", () => {
    const dir = mkdtempSync(join(tmpdir(), "paddock-x509-ids-"));
    const key = join(dir, "k.pem");
    const cert = join(dir, "c.pem");
    execFileSync("openssl", ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key]);
    execFileSync("openssl", [
      "req",
      "-new",
      "-x509",
      "-key",
      key,
      "-out",
      cert,
      "-days",
      "1",
      "-subj",
      "/O=Paddock/CN=admin",
    ]);
    const der = new X509Certificate(readFileSync(cert)).raw;
    const dn = "CN=admin,O=Paddock";
    expect(x509Ids(der, undefined)).toEqual([{ scheme: "x509", id: dn }]);
    for (const other of ["", "CN=admin", "cn=admin,o=paddock", "CN=admin, O=Paddock", `${dn} `]) {
      expect([other, x509Ids(der, other)]).toEqual([other, [{ scheme: "x509", id: dn }]]);
    }
    expect(x509Ids(der, dn)).toEqual([
      { scheme: "x509", id: dn },
      { scheme: "super", id: dn },
    ]);
  }, 30_000);
});
