import type { ClientDuplexStream, ServerDuplexStream } from "@grpc/grpc-js";
import { status } from "@grpc/grpc-js";
import type { PeerEnvelope } from "../gen/paddock/internal/v1/peer.js";
import { PeerMessage } from "../gen/paddock/internal/v1/peer.js";
import { reusedWriterEncoder } from "../util/reused-writer.js";

/** Counters of one transport; plain numbers, read by admin/metrics. */
export interface PeerTransportStats {
  /** Messages written to a stream (inside envelopes), and their envelopes' bytes; the handshake Hello is not counted. */
  sentMessages: number;
  sentEnvelopes: number;
  sentBytes: number;
  /** Messages handed to onMessage, envelopes and bytes received (Hello included in bytes only). */
  receivedMessages: number;
  receivedEnvelopes: number;
  receivedBytes: number;
  /** send() calls that returned false: no open stream, or the queue overflowed. */
  droppedMessages: number;
  /** Streams closed because their outbound queue passed queueBytesMax. */
  queueOverflows: number;
  /** Streams refused at the handshake, by either side. */
  refusedStreams: number;
}

export function newPeerTransportStats(): PeerTransportStats {
  return {
    sentMessages: 0,
    sentEnvelopes: 0,
    sentBytes: 0,
    receivedMessages: 0,
    receivedEnvelopes: 0,
    receivedBytes: 0,
    droppedMessages: 0,
    queueOverflows: 0,
    refusedStreams: 0,
  };
}

/** Field 1 (`messages`) of PeerEnvelope, length-delimited: (1 << 3) | 2. */
const envelopeMessagesTag = 0x0a;

function varintSize(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  return 5;
}

/** Bytes one encoded PeerMessage of `length` bytes takes inside a PeerEnvelope. */
export function framedSize(length: number): number {
  return 1 + varintSize(length) + length;
}

function writeFramed(target: Buffer, offset: number, bytes: Uint8Array): number {
  let at = offset;
  target[at++] = envelopeMessagesTag;
  let n = bytes.length;
  while (n >= 0x80) {
    target[at++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  target[at++] = n;
  target.set(bytes, at);
  return at + bytes.length;
}

/** Encodes one message with a writer reused across calls, so the hot path allocates only the result. */
export const encodePeerMessage = reusedWriterEncoder(PeerMessage.encode);

/** One whole envelope of already encoded messages, as the wire carries it. */
export function envelopeOf(messages: readonly Uint8Array[]): Buffer {
  let size = 0;
  for (const bytes of messages) size += framedSize(bytes.length);
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const bytes of messages) at = writeFramed(out, at, bytes);
  return out;
}

export type DialedCall = ClientDuplexStream<Buffer, PeerEnvelope>;
export type AcceptedCall = ServerDuplexStream<PeerEnvelope, Buffer>;

/**
 * One open stream to a peer, either direction: the outbound queue (encoded messages waiting for
 * the next flush, then envelopes handed to grpc-js whose write has not completed yet) and its
 * byte accounting. The transport owns the lifecycle; a link never calls back.
 */
export class PeerLink {
  /** Hello exchanged: the peer has been reported up. */
  up = false;
  closed = false;
  handshakeTimer: NodeJS.Timeout | undefined = undefined;
  /** True while the link is on the transport's list of links to flush this turn. */
  flushListed = false;
  private pending: Uint8Array[] = [];
  /** Framed bytes waiting in `pending`. */
  private pendingBytes = 0;
  /** Bytes of envelopes written to grpc-js whose write callback has not run. */
  private writingBytes = 0;

  constructor(
    /** 0 for an accepted stream until its Hello names the peer. */
    public peerId: number,
    readonly dialed: boolean,
    private readonly call: DialedCall | AcceptedCall,
    private readonly envelopeBytesMax: number,
  ) {}

  get queuedBytes(): number {
    return this.pendingBytes + this.writingBytes;
  }

  get hasPending(): boolean {
    return this.pending.length > 0;
  }

  /** Queues an encoded message whose framed size the caller has checked against the limits. */
  enqueue(bytes: Uint8Array, framed: number): void {
    this.pending.push(bytes);
    this.pendingBytes += framed;
  }

  /** Writes everything queued as envelopes of at most envelopeBytesMax bytes, in order. */
  flush(stats: PeerTransportStats): void {
    const pending = this.pending;
    const count = pending.length;
    let first = 0;
    while (first < count) {
      let size = 0;
      let end = first;
      while (end < count) {
        const framed = framedSize(pending[end]!.length);
        if (size + framed > this.envelopeBytesMax && end > first) break;
        size += framed;
        end++;
      }
      const envelope = Buffer.allocUnsafe(size);
      let at = 0;
      for (let i = first; i < end; i++) at = writeFramed(envelope, at, pending[i]!);
      this.write(envelope);
      stats.sentEnvelopes++;
      stats.sentMessages += end - first;
      stats.sentBytes += size;
      this.pendingBytes -= size;
      first = end;
    }
    pending.length = 0;
  }

  /** Writes one envelope now, ahead of anything queued (the Hello). */
  write(envelope: Buffer): void {
    const size = envelope.length;
    this.writingBytes += size;
    this.call.write(envelope, () => {
      this.writingBytes -= size;
    });
  }

  dropQueue(): void {
    this.pending = [];
    this.pendingBytes = 0;
  }

  /**
   * Ends the stream from this side. A listener ends its call with `code` and `details` (OK ends it
   * cleanly); a dialer can only cancel.
   */
  terminate(code: status, details: string): void {
    if (this.dialed) {
      (this.call as DialedCall).cancel();
      return;
    }
    const call = this.call as AcceptedCall;
    if (call.cancelled) return;
    if (code === status.OK) call.end();
    else call.emit("error", { code, details });
  }
}
