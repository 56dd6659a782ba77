import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { repoRoot, runProcess } from "../../support/run-process.js";

// The identity scenarios' runners, for the identity and enforce-auth differential tests:
// test/clients/zk/java/Identity.java on ZooKeeper's own Java client (Debian's 3.8 jars), and
// test/clients/zk/python/sasl.py on kazoo.

const javaClasspath = [
  "zookeeper",
  "zookeeper-jute",
  "slf4j-api",
  "slf4j-nop",
  "jackson-databind",
  "jackson-core",
  "jackson-annotations",
]
  .map((j) => `/usr/share/java/${j}.jar`)
  .join(":");

/** A scratch directory for JAAS files. */
export const identityDir = mkdtempSync(join(tmpdir(), "paddock-identity-"));

/** A JAAS file whose Client section logs in as user with password (DIGEST-MD5). */
export function clientJaas(user: string, password: string): string {
  const file = join(identityDir, `client-${user}-${password}.jaas`);
  writeFileSync(
    file,
    `Client {\n  org.apache.zookeeper.server.auth.DigestLoginModule required\n  username="${user}"\n  password="${password}";\n};\n`,
  );
  return file;
}

/** One Java client run of Identity.java; its lines (a failure's output says why). */
export async function identity(
  mode: string,
  address: string,
  root: string,
  jaas?: string,
  ...extra: string[]
): Promise<string[]> {
  const flags = jaas === undefined ? [] : [`-Djava.security.auth.login.config=${jaas}`];
  const r = await runProcess("java", [
    ...flags,
    "-cp",
    javaClasspath,
    join(repoRoot, "test/clients/zk/java/Identity.java"),
    mode,
    address,
    root,
    ...extra,
  ]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.split("\n").filter((l) => l !== "");
}

/** One kazoo run of sasl.py (pure-sasl); its JSON lines. */
export async function kazooSasl(
  address: string,
  root: string,
  mechanism: string,
  user: string,
  password: string,
): Promise<string[]> {
  const python = join(repoRoot, ".cache/kazoo-venv/bin/python");
  const script = join(repoRoot, "test/clients/zk/python/sasl.py");
  const r = await runProcess(python, [script, address, root, mechanism, user, password]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.split("\n").filter((l) => l.startsWith("{"));
}
