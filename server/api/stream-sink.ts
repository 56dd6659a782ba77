import type { ServerDuplexStream } from "@grpc/grpc-js";
import { status } from "@grpc/grpc-js";
import { type ServerMessage, SessionResponse } from "../gen/paddock/v1/session.js";
import type { ReplySink } from "../pipeline/front.js";
import { AssertionError } from "../util/assert.js";
import { reusedWriterEncoder } from "../util/reused-writer.js";

const encodeResponse = reusedWriterEncoder(SessionResponse.encode);

/** Approximate wire size, to split envelopes before they reach the peer's receive limit. */
function sizeOf(message: ServerMessage): number {
  const kind = message.kind;
  // An error names its path in two fields; a path may be as long as a request allows.
  const error = kind?.$case === "reply" ? kind.value.error : undefined;
  if (error !== undefined) return error.path.length + error.message.length + 128;
  if (kind?.$case === "event") return kind.value.path.length + 128;
  if (kind?.$case === "reply" && kind.value.result?.$case === "getData")
    return kind.value.result.value.data.length + 128;
  if (kind?.$case === "reply" && kind.value.result?.$case === "getChildren") {
    let size = 128;
    for (const child of kind.value.result.value.children) size += child.length + 2;
    return size;
  }
  return 128;
}

/**
 * Collects a connection's replies and events and writes them as one envelope per event-loop turn.
 * Bytes not yet taken by the transport are bounded: past `outboundBytesMax` the client is too slow
 * and the stream is closed with RESOURCE_EXHAUSTED (ZooKeeper closes the connection); the session
 * survives and the client may resume it.
 */
export class StreamSink implements ReplySink {
  private pending: ServerMessage[] = [];
  private pendingBytes = 0;
  private queuedBytes = 0;
  private scheduled = false;
  private ended = false;

  constructor(
    private readonly call: ServerDuplexStream<Buffer, Buffer>,
    private readonly envelopeBytesMax: number,
    private readonly outboundBytesMax: number,
    private readonly log: (level: "error", message: string) => void,
  ) {}

  get closed(): boolean {
    return this.ended;
  }

  send(message: ServerMessage): void {
    if (this.ended) return;
    const size = sizeOf(message);
    if (this.pendingBytes + size > this.envelopeBytesMax && this.pending.length > 0) this.flush();
    this.pending.push(message);
    this.pendingBytes += size;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flushGuarded());
    }
  }

  end(): void {
    if (this.ended) return;
    this.flush();
    this.ended = true;
    this.call.end();
  }

  fail(code: status, details: string): void {
    if (this.ended) return;
    this.ended = true;
    this.pending = [];
    this.call.emit("error", { code, details });
  }

  /** A flush that throws fails this stream only (logged); a broken invariant still stops. */
  private flushGuarded(): void {
    try {
      this.flush();
    } catch (error) {
      if (error instanceof AssertionError) throw error;
      this.log("error", `writing a session stream failed: ${error instanceof Error ? error.stack : error}`);
      this.fail(status.INTERNAL, "internal error writing this stream");
    }
  }

  private flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0 || this.ended) return;
    const encoded = encodeResponse({ messages: this.pending });
    const bytes = Buffer.from(encoded.buffer, encoded.byteOffset, encoded.length);
    this.pending = [];
    this.pendingBytes = 0;
    this.queuedBytes += bytes.length;
    if (this.queuedBytes > this.outboundBytesMax) {
      this.fail(
        status.RESOURCE_EXHAUSTED,
        `slow consumer: ${this.queuedBytes} bytes queued exceed outboundBytesPerSessionMax ${this.outboundBytesMax}`,
      );
      return;
    }
    this.call.write(bytes, () => {
      this.queuedBytes -= bytes.length;
    });
  }
}
