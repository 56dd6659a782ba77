import { Metadata, type ServerWritableStream } from "@grpc/grpc-js";
import type { SchedulerLike } from "rxjs";
import { WatchStreamRequest, WatchStreamResponse } from "../../../server/gen/paddock/v1/watch.js";

type Listener = (arg?: unknown) => void;

/** What the client side of a call hears: each message as the transport hands it over, then the end. */
export interface WatchCallClient {
  message(response: WatchStreamResponse): void;
  /** The server wrote this message (before the transport took it): a check of the server's decision. */
  written(response: WatchStreamResponse): void;
  /** The call ended: `error` when the server answered an error status instead of a stream. */
  ended(error: string | undefined): void;
}

/**
 * The server end of one WatchService/Watch call, as grpc-js hands it to watch-service.ts: the
 * request, metadata, peer, `write(bytes, callback)`, `end()`, `emit("error")` and the
 * "cancelled"/"error" listeners. Its transport takes written messages in order, on the
 * simulation's clock; a stalled reader (`stallUntil`) leaves them queued, so the door's bytes in
 * flight grow and the server's slow-consumer policy acts. A call cut by a crash loses what was
 * queued and never hears from the server again; a client that goes away cancels it.
 */
export class SimWatchCall {
  readonly metadata = new Metadata();
  readonly request: WatchStreamRequest;
  private readonly listeners = new Map<string, { listener: Listener; once: boolean }[]>();
  private readonly queue: { bytes: Buffer; taken: () => void }[] = [];
  private draining = false;
  private over = false;
  /** The reader takes nothing before this virtual time. */
  stallUntil = 0;

  constructor(
    request: Partial<WatchStreamRequest>,
    private readonly peer: string,
    private readonly scheduler: SchedulerLike,
    private readonly client: WatchCallClient,
  ) {
    this.request = WatchStreamRequest.fromPartial(request);
  }

  /** The shape the door's handler takes. */
  asServerCall(): ServerWritableStream<WatchStreamRequest, Buffer> {
    return this as unknown as ServerWritableStream<WatchStreamRequest, Buffer>;
  }

  get ended(): boolean {
    return this.over;
  }

  getPeer(): string {
    return `ipv4:${this.peer}:40000`;
  }

  getAuthContext(): null {
    return null;
  }

  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), { listener, once: false }]);
    return this;
  }

  once(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), { listener, once: true }]);
    return this;
  }

  /** The door answers an error status (a refused open, a message over the limit): the call is over. */
  emit(event: string, arg?: unknown): boolean {
    this.fire(event, arg);
    if (event === "error") {
      this.finish((arg as { details?: string } | undefined)?.details ?? String(arg));
      this.fire("close");
    }
    return true;
  }

  /** Calls the server's listeners as grpc-js's stream (an EventEmitter) would. */
  private fire(event: string, arg?: unknown): void {
    const listeners = this.listeners.get(event) ?? [];
    this.listeners.set(
      event,
      listeners.filter((l) => !l.once),
    );
    for (const l of listeners) l.listener(arg);
  }

  write(bytes: Buffer, taken: () => void): boolean {
    if (this.over) return false;
    this.client.written(WatchStreamResponse.decode(bytes));
    this.queue.push({ bytes, taken });
    this.drain();
    return true;
  }

  /** The server ends the stream (after a WatchCanceled): the end reaches the client after the queue. */
  end(): void {
    this.queue.push({
      bytes: Buffer.alloc(0),
      taken: () => {
        this.fire("finish");
        this.finish(undefined);
        this.fire("close");
      },
    });
    this.drain();
  }

  /** The client goes away (or the network between): the server hears "cancelled". */
  cancel(): void {
    if (this.over) return;
    this.over = true;
    this.queue.length = 0;
    this.fire("cancelled");
    this.fire("close");
  }

  /** The member crashed: queued bytes are lost, the client sees the connection fail; no server event. */
  cut(): void {
    if (this.over) return;
    this.queue.length = 0;
    this.finish("the member crashed");
  }

  private finish(error: string | undefined): void {
    if (this.over) return;
    this.over = true;
    this.queue.length = 0;
    this.client.ended(error);
  }

  /** Hands queued messages to the client in order, pausing while the reader stalls. */
  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    this.scheduler.schedule(() => this.take(), Math.max(0, this.stallUntil - this.scheduler.now()));
  }

  private take(): void {
    this.draining = false;
    if (this.over) return;
    if (this.scheduler.now() < this.stallUntil) {
      this.drain();
      return;
    }
    for (let next = this.queue.shift(); next !== undefined && !this.over; next = this.queue.shift()) {
      if (next.bytes.length > 0) this.client.message(WatchStreamResponse.decode(next.bytes));
      next.taken();
    }
  }
}
