import { credentials, type ServiceError, status } from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import {
  type PeerEnvelope,
  PeerMessage,
  PeerServiceClient,
  ZabPacket,
  ZabType,
} from "../../../server/gen/paddock/internal/v1/peer.js";
import { zabFromWire } from "../../../server/replica/zab-codec.js";
import { framedSize } from "../../../server/transport/peer-link.js";
import {
  type PeerEndpoint,
  PeerTransport,
  type PeerTransportOptions,
  peerProtocolVersion,
} from "../../../server/transport/peer-transport.js";

const host = "127.0.0.1";
const ensemble = "1,2,3:participants";
const messageBytesMax = 64 * 1024;
const deadlineMs = 4000;

/** Promises that settle when a condition over the members' callbacks holds, re-checked on every callback. */
const waiters = new Set<() => void>();
function changed(): void {
  for (const check of [...waiters]) check();
}
function until(what: string, condition: () => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      waiters.delete(check);
      reject(new Error(`timed out after ${deadlineMs} ms waiting for ${what}`));
    }, deadlineMs);
    const check = (): void => {
      if (!condition()) return;
      clearTimeout(timer);
      waiters.delete(check);
      resolve();
    };
    waiters.add(check);
    check();
  });
}

interface Member {
  readonly id: number;
  readonly transport: PeerTransport;
  readonly port: number;
  /** "up 2", "down 3", in callback order. */
  readonly events: string[];
  readonly received: Map<number, PeerMessage[]>;
  readonly logs: string[];
}

const running: PeerTransport[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((t) => t.stop()));
  waiters.clear();
});

async function startMember(
  id: number,
  peers: readonly PeerEndpoint[],
  overrides: Partial<PeerTransportOptions> = {},
): Promise<Member> {
  const events: string[] = [];
  const received = new Map<number, PeerMessage[]>();
  const logs: string[] = [];
  const transport = new PeerTransport({
    myId: id,
    listenHost: host,
    listenPort: 0,
    peers,
    ensemble,
    messageBytesMax,
    queueBytesMax: 16 * messageBytesMax,
    reconnectMinMs: 10,
    reconnectMaxMs: 100,
    onMessage: (from, message) => {
      let list = received.get(from);
      if (list === undefined) received.set(from, (list = []));
      list.push(message);
      changed();
    },
    onPeerUp: (peer) => {
      events.push(`up ${peer}`);
      changed();
    },
    onPeerDown: (peer) => {
      events.push(`down ${peer}`);
      changed();
    },
    log: (level, message) => {
      logs.push(`${level} ${message}`);
      changed();
    },
    ...overrides,
  });
  running.push(transport);
  const port = await transport.start();
  return { id, transport, port, events, received, logs };
}

/** Members 1..n started in id order, each dialing the already started lower ones; resolves when all pairs are up. */
async function startEnsemble(n: number): Promise<Member[]> {
  const members: Member[] = [];
  for (let id = 1; id <= n; id++) {
    const peers: PeerEndpoint[] = [];
    for (let other = 1; other <= n; other++) {
      if (other === id) continue;
      // Higher members dial us; their address is never used.
      peers.push({ id: other, host, port: other < id ? members[other - 1]!.port : 0 });
    }
    members.push(await startMember(id, peers));
  }
  await until("every pair up", () =>
    members.every((m) => members.every((o) => o === m || m.transport.isConnected(o.id))),
  );
  return members;
}

function zab(seq: number): PeerMessage {
  return {
    kind: { $case: "zab", value: ZabPacket.fromPartial({ type: ZabType.ZAB_TYPE_ACK, zxid: BigInt(seq) }) },
  };
}

function chunk(seq: number, bytes: number): PeerMessage {
  return {
    kind: {
      $case: "snapshotChunk",
      value: { zxid: BigInt(seq), data: Buffer.alloc(bytes, seq & 0xff), last: false },
    },
  };
}

function seqOf(message: PeerMessage): number {
  const kind = message.kind;
  if (kind?.$case === "zab") return Number(kind.value.zxid);
  if (kind?.$case === "snapshotChunk") return Number(kind.value.zxid);
  throw new Error(`unexpected ${kind?.$case}`);
}

function count(member: Member, from: number): number {
  return member.received.get(from)?.length ?? 0;
}

describe("PeerTransport", () => {
  it("connects three members and keeps each direction of each pair in order, 10k messages per direction", async () => {
    const members = await startEnsemble(3);
    for (const m of members) {
      expect(m.events.sort()).toEqual(members.filter((o) => o !== m).map((o) => `up ${o.id}`));
    }
    const n = 10_000;
    // Two event-loop turns per sender, so order must hold across flushes as well as inside one.
    for (const m of members)
      for (const o of members)
        if (o !== m) for (let i = 0; i < n / 2; i++) expect(m.transport.send(o.id, zab(i))).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    for (const m of members)
      for (const o of members) if (o !== m) for (let i = n / 2; i < n; i++) m.transport.send(o.id, zab(i));
    await until("all messages delivered", () =>
      members.every((m) => members.every((o) => o === m || count(m, o.id) === n)),
    );
    for (const m of members)
      for (const o of members) {
        if (o === m) continue;
        const seqs = m.received.get(o.id)!.map(seqOf);
        expect(seqs).toEqual(Array.from({ length: n }, (_, i) => i));
      }
    for (const m of members) {
      expect(m.transport.stats.sentMessages).toBe(2 * n);
      expect(m.transport.stats.receivedMessages).toBe(2 * n);
      expect(m.transport.stats.droppedMessages).toBe(0);
    }
  });

  it("refuses in send() a message above messageBytesMax, naming the limit, and accepts one exactly at it", async () => {
    const [one, two] = await startEnsemble(2);
    expect(() => one!.transport.send(2, chunk(0, messageBytesMax))).toThrow(/messageBytesMax 65536/);
    // The largest message that fits an envelope on its own.
    let data = messageBytesMax - 32;
    const sizeOf = (bytes: number): number => framedSize(PeerMessage.encode(chunk(1, bytes)).finish().length);
    while (sizeOf(data) < messageBytesMax) data++;
    while (sizeOf(data) > messageBytesMax) data--;
    expect(() => one!.transport.send(2, chunk(1, data + 1))).toThrow(/messageBytesMax/);
    expect(one!.transport.send(2, chunk(1, data))).toBe(true);
    await until("the largest message", () => count(two!, 1) === 1);
    expect(two!.received.get(1)![0]!.kind).toMatchObject({ $case: "snapshotChunk", value: { zxid: 1n } });
  });

  it("splits a turn's messages into envelopes under messageBytesMax, in order", async () => {
    const [one, two] = await startEnsemble(2);
    const n = 100;
    const before = two!.transport.stats.receivedEnvelopes;
    for (let i = 0; i < n; i++) expect(two!.transport.send(1, chunk(i, 10_000))).toBe(true);
    await until("all chunks", () => count(one!, 2) === n);
    expect(one!.received.get(2)!.map(seqOf)).toEqual(Array.from({ length: n }, (_, i) => i));
    // Six 10 kB chunks fit in 64 KiB: at least 17 envelopes, each accepted by the receiver's limit.
    expect(one!.transport.stats.receivedEnvelopes - before).toBeGreaterThanOrEqual(17);
    expect(two!.transport.stats.sentEnvelopes).toBe(one!.transport.stats.receivedEnvelopes);
  });

  it("reconnects a member that stops and restarts on the same port", async () => {
    const [one, two, three] = await startEnsemble(3);
    await two!.transport.stop();
    expect(two!.events.sort()).toEqual(["down 1", "down 3", "up 1", "up 3"]);
    await until(
      "members 1 and 3 see member 2 down",
      () => one!.events.includes("down 2") && three!.events.includes("down 2"),
    );
    expect(one!.transport.isConnected(2)).toBe(false);
    expect(three!.transport.send(2, zab(0))).toBe(false);

    const again = await startMember(
      2,
      [
        { id: 1, host, port: one!.port },
        { id: 3, host, port: 0 },
      ],
      { listenPort: two!.port },
    );
    expect(again.port).toBe(two!.port);
    await until(
      "member 2 up again on both sides",
      () =>
        [one!, three!].every((m) => m.events.filter((e) => e === "up 2").length === 2) &&
        again.transport.isConnected(1) &&
        again.transport.isConnected(3),
    );
    expect(one!.events.filter((e) => e.endsWith(" 2"))).toEqual(["up 2", "down 2", "up 2"]);
    expect(three!.events.filter((e) => e.endsWith(" 2"))).toEqual(["up 2", "down 2", "up 2"]);
    expect(three!.transport.send(2, zab(7))).toBe(true);
    expect(again.transport.send(1, zab(8))).toBe(true);
    await until("messages over the new streams", () => count(again, 3) === 1 && count(one!, 2) === 1);
    expect(seqOf(again.received.get(3)![0]!)).toBe(7);
    expect(seqOf(one!.received.get(2)![0]!)).toBe(8);
  });

  it("accepts a dialer it does not list (a joiner a reconfig has not added yet), logging a different ensemble string", async () => {
    const one = await startMember(1, []);
    const four = await startMember(4, [{ id: 1, host, port: one.port }], {
      ensemble: "1,2,3,4:participants",
    });
    await until("both sides up", () => one.events.includes("up 4") && four.events.includes("up 1"));
    expect(one.logs.some((l) => l.includes("has ensemble") && l.includes("1,2,3,4"))).toBe(true);
    // The listener answers over the accepted stream although member 4 is in none of its peers.
    expect(one.transport.send(4, zab(5))).toBe(true);
    await until("the joiner receives", () => (four.received.get(1)?.length ?? 0) === 1);
  });

  it("setPeers dials a new lower id and closes the stream of a member no longer listed", async () => {
    const one = await startMember(1, []);
    const two = await startMember(2, []);
    expect(two.transport.isConnected(1)).toBe(false);
    two.transport.setPeers([{ id: 1, host, port: one.port }]);
    await until(
      "2 dials 1 once it is listed",
      () => two.events.includes("up 1") && one.events.includes("up 2"),
    );
    two.transport.setPeers([]);
    await until(
      "the stream ends on both sides",
      () => two.events.includes("down 1") && one.events.includes("down 2"),
    );
    expect(two.transport.isConnected(1)).toBe(false);
  });

  it.each([
    [
      "an id not above the listener's",
      { serverId: 1, protocolVersion: peerProtocolVersion, ensemble },
      /not above 2/,
    ],
    ["another protocol version", { serverId: 3, protocolVersion: 99, ensemble }, /protocol version 99/],
  ])("ends a stream whose Hello has %s with FAILED_PRECONDITION naming why", async (_, hello, why) => {
    const two = await startMember(2, [
      { id: 1, host, port: 1 },
      { id: 3, host, port: 0 },
    ]);
    const client = new PeerServiceClient(`${host}:${two.port}`, credentials.createInsecure());
    try {
      const call = client.stream();
      const failed = new Promise<ServiceError>((resolve) => call.on("error", resolve));
      call.on("data", () => {});
      call.write({ messages: [{ kind: { $case: "hello", value: hello } }] });
      const error = await failed;
      expect(error.code).toBe(status.FAILED_PRECONDITION);
      expect(error.details).toMatch(why);
      expect(two.events).toEqual([]);
    } finally {
      client.close();
    }
  });

  it("ends a stream that sends no Hello within handshakeTimeoutMs", async () => {
    const one = await startMember(1, [{ id: 2, host, port: 0 }], { handshakeTimeoutMs: 50 });
    const client = new PeerServiceClient(`${host}:${one.port}`, credentials.createInsecure());
    try {
      const call = client.stream();
      const failed = new Promise<ServiceError>((resolve) => call.on("error", resolve));
      call.on("data", () => {});
      const error = await failed;
      expect(error.code).toBe(status.DEADLINE_EXCEEDED);
      expect(error.details).toMatch(/handshakeTimeoutMs 50/);
      expect(one.events).toEqual([]);
    } finally {
      client.close();
    }
  });

  it("has the dialer refuse a listener whose Hello names another member than configured", async () => {
    const one = await startMember(1, [{ id: 3, host, port: 0 }]);
    // Member 3 believes member 2 listens where member 1 does.
    const three = await startMember(3, [{ id: 2, host, port: one.port }]);
    await until("member 3 refuses", () =>
      three.logs.some((l) => l.includes("says it is member 1, expected 2")),
    );
    expect(three.events).toEqual([]);
    expect(three.transport.isConnected(2)).toBe(false);
  });

  it("closes the stream and reports down when the outbound queue passes queueBytesMax, then reconnects", async () => {
    const queueBytesMax = 4 * messageBytesMax;
    const one = await startMember(1, [{ id: 2, host, port: 0 }], { queueBytesMax });
    const two = await startMember(2, [{ id: 1, host, port: one.port }]);
    await until("up", () => one.transport.isConnected(2) && two.transport.isConnected(1));
    let accepted = 0;
    while (one.transport.send(2, chunk(accepted, 1000))) accepted++;
    // Everything queued this turn counts; the stream closes inside send(), the report follows.
    expect(accepted).toBeGreaterThan(200);
    expect(accepted * 1000).toBeLessThanOrEqual(queueBytesMax);
    expect(one.transport.isConnected(2)).toBe(false);
    expect(one.events).toEqual(["up 2"]);
    expect(one.transport.stats.queueOverflows).toBe(1);
    await until(
      "both sides see the stream down and member 2 dials again",
      () => one.events.join() === "up 2,down 2,up 2" && two.events.join() === "up 1,down 1,up 1",
    );
    expect(one.logs.some((l) => l.includes("queueBytesMax"))).toBe(true);
    expect(count(two, 1)).toBe(0);
  });

  it("closes only the stream whose message onMessage refuses as malformed (PaddockError); the member serves on", async () => {
    // What replica.onPeerMessage does with a ZAB packet whose epoch is out of range (found by fuzzing).
    const one = await startMember(1, [{ id: 2, host, port: 0 }], {
      onMessage: (_from, message) => {
        if (message.kind?.$case === "zab") zabFromWire(message.kind.value);
      },
    });
    const client = new PeerServiceClient(`${host}:${one.port}`, credentials.createInsecure());
    try {
      const call = client.stream();
      const ended = new Promise<ServiceError>((resolve) => call.on("error", resolve));
      call.on("data", () => {});
      call.write({
        messages: [{ kind: { $case: "hello", value: { serverId: 2, protocolVersion: 1, ensemble } } }],
      });
      await until("up", () => one.transport.isConnected(2));
      const bad = ZabPacket.fromPartial({ type: ZabType.ZAB_TYPE_ACK, epoch: -1n, zxid: 1n });
      call.write({ messages: [{ kind: { $case: "zab", value: bad } }] });
      expect((await ended).code).toBe(status.INVALID_ARGUMENT);
      await until("down", () => one.events.includes("down 2"));
      expect(one.logs.join("\n")).toMatch(/member 2 sent a malformed message: .*epoch -1 is out of range/);
    } finally {
      client.close();
    }
  });

  it("closes the stream to a peer that stops reading once the queue passes queueBytesMax", async () => {
    const queueBytesMax = 4 * messageBytesMax;
    const one = await startMember(1, [{ id: 2, host, port: 0 }], { queueBytesMax });
    // A raw peer 2 that completes the handshake and then never reads.
    const client = new PeerServiceClient(`${host}:${one.port}`, credentials.createInsecure());
    try {
      const call = client.stream();
      call.on("error", () => {});
      const hello = new Promise<PeerEnvelope>((resolve) =>
        call.once("data", (envelope: PeerEnvelope) => {
          call.pause();
          resolve(envelope);
        }),
      );
      call.write({
        messages: [{ kind: { $case: "hello", value: { serverId: 2, protocolVersion: 1, ensemble } } }],
      });
      expect((await hello).messages[0]!.kind).toMatchObject({ $case: "hello", value: { serverId: 1 } });
      await until("up", () => one.transport.isConnected(2));
      // 32 kB per turn: well below the limit within one turn, so only unread bytes can overflow.
      let sent = 0;
      const pump = (): void => {
        for (let i = 0; i < 32 && one.transport.send(2, chunk(sent, 1000)); i++) sent++;
        if (one.transport.isConnected(2)) setImmediate(pump);
      };
      pump();
      await until("down after overflow", () => one.events.includes("down 2"));
      expect(one.transport.stats.queueOverflows).toBe(1);
      expect(sent * 1000).toBeGreaterThan(queueBytesMax);
    } finally {
      client.close();
    }
  });
});
