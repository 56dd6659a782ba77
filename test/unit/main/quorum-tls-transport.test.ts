import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { type PeerMessage, ZabPacket, ZabType } from "../../../server/gen/paddock/internal/v1/peer.js";
import {
  defaultQuorumTlsConfig,
  type QuorumCredentials,
  quorumCredentials,
} from "../../../server/main/quorum-tls.js";
import { PeerTransport, type PeerTransportOptions } from "../../../server/transport/peer-transport.js";
import { makeTestPki, type TestPki } from "../../support/tls-certs.js";
import { waitUntil } from "../../support/wait.js";

// Two PeerTransports in this process over sslQuorum credentials: mutual TLS when both certificates
// come from the quorum CA; no stream when one does not, when the dialer speaks plaintext, or when
// the listener's certificate does not name the dialed host (unless hostnameVerification=false).

let pki: TestPki;
let good: { pem: string };
let badCa: { pem: string };
let wrongName: { pem: string };
const stopping: (() => Promise<void> | void)[] = [];

beforeAll(() => {
  pki = makeTestPki();
  good = pki.server("peer-good", "/O=Paddock/CN=peer-good");
  badCa = pki.server("peer-bad-ca", "/O=Elsewhere/CN=peer-bad", { untrusted: true });
  wrongName = pki.server("peer-wrong-name", "/O=Paddock/CN=peer-wrong", { san: "DNS:elsewhere.example" });
}, 60_000);

afterEach(async () => {
  for (const stop of stopping.splice(0).reverse()) await stop();
});

function credentialsFor(pem: string | undefined, hostnameVerification = true): QuorumCredentials | undefined {
  if (pem === undefined) return undefined;
  const config = defaultQuorumTlsConfig();
  Object.assign(config, { enabled: true, hostnameVerification });
  Object.assign(config.stores, { keyStoreLocation: pem, trustStoreLocation: pki.caCert });
  const credentials = quorumCredentials(config, () => {});
  stopping.push(() => credentials.close());
  return credentials;
}

interface Peer {
  transport: PeerTransport;
  up: number[];
  received: PeerMessage[];
  logs: string[];
}

async function start(
  id: number,
  port: number,
  credentials: QuorumCredentials | undefined,
): Promise<{ peer: Peer; port: number }> {
  const peer: Peer = {
    transport: undefined as unknown as PeerTransport,
    up: [],
    received: [],
    logs: [],
  };
  const options: PeerTransportOptions = {
    myId: id,
    listenHost: "127.0.0.1",
    listenPort: 0,
    peers: [{ id: 3 - id, host: "127.0.0.1", port }],
    ensemble: "1,2",
    messageBytesMax: 64 * 1024,
    queueBytesMax: 1024 * 1024,
    reconnectMinMs: 20,
    reconnectMaxMs: 100,
    onMessage: (_from, message) => peer.received.push(message),
    onPeerUp: (from) => peer.up.push(from),
    onPeerDown: () => {},
    log: (_level, message) => peer.logs.push(message),
    ...(credentials === undefined ? {} : { credentials }),
  };
  peer.transport = new PeerTransport(options);
  stopping.push(() => peer.transport.stop());
  return { peer, port: await peer.transport.start() };
}

/** Member 1 listens with `listener`'s certificate; member 2 dials it with `dialer`'s. */
async function pair(listener: QuorumCredentials | undefined, dialer: QuorumCredentials | undefined) {
  const one = await start(1, 0, listener);
  const two = await start(2, one.port, dialer);
  return { one: one.peer, two: two.peer };
}

const ping: PeerMessage = {
  kind: { $case: "zab", value: ZabPacket.fromPartial({ type: ZabType.ZAB_TYPE_ACK, zxid: 1n }) },
};

/** Waits until the dialer (member 2) has seen three of its dials fail. */
function failedDials(dialer: Peer): Promise<void> {
  return waitUntil(
    "three failed dials",
    () => dialer.logs.filter((m) => m.includes("stream to member 1 closed")).length >= 3,
    5000,
  );
}

describe("sslQuorum peer streams", () => {
  it("come up over mutual TLS when both certificates come from the quorum CA", async () => {
    const { one, two } = await pair(credentialsFor(good.pem), credentialsFor(good.pem));
    await waitUntil("both sides up", () => one.up.includes(2) && two.up.includes(1), 5000);
    expect(two.transport.send(1, ping)).toBe(true);
    await waitUntil("the message", () => one.received.length === 1, 5000);
  });

  it("never come up with a dialer whose certificate comes from another CA", async () => {
    const { one, two } = await pair(credentialsFor(good.pem), credentialsFor(badCa.pem));
    await failedDials(two);
    expect([one.up, two.up]).toEqual([[], []]);
  });

  it("never come up with a listener whose certificate comes from another CA", async () => {
    const { one, two } = await pair(credentialsFor(badCa.pem), credentialsFor(good.pem));
    await failedDials(two);
    expect([one.up, two.up]).toEqual([[], []]);
  });

  it("never come up with a plaintext dialer", async () => {
    const { one, two } = await pair(credentialsFor(good.pem), undefined);
    await failedDials(two);
    expect([one.up, two.up]).toEqual([[], []]);
  });

  it("check the listener's name unless hostnameVerification=false", async () => {
    const checked = await pair(credentialsFor(wrongName.pem), credentialsFor(good.pem, true));
    await failedDials(checked.two);
    expect([checked.one.up, checked.two.up]).toEqual([[], []]);
    const unchecked = await pair(credentialsFor(wrongName.pem), credentialsFor(good.pem, false));
    await waitUntil(
      "both sides up",
      () => unchecked.one.up.includes(2) && unchecked.two.up.includes(1),
      5000,
    );
  });
});
