import { describe, expect, it } from "vitest";
import { ZabNode } from "../../../server/consensus/zab-node.js";
import type { PeerMessage } from "../../../server/gen/paddock/internal/v1/peer.js";
import { Replica } from "../../../server/replica/replica.js";
import { nullStorage as storage } from "./null-storage.js";

function follower(): Replica {
  const node = new ZabNode({
    id: 2,
    voters: [1, 2, 3],
    acceptedEpoch: 0,
    lastZxid: 0,
    proposalsInFlightMax: 10,
  });
  return new Replica(
    node,
    storage,
    { encode: () => undefined, install: async () => {} },
    {
      tickMs: 100,
      scheduler: { schedule: () => ({ unsubscribe: () => {} }) },
      snapshotChunkBytes: 4,
      log: () => {},
    },
  );
}

function chunk(zxid: number, data: string, last: boolean): PeerMessage {
  return { kind: { $case: "snapshotChunk", value: { zxid: BigInt(zxid), data: Buffer.from(data), last } } };
}

/** The state assembled for the SNAP packet that follows the chunks (what install() takes). */
function assembled(replica: Replica): string | undefined {
  const received = Reflect.get(replica, "received") as { bytes: Uint8Array } | undefined;
  return received === undefined ? undefined : Buffer.from(received.bytes).toString();
}

// Found by the real-pipeline simulator with watch streams (seed 248, five voters, multis making
// the state larger than one chunk): a follower dropped the chunks it had from its leader when
// another member's stream went down, then took the leader's last chunk for the whole state and
// failed its storage with "not a snapshot (bad magic)".
describe("SNAP state chunks", () => {
  it("survive another peer going down between them", () => {
    const replica = follower();
    replica.onPeerMessage(1, chunk(7, "head", false));
    replica.onPeerDown(3);
    replica.onPeerMessage(1, chunk(7, "tail", true));
    expect(assembled(replica)).toBe("headtail");
  });

  it("are dropped when their sender's stream goes down (the rest never comes on that stream)", () => {
    const replica = follower();
    replica.onPeerMessage(1, chunk(7, "head", false));
    replica.onPeerDown(1);
    replica.onPeerMessage(1, chunk(8, "whole", true));
    expect(assembled(replica)).toBe("whole");
  });

  it("from two senders are not mixed", () => {
    const replica = follower();
    replica.onPeerMessage(1, chunk(7, "head", false));
    replica.onPeerMessage(3, chunk(7, "other", true));
    expect(assembled(replica)).toBe("other");
  });
});
