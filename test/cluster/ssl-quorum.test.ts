import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../clients/ts/src/index.js";
import { type Ensemble, startEnsemble } from "../support/ensemble.js";
import { makeTestPki, type TestPki } from "../support/tls-certs.js";
import { waitUntil } from "../support/wait.js";

/**
 * sslQuorum: members 1..3 hold certificates from the ensemble's CA, in PKCS12 and PEM stores, and
 * form the quorum over mutual TLS; member 4 (a fourth voter, so 1..3 are a quorum without it)
 * holds a certificate from another CA and must stay out while the others serve.
 */
let pki: TestPki;
let ensemble: Ensemble;

function memberSettings(id: number): Record<string, string> {
  const cert = pki.server(`member-${id}`, `/O=Paddock/CN=member-${id}`, { untrusted: id === 4 });
  switch (id) {
    case 1: // PKCS12 key store, PKCS12 trust store written by keytool
      return {
        "ssl.quorum.keyStore.location": cert.p12,
        "ssl.quorum.keyStore.password": pki.password,
        "ssl.quorum.trustStore.location": pki.trustP12,
        "ssl.quorum.trustStore.password": pki.password,
      };
    case 2: // PEM key store (key and chain in one file), PEM trust store, ZooKeeper's prefix
      return {
        "zookeeper.ssl.quorum.keyStore.location": cert.pem,
        "zookeeper.ssl.quorum.keyStore.type": "PEM",
        "zookeeper.ssl.quorum.trustStore.location": pki.caCert,
        "zookeeper.ssl.quorum.trustStore.type": "PEM",
      };
    default: // 3 and the intruder 4: PKCS12 key store, PEM trust store (4 trusts the right CA)
      return {
        "ssl.quorum.keyStore.location": cert.p12,
        "ssl.quorum.keyStore.password": pki.password,
        "ssl.quorum.trustStore.location": pki.caCert,
      };
  }
}

beforeAll(async () => {
  pki = makeTestPki();
  ensemble = await startEnsemble({
    voters: 4,
    settings: { sslQuorum: true, "ssl.quorum.hostnameVerification": true },
    memberSettings,
  });
  await ensemble.waitForLeader({ timeoutMs: 30_000, exclude: [4] });
}, 90_000);

afterAll(async () => {
  await ensemble?.stopAll();
});

describe("sslQuorum", () => {
  it("replicates between members over mutual TLS", async () => {
    const [one, two] = ensemble.members;
    for (const m of ensemble.members) expect(m.log()).toContain("(sslQuorum)");
    const writer = await connect(one!.address, { sessionTimeoutMs: 20_000 });
    const reader = await connect(two!.address, { sessionTimeoutMs: 20_000 });
    try {
      await writer.create("/ssl-quorum", "over tls");
      await reader.sync("/ssl-quorum");
      const { data } = await reader.getData("/ssl-quorum");
      expect(Buffer.from(data).toString()).toBe("over tls");
    } finally {
      await Promise.all([writer.close(), reader.close()]);
    }
  });

  it("keeps a member with a certificate from another CA out, and the others serving", async () => {
    const intruder = ensemble.members[3]!;
    // It dials 1..3 (the higher id dials) and every handshake is refused: no stream ever comes up.
    await waitUntil(
      "member 4 to fail several dials",
      () => (intruder.log().match(/member 4: stream to member \d closed/g) ?? []).length >= 6,
      30_000,
    );
    expect(intruder.log()).not.toMatch(/member 4: stream to member \d up/);
    for (const m of ensemble.members.slice(0, 3))
      expect(m.log()).not.toMatch(/stream to member 4 up|stream from member 4|member 4 up/);
    expect(await ensemble.mode(4)).not.toMatch(/^(leader|follower|observer)$/);

    const client = await connect(ensemble.members[2]!.address, { sessionTimeoutMs: 20_000 });
    try {
      await client.create("/still-serving", "yes");
      expect(Buffer.from((await client.getData("/still-serving")).data).toString()).toBe("yes");
    } finally {
      await client.close();
    }
    expect(await ensemble.waitForLeader({ timeoutMs: 10_000, exclude: [4] })).toBeGreaterThan(0);
  });
});
