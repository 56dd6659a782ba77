import { describe, expect, it } from "vitest";
import type { ZabMessage } from "../../../server/consensus/messages.js";
import { PeerMessage, ZabPacket } from "../../../server/gen/paddock/internal/v1/peer.js";
import type { Txn } from "../../../server/gen/paddock/internal/v1/txn.js";
import { zabFromWire, zabToWire } from "../../../server/replica/zab-codec.js";

const zxid = 0x3_0000_0007;
const txn: Txn = {
  zxid: BigInt(zxid),
  sessionId: 0x1234_5678_9abc_def0n,
  cxid: 9,
  time: 1_700_000_000_000n,
  origin: 2,
  originRef: 77,
  body: { $case: "setData", value: { path: "/a", data: Buffer.from("v"), version: 3 } },
};
const entry = { zxid, txn };

const messages: ZabMessage[] = [
  { type: "notification", vote: { leader: 3, epoch: 2, zxid }, round: 5, state: "looking" },
  { type: "notification", vote: { leader: 1, epoch: 0, zxid: 0 }, round: 1, state: "observing" },
  { type: "followerInfo", attempt: 4, acceptedEpoch: 3, currentEpoch: 2, lastZxid: zxid, observer: true },
  { type: "leaderInfo", epoch: 4 },
  { type: "ackEpoch", epoch: 4, fresh: true, currentEpoch: 3, lastZxid: zxid },
  { type: "diff", epoch: 4, zxid },
  { type: "trunc", epoch: 4, zxid },
  { type: "snap", epoch: 4, zxid },
  { type: "newLeader", epoch: 4, zxid },
  { type: "ackNewLeader", epoch: 4, zxid },
  { type: "upToDate", epoch: 4, commitZxid: zxid },
  { type: "proposal", epoch: 4, prevZxid: zxid - 1, entry },
  { type: "ack", epoch: 4, zxid },
  { type: "commit", epoch: 4, zxid },
  { type: "inform", epoch: 4, prevZxid: zxid - 1, entry },
  { type: "ping", epoch: 4 },
];

describe("ZAB packets on the peer stream", () => {
  it.each(messages.map((m) => [m.type, m] as const))("%s survives encode and decode", (_type, message) => {
    const bytes = PeerMessage.encode({ kind: { $case: "zab", value: zabToWire(message) } }).finish();
    const decoded = PeerMessage.decode(bytes);
    expect(decoded.kind?.$case).toBe("zab");
    if (decoded.kind?.$case !== "zab") return;
    expect(zabFromWire(decoded.kind.value)).toEqual(message);
  });

  it("refuses a packet of unknown type or a proposal without its transaction", () => {
    const ping = zabToWire({ type: "ping", epoch: 1 });
    expect(() => zabFromWire({ ...ping, type: 99 as never })).toThrow(/unknown type 99/);
    const proposal = ZabPacket.fromPartial({ ...zabToWire(messages[11]!), txn: undefined });
    expect(() => zabFromWire(proposal)).toThrow(/proposal without a transaction/);
  });

  it("refuses, as a malformed packet, a zxid or epoch field a number cannot hold exactly (found by fuzzing)", () => {
    const ack = zabToWire({ type: "ack", epoch: 4, zxid });
    // Before: zxidFromWire asserted (AssertionError), which stops the member on a peer's bytes.
    expect(() => zabFromWire({ ...ack, epoch: -1n })).toThrow(/peer packet: epoch -1 is out of range/);
    expect(() => zabFromWire({ ...ack, zxid: 1n << 60n })).toThrow(/peer packet: zxid \d+ is out of range/);
    const proposal = zabToWire(messages[11]!);
    expect(() => zabFromWire({ ...proposal, txn: { ...txn, zxid: -5n } })).toThrow(
      /txn.zxid -5 is out of range/,
    );
    expect(() => zabFromWire({ ...ack, zxid: BigInt(Number.MAX_SAFE_INTEGER) })).not.toThrow();
  });
});
