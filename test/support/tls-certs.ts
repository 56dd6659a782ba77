import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Test certificates made with `openssl` into a fresh temporary directory (no key is committed):
 * a CA, a server certificate for 127.0.0.1/localhost, client certificates signed by the CA, and a
 * second CA with its own client (one the server's trust store does not know).
 */
export interface TestPki {
  readonly dir: string;
  /** PEM files. */
  readonly caCert: string;
  readonly serverKey: string;
  readonly serverCert: string;
  /** ZooKeeper's PEM key store: the private key and the certificate chain in one file. */
  readonly serverPem: string;
  /** PKCS12 key store of the server (password `storepass`). */
  readonly serverP12: string;
  /** PKCS12 trust store holding the CA, written by Java's keytool (password `storepass`). */
  readonly trustP12: string;
  readonly password: string;
  /** Makes (or remakes) a client certificate signed by the CA (or by the other CA). */
  client(name: string, subject: string, options?: { untrusted?: boolean }): TestClientCert;
  /**
   * Makes a new server certificate with this subject, signed by the CA (or by the other CA), for
   * 127.0.0.1 and localhost (or the subjectAltName `san`, e.g. "DNS:elsewhere.example").
   */
  server(
    name: string,
    subject: string,
    options?: { untrusted?: boolean; san?: string },
  ): { key: string; cert: string; pem: string; p12: string };
}

export interface TestClientCert {
  readonly key: string;
  readonly cert: string;
  /** PKCS12 key store of the client (password `storepass`), for Java. */
  readonly p12: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

function makeCa(dir: string, name: string, subject: string): void {
  openssl(dir, ["genrsa", "-out", `${name}.key`, "2048"]);
  openssl(dir, [
    "req",
    "-new",
    "-x509",
    "-days",
    "2",
    "-key",
    `${name}.key`,
    "-out",
    `${name}.crt`,
    "-subj",
    subject,
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
}

function makeLeaf(dir: string, ca: string, name: string, subject: string, extensions: string): void {
  openssl(dir, ["genrsa", "-out", `${name}.key`, "2048"]);
  openssl(dir, ["req", "-new", "-key", `${name}.key`, "-out", `${name}.csr`, "-subj", subject, "-utf8"]);
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl(dir, [
    "x509",
    "-req",
    "-days",
    "2",
    "-in",
    `${name}.csr`,
    "-CA",
    `${ca}.crt`,
    "-CAkey",
    `${ca}.key`,
    "-CAcreateserial",
    "-out",
    `${name}.crt`,
    "-extfile",
    `${name}.ext`,
  ]);
  writeFileSync(
    join(dir, `${name}.pem`),
    readFileSync(join(dir, `${name}.key`), "utf8") +
      readFileSync(join(dir, `${name}.crt`), "utf8") +
      readFileSync(join(dir, `${ca}.crt`), "utf8"),
  );
  openssl(dir, [
    "pkcs12",
    "-export",
    "-in",
    `${name}.crt`,
    "-inkey",
    `${name}.key`,
    "-certfile",
    `${ca}.crt`,
    "-name",
    name,
    "-out",
    `${name}.p12`,
    "-passout",
    "pass:storepass",
  ]);
}

const serverExtensions =
  "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n";
const clientExtensions =
  "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n";

export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), "paddock-pki-"));
  makeCa(dir, "ca", "/CN=Paddock Test CA/O=Paddock");
  makeCa(dir, "other-ca", "/CN=Other CA/O=Elsewhere");
  const server = (name: string, subject: string, options: { untrusted?: boolean; san?: string } = {}) => {
    const extensions =
      options.san === undefined
        ? serverExtensions
        : serverExtensions.replace(/subjectAltName=.*/, `subjectAltName=${options.san}`);
    makeLeaf(dir, options.untrusted ? "other-ca" : "ca", name, subject, extensions);
    return {
      key: join(dir, `${name}.key`),
      cert: join(dir, `${name}.crt`),
      pem: join(dir, `${name}.pem`),
      p12: join(dir, `${name}.p12`),
    };
  };
  const first = server("server", "/CN=paddock-server/O=Paddock");
  execFileSync(
    "keytool",
    [
      "-importcert",
      "-noprompt",
      "-alias",
      "ca",
      "-file",
      join(dir, "ca.crt"),
      "-keystore",
      join(dir, "trust.p12"),
      "-storetype",
      "PKCS12",
      "-storepass",
      "storepass",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  return {
    dir,
    caCert: join(dir, "ca.crt"),
    serverKey: first.key,
    serverCert: first.cert,
    serverPem: first.pem,
    serverP12: first.p12,
    trustP12: join(dir, "trust.p12"),
    password: "storepass",
    client(name, subject, options = {}) {
      makeLeaf(dir, options.untrusted ? "other-ca" : "ca", name, subject, clientExtensions);
      return { key: join(dir, `${name}.key`), cert: join(dir, `${name}.crt`), p12: join(dir, `${name}.p12`) };
    },
    server,
  };
}
