import type { ChannelCredentials, ServerCredentials } from "@grpc/grpc-js";
import type { PeerMessage } from "../gen/paddock/internal/v1/peer.js";
import { assert } from "../util/assert.js";

export interface PeerEndpoint {
  readonly id: number;
  /** Where the member's peer listener is. Only used for members with a lower id (we dial those). */
  readonly host: string;
  readonly port: number;
}

export interface PeerTransportOptions {
  readonly myId: number;
  readonly listenHost: string;
  /** 0 = ephemeral; start() resolves with the bound port. */
  readonly listenPort: number;
  /** Every other member (ids != myId). We dial those with a lower id; higher ones dial us. */
  readonly peers: readonly PeerEndpoint[];
  /** Sent in Hello; a peer with another one is logged, not refused (configurations differ during a reconfig). */
  readonly ensemble: string;
  /**
   * Largest envelope on the wire (grpc max send and receive length on both ends; members must
   * agree). send() throws for a message that would not fit in an envelope on its own; the flush
   * splits envelopes to stay under it.
   */
  readonly messageBytesMax: number;
  /**
   * Outbound bytes per peer not yet taken by the network (queued for the flush plus written to
   * grpc-js but not yet sent). Past it the stream is closed, the queue dropped and the peer
   * reported down: ZAB recovers from a lost connection, a slow peer must not grow memory.
   */
  readonly queueBytesMax: number;
  /** Dial backoff: exponential from min to max, each delay jittered to [d/2, d]. */
  readonly reconnectMinMs: number;
  readonly reconnectMaxMs: number;
  /** A stream whose Hello has not arrived after this long is closed. Default 5000. */
  readonly handshakeTimeoutMs?: number;
  /** grpc keepalive ping interval and timeout, both ends: a dead TCP peer is noticed in about their sum. Default 1000 each. */
  readonly keepaliveTimeMs?: number;
  readonly keepaliveTimeoutMs?: number;
  /**
   * Called synchronously per message, in arrival order. A PaddockError (a malformed message) closes
   * that stream with INVALID_ARGUMENT; the member keeps serving and the peer redials. Nothing else may be thrown.
   */
  readonly onMessage: (from: number, message: PeerMessage) => void;
  /**
   * sslQuorum: the listener's credentials (which verify the dialer's certificate) and a fresh
   * credential per dial (which presents ours). Plaintext when absent.
   */
  readonly credentials?: { readonly server: ServerCredentials; channel(): ChannelCredentials };
  /** A stream to `id` completed its handshake. */
  readonly onPeerUp?: (id: number) => void;
  /** The stream to `id` (after its onPeerUp) ended or broke: messages may have been lost. */
  readonly onPeerDown: (id: number) => void;
  readonly log: (level: "info" | "warn" | "error", message: string) => void;
}

const int32Max = 2 ** 31 - 1;
/** Smallest messageBytesMax accepted: room for a Hello and a ZAB packet with a small txn. */
const messageBytesMin = 1024;

export function validatePeerTransportOptions(o: PeerTransportOptions): void {
  assert(
    Number.isInteger(o.myId) && o.myId > 0 && o.myId <= int32Max,
    `myId ${o.myId} must be in 1..${int32Max}`,
  );
  assert(
    Number.isInteger(o.listenPort) && o.listenPort >= 0 && o.listenPort <= 65535,
    `listenPort ${o.listenPort} must be in 0..65535`,
  );
  const ids = new Set<number>();
  for (const p of o.peers) {
    assert(
      Number.isInteger(p.id) && p.id > 0 && p.id <= int32Max,
      `peer id ${p.id} must be in 1..${int32Max}`,
    );
    assert(p.id !== o.myId, `peers must not include myId ${o.myId}`);
    assert(!ids.has(p.id), `peer id ${p.id} listed twice`);
    ids.add(p.id);
    if (p.id < o.myId)
      assert(
        Number.isInteger(p.port) && p.port > 0 && p.port <= 65535,
        `peer ${p.id} port ${p.port} must be in 1..65535 (it is dialed)`,
      );
  }
  assert(
    Number.isInteger(o.messageBytesMax) &&
      o.messageBytesMax >= messageBytesMin &&
      o.messageBytesMax <= int32Max,
    `messageBytesMax ${o.messageBytesMax} must be in ${messageBytesMin}..${int32Max}`,
  );
  assert(
    Number.isInteger(o.queueBytesMax) && o.queueBytesMax >= o.messageBytesMax,
    `queueBytesMax ${o.queueBytesMax} must be an integer >= messageBytesMax ${o.messageBytesMax}`,
  );
  assert(
    o.reconnectMinMs > 0 && o.reconnectMaxMs >= o.reconnectMinMs,
    `reconnect backoff must satisfy 0 < reconnectMinMs (${o.reconnectMinMs}) <= reconnectMaxMs (${o.reconnectMaxMs})`,
  );
  for (const [name, value] of [
    ["handshakeTimeoutMs", o.handshakeTimeoutMs],
    ["keepaliveTimeMs", o.keepaliveTimeMs],
    ["keepaliveTimeoutMs", o.keepaliveTimeoutMs],
  ] as const)
    assert(value === undefined || value > 0, `${name} ${value} must be > 0`);
}

/** host:port, with brackets around an IPv6 host. */
export function address(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}
