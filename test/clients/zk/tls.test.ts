import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerHandle, startServer } from "../../support/launcher.js";
import { repoRoot, runProcess } from "../../support/run-process.js";
import { makeTestPki, type TestClientCert, type TestPki } from "../../support/tls-certs.js";
import { freePort, requireZooKeeper, startZooKeeper, type ZooKeeperHandle } from "../../support/zookeeper.js";

// Real ZooKeeper clients over TLS with client certificates, against Paddock's secureClientPort and
// against Apache ZooKeeper 3.8's (NettyServerCnxnFactory, X509AuthenticationProvider) with the same
// stores: ZooKeeper's own Java client (ZooKeeperMain, the zkCli shell, on ClientCnxnSocketNetty) and
// kazoo (use_ssl). Outputs must be equal: the x509 identity, ACLs on it, the super user by certificate.

let pki: TestPki;
let paddock: ServerHandle;
let zookeeper: ZooKeeperHandle;
let zookeeperSecure: string;
const certs: Record<string, TestClientCert> = {};

const python = join(repoRoot, ".cache/kazoo-venv/bin/python");

beforeAll(async () => {
  requireZooKeeper();
  pki = makeTestPki();
  // zkCli's ACL parser splits on ",": its certificates have one-RDN subjects.
  certs.owner = pki.client("zkowner", "/CN=zkowner");
  certs.other = pki.client("zkother", "/CN=zkother");
  certs.admin = pki.client("zkadmin", "/CN=zkadmin");
  certs.kazoo = pki.client("kazoo", "/O=Paddock/OU=clients/CN=kazoo");
  certs.kazooOther = pki.client("kazoo-other", "/O=Paddock/CN=kazoo-other");
  const ssl = {
    "ssl.keyStore.location": pki.serverP12,
    "ssl.keyStore.password": pki.password,
    "ssl.trustStore.location": pki.trustP12,
    "ssl.trustStore.password": pki.password,
    "X509AuthenticationProvider.superUser": "CN=zkadmin",
  };
  const securePort = await freePort();
  zookeeperSecure = `127.0.0.1:${securePort}`;
  [paddock, zookeeper] = await Promise.all([
    startServer({ settings: { secureClientPort: 0, ...ssl } }),
    startZooKeeper({
      extraConfig: [
        `secureClientPort=${securePort}`,
        "serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory",
        "authProvider.x509=org.apache.zookeeper.server.auth.X509AuthenticationProvider",
        ...Object.entries(ssl).map(([k, v]) => `${k}=${v}`),
      ],
    }),
  ]);
}, 90_000);

afterAll(async () => {
  await Promise.all([paddock?.stop(), zookeeper?.stop()]);
});

/** ZooKeeper 3.8's shell (ZooKeeperMain) over TLS with PKCS12 stores; its answers, logging dropped. */
async function javaCli(address: string, cert: TestClientCert | undefined, script: string): Promise<string[]> {
  const flags = [
    "-Dzookeeper.client.secure=true",
    "-Dzookeeper.clientCnxnSocket=org.apache.zookeeper.ClientCnxnSocketNetty",
    `-Dzookeeper.ssl.trustStore.location=${pki.trustP12}`,
    `-Dzookeeper.ssl.trustStore.password=${pki.password}`,
    ...(cert === undefined
      ? []
      : [
          `-Dzookeeper.ssl.keyStore.location=${cert.p12}`,
          `-Dzookeeper.ssl.keyStore.password=${pki.password}`,
        ]),
  ];
  const result = await runProcess(
    "java",
    [
      "-Xshare:auto",
      "-cp",
      "/usr/share/java/*",
      ...flags,
      "org.apache.zookeeper.ZooKeeperMain",
      "-server",
      address,
    ],
    { input: `${script}\nquit\n`, timeoutMs: 60_000, env: { ...process.env, TZ: "UTC" } },
  );
  const noise = /^(SLF4J|log4j|Connecting to|Welcome to|JLine|WATCHER::|WatchedEvent|\s+at |\s*$)/;
  // Errors (Insufficient permission, ConnectionLoss) go to stderr, after the answers on stdout.
  const lines = `${result.stdout}\n${result.stderr}`.split("\n").filter((line) => !noise.test(line));
  return sortIdentities(lines);
}

/**
 * whoami lists the connection's identities in ZooKeeper's hash-set order (ServerCnxn.authInfo is a
 * set over a ConcurrentHashMap), which follows Id.hashCode, not the order they were added: each
 * run of identity lines is compared as a set.
 */
function sortIdentities(lines: string[]): string[] {
  const out: string[] = [];
  let run: string[] = [];
  const identity = /^(ip|x509|super|digest): /;
  for (const line of [...lines, ""]) {
    if (identity.test(line)) {
      run.push(line);
      continue;
    }
    out.push(...run.sort());
    run = [];
    if (line !== "") out.push(line);
  }
  return out;
}

const ownerScript = [
  "create /tls-java hello",
  "get /tls-java",
  "whoami",
  "setAcl /tls-java x509:CN=zkowner:cdrwa",
  "getAcl /tls-java",
  "get /tls-java",
  "create /tls-java-auth x auth::cdrwa",
  "getAcl /tls-java-auth",
  "create /tls-java-bad x x509:nonsense:cdrwa",
].join("\n");

describe("ZooKeeper's Java client (ClientCnxnSocketNetty) over TLS", () => {
  it("answers as ZooKeeper 3.8 does: x509 identity, ACLs on it, super user by certificate", async () => {
    const run = async (address: string) => ({
      owner: await javaCli(address, certs.owner, ownerScript),
      other: await javaCli(address, certs.other, "whoami\nget /tls-java\nset /tls-java stolen"),
      admin: await javaCli(
        address,
        certs.admin,
        "whoami\nget /tls-java\nset /tls-java by-admin\nget /tls-java",
      ),
    });
    const [ours, theirs] = await Promise.all([run(`127.0.0.1:${paddock.securePort}`), run(zookeeperSecure)]);
    expect(ours.owner).toContain("x509: CN=zkowner");
    expect(ours.owner).toContain("'x509,'CN=zkowner");
    expect(ours.other.join("\n")).toMatch(/Insufficient permission/);
    expect(ours.admin).toContain("by-admin");
    expect(ours).toEqual(theirs);
  }, 180_000);

  it("gets no session without a client certificate (ssl.clientAuth=need), as ZooKeeper", async () => {
    const [ours, theirs] = await Promise.all([
      javaCli(`127.0.0.1:${paddock.securePort}`, undefined, "ls /"),
      javaCli(zookeeperSecure, undefined, "ls /"),
    ]);
    expect(ours.join("\n")).toMatch(/ConnectionLoss/);
    expect(ours).toEqual(theirs);
  }, 120_000);
});

describe("kazoo over TLS (use_ssl, certfile, keyfile, ca)", () => {
  it("gives a multi-RDN subject's x509 ACL the same outcomes as ZooKeeper 3.8", async () => {
    const run = async (address: string) => {
      const result = await runProcess(
        python,
        [
          join(repoRoot, "test/clients/zk/python/tls.py"),
          address,
          pki.caCert,
          certs.kazoo!.cert,
          certs.kazoo!.key,
          certs.kazooOther!.cert,
          certs.kazooOther!.key,
          "/tls-kazoo",
          "CN=kazoo,OU=clients,O=Paddock",
        ],
        { timeoutMs: 60_000 },
      );
      if (result.code !== 0)
        throw new Error(`kazoo exited ${result.code}\n${result.stdout}\n${result.stderr}`);
      return result.stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as unknown);
    };
    const [ours, theirs] = await Promise.all([run(`127.0.0.1:${paddock.securePort}`), run(zookeeperSecure)]);
    expect(ours).toContainEqual({ step: "owner get", ok: "secret" });
    expect(ours).toContainEqual({ step: "other get", err: "NoAuthError" });
    expect(ours).toContainEqual({ step: "acl", ok: [[31, "x509", "CN=kazoo,OU=clients,O=Paddock"]] });
    expect(ours).toEqual(theirs);
  }, 120_000);
});
