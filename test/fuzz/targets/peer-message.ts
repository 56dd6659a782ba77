// Fuzz target peer-message: a PeerEnvelope as the peer stream decodes it, each ZAB packet through
// zabFromWire (the core's message), each forwarded request through the leader's request checks.
import { PeerEnvelope, type PeerMessage } from "../../../server/gen/paddock/internal/v1/peer.js";
import { zabFromWire, zabToWire } from "../../../server/replica/zab-codec.js";
import { PaddockError } from "../../../server/util/paddock-error.js";
import type { FuzzTarget } from "../engine/fuzz-target.js";
import { isProtobufDecodeError, RequestChecks } from "./support/request-checks.js";
import { SAMPLE_OPS } from "./support/sample-ops.js";

const ZXID = 0x3_0000_0007;
const TXN = {
  zxid: BigInt(ZXID),
  sessionId: 0x1234_5678_9abc_def0n,
  cxid: 9,
  time: 1_700_000_000_000n,
  origin: 2,
  originRef: 77,
  body: { $case: "setData" as const, value: { path: "/a", data: Buffer.from("v"), version: 3 } },
};

export function peerMessageSeeds(): Buffer[] {
  const zab = (m: Parameters<typeof zabToWire>[0]): PeerMessage => ({
    kind: { $case: "zab", value: zabToWire(m) },
  });
  const envelopes: PeerMessage[][] = [
    [{ kind: { $case: "hello", value: { serverId: 2, protocolVersion: 1, ensemble: "e" } } }],
    [
      zab({ type: "notification", vote: { leader: 3, epoch: 2, zxid: ZXID }, round: 5, state: "looking" }),
      zab({
        type: "followerInfo",
        attempt: 4,
        acceptedEpoch: 3,
        currentEpoch: 2,
        lastZxid: ZXID,
        observer: true,
      }),
      zab({ type: "leaderInfo", epoch: 4 }),
      zab({ type: "ackEpoch", epoch: 4, fresh: true, currentEpoch: 3, lastZxid: ZXID }),
    ],
    [
      zab({ type: "diff", epoch: 4, zxid: ZXID }),
      zab({ type: "proposal", epoch: 4, prevZxid: ZXID - 1, entry: { zxid: ZXID, txn: TXN } }),
      zab({ type: "commit", epoch: 4, zxid: ZXID }),
      zab({ type: "upToDate", epoch: 4, commitZxid: ZXID }),
      zab({ type: "inform", epoch: 4, prevZxid: ZXID - 1, entry: { zxid: ZXID, txn: TXN } }),
      zab({ type: "ping", epoch: 4 }),
    ],
    [
      {
        kind: {
          $case: "forward",
          value: {
            ref: 7,
            sessionId: 0x100n,
            ids: [{ scheme: "ip", id: "10.0.0.1" }],
            ephemeralAllowed: true,
            localSession: false,
            kind: { $case: "request", value: { xid: 3, timeoutMs: 0, trace: {}, op: SAMPLE_OPS[0] } },
          },
        },
      },
      {
        kind: {
          $case: "forwardReply",
          value: { ref: 7, error: { code: -101, path: "/a", message: "NoNode" } },
        },
      },
      { kind: { $case: "touch", value: { sessionIds: [0x100n, -5n] } } },
      {
        kind: {
          $case: "snapshotChunk",
          value: { zxid: BigInt(ZXID), data: Buffer.from("PDKS"), last: true },
        },
      },
    ],
  ];
  return envelopes.map((messages) => Buffer.from(PeerEnvelope.encode({ messages }).finish()));
}

/**
 * Documented: the generated decoder's Error for bytes that are not a PeerEnvelope (grpc-js drops
 * the stream) and zabFromWire's PaddockError for a packet that does not make a ZAB message.
 */
export function fuzzPeerMessage(bytes: Buffer): void {
  let envelope: PeerEnvelope;
  try {
    envelope = PeerEnvelope.decode(bytes);
  } catch (e) {
    if (isProtobufDecodeError(e)) return;
    throw e;
  }
  for (const message of envelope.messages) {
    const kind = message.kind;
    if (kind?.$case === "zab") {
      try {
        zabFromWire(kind.value);
      } catch (e) {
        if (!(e instanceof PaddockError)) throw e;
      }
    } else if (kind?.$case === "forward" && kind.value.kind?.$case === "request") {
      new RequestChecks().request(kind.value.kind.value);
    }
  }
}

export const peerMessage: FuzzTarget = {
  name: "peer-message",
  seeds: peerMessageSeeds,
  fuzz: fuzzPeerMessage,
};
