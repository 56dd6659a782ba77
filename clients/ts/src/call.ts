/**
 * One request's life in the client: queued (no xid yet) → in flight (xid assigned as it goes into
 * an envelope, so xids increase in send order) → settled by its reply, by its deadline, or by
 * the connection failing. `done` turns true once its promise has settled; a call whose deadline
 * passed while in flight keeps its slot until the server answers, so the in-flight count never
 * exceeds what the server was promised.
 */
import type { Reply, Request } from "../gen/paddock/v1/session.js";
import type { PaddockError } from "./errors.js";

export type RequestOp = NonNullable<Request["op"]>;

export interface Call {
  xid: number;
  readonly op: RequestOp;
  /** Absolute deadline in ms (Date.now clock); Infinity for none. */
  readonly deadline: number;
  readonly trace: Record<string, string>;
  /** Rough encoded size, to split envelopes. */
  readonly bytes: number;
  done: boolean;
  /** Runs synchronously while the envelope is decoded (watch registration happens here). */
  readonly onReply: (reply: Reply) => void;
  readonly onFail: (error: PaddockError) => void;
}

/** A deque of calls waiting for a slot; removal of settled calls is lazy. */
export class CallQueue {
  private items: (Call | undefined)[] = [];
  private head = 0;
  /** Calls waiting whose promise is still open. */
  live = 0;

  push(call: Call): void {
    this.items.push(call);
    this.live++;
  }

  /** The next call still open, removed from the queue; undefined when empty. */
  shift(): Call | undefined {
    while (this.head < this.items.length) {
      const call = this.items[this.head];
      this.items[this.head++] = undefined;
      if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
      if (call !== undefined && !call.done) {
        this.live--;
        return call;
      }
    }
    return undefined;
  }

  /** Marks a waiting call settled (its promise was settled by someone else). */
  settled(): void {
    this.live--;
  }

  *open(): Generator<Call> {
    for (let i = this.head; i < this.items.length; i++) {
      const call = this.items[i];
      if (call !== undefined && !call.done) yield call;
    }
  }

  clear(): Call[] {
    const out = [...this.open()];
    this.items = [];
    this.head = 0;
    this.live = 0;
    return out;
  }
}

/**
 * Calls sent and not yet answered, in send (xid) order. The server answers a session's requests in
 * order, so a reply matches the oldest call; any other xid is looked for further on. A Map keyed by
 * xid would do, but one under constant set/delete rehashes every few hundred calls and V8 links each
 * discarded table to the next: once one table had been promoted, every later call stayed alive
 * into the old generation (measured in the bench's generators: ~2 MB promoted per scavenge and
 * 4 ms pauses). Slots are cleared as calls leave, so nothing stale is kept.
 */
export class InFlightCalls {
  private items: (Call | undefined)[] = [];
  private head = 0;
  size = 0;

  add(call: Call): void {
    this.items.push(call);
    this.size++;
  }

  /** The call with this xid, removed; undefined if none is in flight. */
  take(xid: number): Call | undefined {
    for (let i = this.head; i < this.items.length; i++) {
      const call = this.items[i];
      if (call === undefined || call.xid !== xid) continue;
      this.items[i] = undefined;
      this.size--;
      while (this.head < this.items.length && this.items[this.head] === undefined) this.head++;
      if (this.head === this.items.length) {
        this.items.length = 0;
        this.head = 0;
      } else if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
      return call;
    }
    return undefined;
  }

  *values(): Generator<Call> {
    for (let i = this.head; i < this.items.length; i++) {
      const call = this.items[i];
      if (call !== undefined) yield call;
    }
  }

  /** Every call in flight, oldest first, leaving none. */
  clear(): Call[] {
    const out = [...this.values()];
    this.items = [];
    this.head = 0;
    this.size = 0;
    return out;
  }
}

/**
 * One timer for every call's deadline, armed for the earliest; when it fires the owner sweeps
 * its open calls and re-arms for the next. A call answered in time leaves the timer armed: the
 * sweep then finds nothing, which costs one scan per earliest deadline, not one timer per call.
 */
export class DeadlineTimer {
  private timer: NodeJS.Timeout | undefined;
  private armedAt = Number.POSITIVE_INFINITY;

  constructor(private readonly sweep: (now: number) => void) {}

  arm(deadline: number): void {
    if (deadline >= this.armedAt) return;
    clearTimeout(this.timer);
    this.armedAt = deadline;
    this.timer = setTimeout(
      () => {
        this.armedAt = Number.POSITIVE_INFINITY;
        this.sweep(Date.now());
      },
      Math.max(0, deadline - Date.now()),
    );
  }

  clear(): void {
    clearTimeout(this.timer);
    this.armedAt = Number.POSITIVE_INFINITY;
  }
}
