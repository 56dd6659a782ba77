import type { Span } from "@opentelemetry/api";
import type { Reply, Request, ServerMessage } from "../gen/paddock/v1/session.js";
import type { AuthId } from "../tree/data-tree.js";

/** Where a requester's replies and events go; the front end flushes once per event-loop turn. */
export interface ReplySink {
  send(message: ServerMessage): void;
  /** No more messages for this connection (session closed, expired or moved). */
  end(): void;
}

/** A request of one requester that has not been answered yet, kept in arrival order. */
export interface Slot {
  readonly request: Request;
  /** Set once the answer is known; the reply waits until every earlier slot is answered. */
  reply: Reply | undefined;
  /** Execute only once this zxid is applied (sync, linearizable reads); 0 for none. */
  barrier: number;
  /** Absolute deadline in ms since the epoch; 0 for none. */
  deadline: number;
  span: Span | undefined;
}

/**
 * One session as the pipeline sees it (or one sessionless unary call, sessionId 0). The queue
 * gives FIFO per session: a reply leaves only when every earlier request of the session has left,
 * and a read runs only at the head, so it sees the session's own earlier writes.
 */
export class Requester {
  readonly queue: Slot[] = [];
  /** Identities for ACL checks: ip always, then digest ids added by addAuth. */
  readonly ids: AuthId[];
  sink: ReplySink | undefined;
  /** A close or expiry is in flight: new requests are refused with SessionExpired. */
  closing = false;

  constructor(
    readonly sessionId: bigint,
    ids: AuthId[],
    sink: ReplySink | undefined,
  ) {
    this.ids = ids;
    this.sink = sink;
  }

  get isSession(): boolean {
    return this.sessionId !== 0n;
  }
}
