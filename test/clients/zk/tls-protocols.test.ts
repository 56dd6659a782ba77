import { readFileSync } from "node:fs";
import { connect as tlsConnect } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerHandle, startServer } from "../../support/launcher.js";
import { makeTestPki, type TestClientCert, type TestPki } from "../../support/tls-certs.js";
import { freePort, startZooKeeper, type ZooKeeperHandle } from "../../support/zookeeper.js";

// ssl.protocol, ssl.enabledProtocols and ssl.ciphersuites on the secure client port: the same
// handshakes against Apache ZooKeeper 3.9.5 (Netty, Java 17) and Paddock with the same keys give the
// same outcomes (refused, or the version and suite agreed). Each probe offers one suite, so the
// outcome does not depend on whose preference order wins. Without the keys, ZooKeeper 3.9 on Java 17
// speaks only TLS 1.3 and ZooKeeper 3.8 only TLS 1.2 (ECDHE suites only, both): Paddock accepts
// what either accepts, so the clients of both versions connect (a decision, docs/SECURITY.md).

interface Probe {
  readonly name: string;
  readonly minVersion: "TLSv1.2" | "TLSv1.3";
  readonly maxVersion: "TLSv1.2" | "TLSv1.3";
  /** OpenSSL's name for a TLS 1.2 suite, or a TLS 1.3 suite's name. */
  readonly suite: string;
}

const probes: Probe[] = [
  {
    name: "TLS 1.3, AES-128-GCM",
    minVersion: "TLSv1.3",
    maxVersion: "TLSv1.3",
    suite: "TLS_AES_128_GCM_SHA256",
  },
  {
    name: "TLS 1.3, ChaCha20",
    minVersion: "TLSv1.3",
    maxVersion: "TLSv1.3",
    suite: "TLS_CHACHA20_POLY1305_SHA256",
  },
  {
    name: "TLS 1.2, ECDHE-RSA AES-256-GCM",
    minVersion: "TLSv1.2",
    maxVersion: "TLSv1.2",
    suite: "ECDHE-RSA-AES256-GCM-SHA384",
  },
  {
    name: "TLS 1.2, ECDHE-RSA AES-128-GCM",
    minVersion: "TLSv1.2",
    maxVersion: "TLSv1.2",
    suite: "ECDHE-RSA-AES128-GCM-SHA256",
  },
  {
    name: "TLS 1.2, ECDHE-RSA AES-128-CBC-SHA",
    minVersion: "TLSv1.2",
    maxVersion: "TLSv1.2",
    suite: "ECDHE-RSA-AES128-SHA",
  },
  {
    name: "TLS 1.2, RSA key exchange AES-128-GCM",
    minVersion: "TLSv1.2",
    maxVersion: "TLSv1.2",
    suite: "AES128-GCM-SHA256",
  },
  {
    name: "TLS 1.2, DHE-RSA AES-128-GCM",
    minVersion: "TLSv1.2",
    maxVersion: "TLSv1.2",
    suite: "DHE-RSA-AES128-GCM-SHA256",
  },
];

/** The settings under test, each given to one ZooKeeper and one Paddock. */
const settings: Record<string, Record<string, string>> = {
  defaults: {},
  "ssl.protocol=TLSv1.3": { "ssl.protocol": "TLSv1.3" },
  "ssl.protocol=TLSv1.2": { "ssl.protocol": "TLSv1.2" },
  "1.2 only, two suites": {
    "ssl.enabledProtocols": "TLSv1.2",
    "ssl.ciphersuites": "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
  },
  "1.2 and 1.3 with 1.2 suites only": {
    "ssl.enabledProtocols": "TLSv1.3,TLSv1.2",
    "ssl.ciphersuites": "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
  },
};

const onlyTls13 = [
  "TLSv1.3 TLS_AES_128_GCM_SHA256",
  "TLSv1.3 TLS_CHACHA20_POLY1305_SHA256",
  "refused",
  "refused",
  "refused",
  "refused",
  "refused",
];
const onlyTls12 = [
  "refused",
  "refused",
  "TLSv1.2 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
  "TLSv1.2 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
  "TLSv1.2 TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
  "refused",
  "refused",
];

/** What ZooKeeper 3.9.5 answered; Paddock must answer the same (defaults: see above). */
const expected: Record<string, string[]> = {
  defaults: onlyTls13,
  "ssl.protocol=TLSv1.3": onlyTls13,
  "ssl.protocol=TLSv1.2": onlyTls12,
  "1.2 only, two suites": [
    "refused",
    "refused",
    "TLSv1.2 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "refused",
    "TLSv1.2 TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
    "refused",
    "refused",
  ],
  "1.2 and 1.3 with 1.2 suites only": [
    "refused",
    "refused",
    "refused",
    "TLSv1.2 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "refused",
    "refused",
    "refused",
  ],
};

let pki: TestPki;
let cert: TestClientCert;
const paddocks = new Map<string, ServerHandle>();
const zookeepers = new Map<string, { handle: ZooKeeperHandle; securePort: number }>();
let zookeeper38: { handle: ZooKeeperHandle; securePort: number };

beforeAll(async () => {
  pki = makeTestPki();
  cert = pki.client("probe", "/O=Paddock/CN=probe");
  const stores = {
    "ssl.keyStore.location": pki.serverP12,
    "ssl.keyStore.password": pki.password,
    "ssl.trustStore.location": pki.trustP12,
    "ssl.trustStore.password": pki.password,
  };
  const zkConfig = (securePort: number, extra: Record<string, string>): string[] => [
    `secureClientPort=${securePort}`,
    "serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory",
    ...Object.entries({ ...stores, ...extra }).map(([k, v]) => `${k}=${v}`),
  ];
  const securePort38 = await freePort();
  const started38 = startZooKeeper({ extraConfig: zkConfig(securePort38, {}) });
  await Promise.all(
    Object.entries(settings).map(async ([name, extra]) => {
      const securePort = await freePort();
      const [paddock, zookeeper] = await Promise.all([
        startServer({ settings: { secureClientPort: 0, ...stores, ...extra } }),
        startZooKeeper({ version: "3.9", extraConfig: zkConfig(securePort, extra) }),
      ]);
      paddocks.set(name, paddock);
      zookeepers.set(name, { handle: zookeeper, securePort });
    }),
  );
  zookeeper38 = { handle: await started38, securePort: securePort38 };
}, 120_000);

afterAll(async () => {
  await Promise.all([...paddocks.values()].map((p) => p.stop()));
  await Promise.all([...zookeepers.values(), zookeeper38].map((z) => z?.handle.stop()));
});

/** One handshake: "refused", or the version and the suite's IANA name. */
function handshake(port: number, probe: Probe): Promise<string> {
  return new Promise((resolve) => {
    const socket = tlsConnect({
      host: "127.0.0.1",
      servername: "localhost",
      port,
      ca: readFileSync(pki.caCert),
      cert: readFileSync(cert.cert),
      key: readFileSync(cert.key),
      minVersion: probe.minVersion,
      maxVersion: probe.maxVersion,
      // Node takes a TLS 1.3 suite's name in `ciphers` too.
      ciphers: probe.suite,
    });
    socket.once("secureConnect", () => {
      resolve(`${socket.getProtocol()} ${socket.getCipher().standardName}`);
      socket.destroy();
    });
    socket.once("error", () => resolve("refused"));
  });
}

describe("TLS versions and cipher suites on the secure client port, as ZooKeeper 3.9.5", () => {
  for (const name of Object.keys(settings)) {
    it(`gives the same handshakes as ZooKeeper with ${name}`, async () => {
      const zk = zookeepers.get(name)!;
      const paddock = paddocks.get(name)!;
      const zkOutcomes: string[] = [];
      const paddockOutcomes: string[] = [];
      for (const probe of probes) {
        zkOutcomes.push(await handshake(zk.securePort, probe));
        paddockOutcomes.push(await handshake(paddock.securePort!, probe));
      }
      expect(zkOutcomes).toEqual(expected[name]);
      if (name !== "defaults") {
        expect(paddockOutcomes).toEqual(zkOutcomes);
        return;
      }
      // Defaults: ZooKeeper 3.8 accepts exactly the TLS 1.2 probes, and Paddock what either accepts.
      const zk38: string[] = [];
      for (const probe of probes) zk38.push(await handshake(zookeeper38.securePort, probe));
      expect(zk38).toEqual(onlyTls12);
      expect(paddockOutcomes).toEqual(
        zkOutcomes.map((outcome, i) => (outcome === "refused" ? zk38[i] : outcome)),
      );
    });
  }

  it("refuses to start on a version or suite it does not have, naming the key", async () => {
    await expect(
      startServer({
        settings: {
          secureClientPort: 0,
          "ssl.keyStore.location": pki.serverPem,
          "ssl.enabledProtocols": "TLSv1.1",
        },
      }),
    ).rejects.toThrow(/ssl\.enabledProtocols=TLSv1\.1/);
    await expect(
      startServer({
        settings: {
          secureClientPort: 0,
          "ssl.keyStore.location": pki.serverPem,
          "ssl.ciphersuites": "TLS_NO_SUCH_SUITE",
        },
      }),
    ).rejects.toThrow(/ssl\.ciphersuites: cipher suite TLS_NO_SUCH_SUITE/);
  });
});
