import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerHandle, startServer } from "../../support/launcher.js";
import type { ProcessResult } from "../../support/run-process.js";
import { requireZooKeeper, startZooKeeper, type ZooKeeperHandle, zkCli } from "../../support/zookeeper.js";
import { clientJaas, identity, identityDir, kazooSasl as kazoo } from "./identity-runners.js";

// Identity against real ZooKeeper, through real clients (docs/SECURITY.md):
// - what a watcher without READ receives: ZooKeeper 3.9.5 (the CVE-2024-23944 filter; Debian's 3.8.0
//   predates it) and Paddock, ZooKeeper's Java client (test/clients/zk/java/Identity.java);
// - SASL DIGEST-MD5 with JAAS files: ZooKeeper 3.8 and Paddock, the Java client and kazoo;
// - skipACL and superDigest (zoo.cfg and -D forms): ZooKeeper 3.8 and Paddock, zkCli.sh.
// Outputs must be equal. No skip: a missing reference fails beforeAll saying what to install.

/** super:secret, as DigestAuthenticationProvider.generateDigest makes it. */
const SUPER_DIGEST = "super:lK75jTNcA+U9vtVEw5vB51mj/w4=";
const serverJaas = join(identityDir, "server.jaas");

describe("watch events need READ on the node (ZooKeeper 3.9.5, CVE-2024-23944)", () => {
  let paddock: ServerHandle;
  let zookeeper: ZooKeeperHandle;
  beforeAll(async () => {
    requireZooKeeper();
    [paddock, zookeeper] = await Promise.all([startServer(), startZooKeeper({ version: "3.9" })]);
  }, 90_000);
  afterAll(async () => {
    await Promise.all([paddock?.stop(), zookeeper?.stop()]);
  });

  it("a watcher without READ learns nothing of a node's changes; its identities when the event fires decide", async () => {
    const [z, p] = await Promise.all([
      identity("watch", zookeeper.address, "/w"),
      identity("watch", paddock.juteAddress, "/w"),
    ]);
    expect(p).toEqual(z);
    // What ZooKeeper 3.9.5 answered, pinned: only events on readable nodes (the event's own node,
    // the parent for NodeChildrenChanged); a one-time watch filtered once is spent; after addauth
    // the recursive watch delivers the secret node's change.
    expect(z.filter((l) => l.includes(" event "))).toEqual([
      "without READ: watcher event NodeDataChanged /rec/open",
      "without READ: watcher event NodeChildrenChanged /rec",
      "without READ: watcher event NodeCreated /rec/closed/kid",
      "with READ: watcher event NodeDataChanged /rec/secret",
      "with READ: watcher event NodeDeleted /rec/closed/kid",
    ]);
  }, 60_000);

  it("kazoo's SASL against a server without a JAAS file: the exchange fails, AuthFailed", async () => {
    const [z, p] = await Promise.all([
      kazoo(zookeeper.address, "/n", "DIGEST-MD5", "bob", "bobpw"),
      kazoo(paddock.juteAddress, "/n", "DIGEST-MD5", "bob", "bobpw"),
    ]);
    expect(p).toEqual(z);
    expect(z).toEqual(['{"step": "ensure root", "err": "AuthFailedError"}']);
  }, 60_000);
});

describe("SASL DIGEST-MD5 on the ZooKeeper port (ZooKeeper 3.8, same JAAS files)", () => {
  let paddock: ServerHandle;
  let zookeeper: ZooKeeperHandle;
  beforeAll(async () => {
    requireZooKeeper();
    writeFileSync(
      serverJaas,
      [
        "// the users of both servers",
        "Server {",
        "  org.apache.zookeeper.server.auth.DigestLoginModule required",
        '  user_bob="bobpw"',
        '  user_alice="alicepw"',
        '  user_admin="adminpw";',
        "};",
        "",
      ].join("\n"),
    );
    [paddock, zookeeper] = await Promise.all([
      startServer({ settings: { "java.security.auth.login.config": serverJaas, superUser: "admin" } }),
      startZooKeeper({
        jvmFlags: [`-Djava.security.auth.login.config=${serverJaas}`, "-Dzookeeper.superUser=admin"],
        extraConfig: ["authProvider.1=org.apache.zookeeper.server.auth.SASLAuthenticationProvider"],
      }),
    ]);
  }, 90_000);
  afterAll(async () => {
    await Promise.all([paddock?.stop(), zookeeper?.stop()]);
  });

  it("Java client: whoami, a sasl:bob ACL only bob (and the super user) reads, a wrong password", async () => {
    const runs: [string, string | undefined][] = [
      ["bob", clientJaas("bob", "bobpw")],
      ["alice", clientJaas("alice", "alicepw")],
      ["admin", clientJaas("admin", "adminpw")],
      ["wrong password", clientJaas("bob", "wrong")],
      ["unknown user", clientJaas("carol", "x")],
      ["no SASL", undefined],
    ];
    const out: Record<string, { z: string[]; p: string[] }> = {};
    for (const [name, jaas] of runs) {
      const [z, p] = await Promise.all([
        identity("sasl", zookeeper.address, "/s", jaas),
        identity("sasl", paddock.juteAddress, "/s", jaas),
      ]);
      out[name] = { z, p };
    }
    for (const [name, { z, p }] of Object.entries(out)) expect(p, name).toEqual(z);
    // Pinned from ZooKeeper 3.8.
    expect(out.bob!.z.slice(0, 3)).toEqual([
      "client state SyncConnected",
      "client state SaslAuthenticated",
      "whoami -> ok [ip:ADDR, sasl:bob]",
    ]);
    expect(out.alice!.z).toContain("getData /bob -> err NOAUTH");
    expect(out.admin!.z).toContain("whoami -> ok [ip:ADDR, sasl:admin, super:]");
    expect(out.admin!.z).toContain("getData /bob -> ok b");
    expect(out["wrong password"]!.z.slice(0, 2)).toEqual([
      "client state SyncConnected",
      "client state AuthFailed",
    ]);
    expect(out["wrong password"]!.z).toContain("getData /bob -> err AUTHFAILED");
    expect(out["unknown user"]!.z).toContain("getData /bob -> err AUTHFAILED");
  }, 120_000);

  it("kazoo (pure-sasl): DIGEST-MD5 users, a wrong password, and PLAIN (the server runs DIGEST-MD5 regardless)", async () => {
    const runs: [string, string, string][] = [
      ["DIGEST-MD5", "bob", "bobpw"],
      ["DIGEST-MD5", "alice", "alicepw"],
      ["DIGEST-MD5", "admin", "adminpw"],
      ["DIGEST-MD5", "bob", "wrong"],
      // The server runs DIGEST-MD5 whatever the client names: PLAIN's one token is taken as the
      // initial response (ignored), the client counts itself done, the session holds no identity.
      ["PLAIN", "bob", "bobpw"],
    ];
    const out: Record<string, { z: string[]; p: string[] }> = {};
    for (const [mechanism, user, password] of runs) {
      const [z, p] = await Promise.all([
        kazoo(zookeeper.address, "/k", mechanism, user, password),
        kazoo(paddock.juteAddress, "/k", mechanism, user, password),
      ]);
      out[`${mechanism} ${user} ${password}`] = { z, p };
    }
    for (const [name, { z, p }] of Object.entries(out)) expect(p, name).toEqual(z);
    expect(out["DIGEST-MD5 bob wrong"]!.z).toEqual(['{"step": "ensure root", "err": "AuthFailedError"}']);
    expect(out["PLAIN bob bobpw"]!.z).toContain('{"step": "get kazoo-bob", "err": "NoAuthError"}');
    expect(out["DIGEST-MD5 admin adminpw"]!.z).toContain('{"step": "get kazoo-bob", "ok": "k"}');
  }, 120_000);
});

/** zkCli.sh output without banners, logging and times (as test/e2e/differential-zkcli.test.ts). */
function answers(r: ProcessResult): string[] {
  return `${r.stdout}\n${r.stderr}`
    .split("\n")
    .filter(
      (l) =>
        l !== "" &&
        !/^(Connecting to |Welcome to ZooKeeper|JLine support|WATCHER::|WatchedEvent |SLF4J:|ZooKeeper -server |\t)/.test(
          l,
        ) &&
        !/^[cm]time = /.test(l),
    )
    .map((l) => l.replace(/^([cmp]Zxid) = 0x[0-9a-f]+$/, "$1 = 0xZ").replace(/ip: [0-9.]+/, "ip: ADDR"));
}

async function cliBoth(
  zookeeper: ZooKeeperHandle,
  paddock: ServerHandle,
  lines: string[],
): Promise<string[]> {
  const script = `${lines.join("\n")}\n`;
  const [z, p] = await Promise.all([zookeeper.cli(script), zkCli(paddock.juteAddress, script)]);
  expect(answers(p)).toEqual(answers(z));
  return answers(z);
}

const OWNER = ["addauth digest alice:pw", "create /acl d auth::cdrwa", "create /acl/kid k auth::cdrwa"];
const STRANGER = ["whoami", "get /acl", "set /acl e", "getAcl /acl", "delete /acl/kid", "ls /acl"];
const SUPER = ["addauth digest super:secret", ...STRANGER];
const SUPER_ANSWERS = [
  "Auth scheme: User",
  "super: ",
  "digest: super",
  "ip: ADDR",
  "d",
  "'digest,'alice:V55/p2T0OpjQ+low3NVAH4aLvm0=",
  ": cdrwa",
  "[]",
];

describe("skipACL and superDigest (ZooKeeper 3.8, zkCli.sh)", () => {
  const servers: { paddock: ServerHandle; zookeeper: ZooKeeperHandle }[] = [];
  async function pair(settings: Record<string, string>, jvmFlags: string[] = []) {
    const [paddock, zookeeper] = await Promise.all([
      startServer({ settings }),
      startZooKeeper({ extraConfig: Object.entries(settings).map(([k, v]) => `${k}=${v}`), jvmFlags }),
    ]);
    servers.push({ paddock, zookeeper });
    return { paddock, zookeeper };
  }
  afterAll(async () => {
    await Promise.all(servers.flatMap((s) => [s.paddock.stop(), s.zookeeper.stop()]));
  });

  it("skipACL=yes: every ACL check passes; getAcl shows digests unredacted", async () => {
    const { paddock, zookeeper } = await pair({ skipACL: "yes" });
    await cliBoth(zookeeper, paddock, OWNER);
    // Pinned from ZooKeeper 3.8: no identity but ip, and every operation passes.
    expect(await cliBoth(zookeeper, paddock, STRANGER)).toEqual([
      "Auth scheme: User",
      "ip: ADDR",
      "d",
      "'digest,'alice:V55/p2T0OpjQ+low3NVAH4aLvm0=",
      ": cdrwa",
      "[]",
    ]);
  }, 90_000);

  it("DigestAuthenticationProvider.superDigest in zoo.cfg: addauth digest super:<pw> holds super", async () => {
    const { paddock, zookeeper } = await pair({ "DigestAuthenticationProvider.superDigest": SUPER_DIGEST });
    await cliBoth(zookeeper, paddock, OWNER);
    const stranger = await cliBoth(zookeeper, paddock, STRANGER);
    expect(stranger).toContain("Insufficient permission : /acl");
    // Pinned from ZooKeeper 3.8: the super id comes first in whoami, then the digest one.
    expect(await cliBoth(zookeeper, paddock, SUPER)).toEqual(SUPER_ANSWERS);
  }, 90_000);

  it("-Dzookeeper.DigestAuthenticationProvider.superDigest (the zookeeper.-prefixed key in Paddock's zoo.cfg)", async () => {
    const key = "zookeeper.DigestAuthenticationProvider.superDigest";
    const [paddock, zookeeper] = await Promise.all([
      startServer({ settings: { [key]: SUPER_DIGEST } }),
      startZooKeeper({ jvmFlags: [`-D${key}=${SUPER_DIGEST}`] }),
    ]);
    servers.push({ paddock, zookeeper });
    await cliBoth(zookeeper, paddock, OWNER);
    expect(await cliBoth(zookeeper, paddock, SUPER)).toEqual(SUPER_ANSWERS);
  }, 90_000);
});
