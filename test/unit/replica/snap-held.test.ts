import { describe, expect, it } from "vitest";
import type { Outbound } from "../../../server/consensus/ready.js";
import { ZabNode } from "../../../server/consensus/zab-node.js";
import type { PeerMessage } from "../../../server/gen/paddock/internal/v1/peer.js";
import { Replica } from "../../../server/replica/replica.js";
import { zabFromWire } from "../../../server/replica/zab-codec.js";
import { nullStorage as storage } from "./null-storage.js";

// A leader's SNAP state encoded a chunk at a time (a large tree): until it is sent, the snap
// packet and every later ZAB message to that learner wait behind it, so the learner sees them in
// the order of a state sent at once; other learners are not held. (The real-pipeline simulator
// encodes its SNAPs later too: sending the held messages first, or not holding them, fails seed 1.)

function leader(encode: (zxid: number) => Promise<Uint8Array>) {
  const node = new ZabNode({
    id: 1,
    voters: [1, 2, 3],
    acceptedEpoch: 0,
    lastZxid: 0,
    proposalsInFlightMax: 10,
  });
  const logged: string[] = [];
  const replica = new Replica(
    node,
    storage,
    { encode, install: async () => {} },
    {
      tickMs: 100,
      scheduler: { schedule: () => ({ unsubscribe: () => {} }) },
      snapshotChunkBytes: 4,
      log: (_level, m) => logged.push(m),
    },
  );
  const sent: string[] = [];
  replica.connect({
    send: (to: number, m: PeerMessage) => {
      const kind = m.kind;
      if (kind?.$case === "snapshotChunk")
        sent.push(`${to} chunk ${Buffer.from(kind.value.data).toString()}`);
      else if (kind?.$case === "zab") sent.push(`${to} ${zabFromWire(kind.value).type}`);
      return true;
    },
  });
  const send = (messages: Outbound[]) =>
    (Reflect.get(replica, "send") as (m: Outbound[]) => void).call(replica, messages);
  return { replica, sent, send, logged };
}

const commit = (to: number, zxid: number): Outbound => ({ to, message: { type: "commit", epoch: 1, zxid } });
const snap = (to: number): Outbound => ({ to, message: { type: "snap", epoch: 1, zxid: 7 } });

function later<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe("a SNAP whose state is still being encoded", () => {
  it("holds that learner's messages behind the state, in order; others go at once", async () => {
    const state = later<Uint8Array>();
    const { sent, send } = leader(() => state.promise);
    send([snap(2), commit(2, 8), commit(3, 8)]);
    send([commit(2, 9)]);
    expect(sent).toEqual(["3 commit"]);
    state.resolve(Buffer.from("headtail"));
    await state.promise;
    await Promise.resolve();
    expect(sent).toEqual(["3 commit", "2 chunk head", "2 chunk tail", "2 snap", "2 commit", "2 commit"]);
    // Nothing is held once the state is out.
    send([commit(2, 10)]);
    expect(sent.at(-1)).toBe("2 commit");
  });

  it("drops what it held when the learner's stream goes down (it syncs again)", async () => {
    const state = later<Uint8Array>();
    const { replica, sent, send } = leader(() => state.promise);
    send([snap(2), commit(2, 8)]);
    replica.onPeerDown(2);
    send([commit(2, 9)]);
    state.resolve(Buffer.from("abcd"));
    await state.promise;
    await Promise.resolve();
    // (The node's own election notifications after the peer went down are left out.)
    expect(sent.filter((m) => !m.endsWith("notification"))).toEqual(["2 commit"]);
  });

  it("gives up, as a lost stream would, past 200,000 messages waiting", async () => {
    const state = later<Uint8Array>();
    const { sent, send, logged } = leader(() => state.promise);
    send([snap(2)]);
    // The snap packet and 199,999 commits: 200,000 waiting, the most allowed.
    send(Array.from({ length: 199_999 }, (_, i) => commit(2, 8 + i)));
    expect(logged.filter((m) => m.includes("dropped"))).toEqual([]);
    send([commit(2, 300_000)]);
    expect(logged.filter((m) => m.includes("dropped"))).toEqual([
      "SNAP for 2 dropped: over 200000 messages waited behind it",
    ]);
    state.resolve(Buffer.from("abcd"));
    await state.promise;
    await Promise.resolve();
    expect(sent).toEqual([]);
  });

  it("a failed encoding is logged and sends nothing for that learner", async () => {
    const state = later<Uint8Array>();
    const failing = state.promise.then(() => Promise.reject(new Error("disk on fire")));
    const { sent, send, logged } = leader(() => failing);
    send([snap(2), commit(2, 8)]);
    state.resolve(Buffer.alloc(0));
    await failing.catch(() => {});
    await Promise.resolve();
    expect(sent).toEqual([]);
    expect(logged.at(-1)).toBe("SNAP for 2 failed: disk on fire");
    send([commit(2, 9)]);
    expect(sent).toEqual(["2 commit"]);
  });
});
