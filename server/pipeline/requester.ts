import type { Span } from "@opentelemetry/api";
import type { Reply, Request, ServerMessage } from "../gen/paddock/v1/session.js";
import type { AuthId } from "../tree/data-tree.js";

/** Where a connection's replies and events go; the door flushes once per event-loop turn. */
export interface ReplySink {
  send(message: ServerMessage): void;
  /** No more messages for this connection (session closed, expired or moved). */
  end(): void;
}

/** A request of one requester that has not been answered yet, kept in arrival order. */
export interface Slot {
  readonly request: Request;
  /** The identities the request is checked with: the connection's as it arrived (as ZooKeeper). */
  readonly ids: readonly AuthId[];
  /** Set once the answer is known; the reply waits until every earlier slot is answered. */
  reply: Reply | undefined;
  /** Execute only once this zxid is applied (sync, linearizable reads); 0 for none. */
  barrier: number;
  /** Absolute deadline in ms since the epoch; 0 for none. */
  deadline: number;
  span: Span | undefined;
  /** When the request arrived, in PipelineDeps.monotonicMs: its latency ends when the reply leaves. */
  readonly arrivedMs: number;
}

/**
 * One session as the pipeline sees it (or one sessionless unary call, sessionId 0). The queue
 * gives FIFO per session: a reply leaves only when every earlier request of the session has left,
 * and a read runs only at the head, so it sees the session's own earlier writes.
 */
export class Requester {
  readonly queue: Slot[] = [];
  /** Identities for ACL checks: ip always, then those added by auth. Replaced, never changed. */
  private identities: readonly AuthId[];
  sink: ReplySink | undefined;
  /** A close or expiry is in flight: new requests are refused with SessionExpired. */
  closing = false;
  /**
   * A local session's upgrade is under way: its requests from the one that needs a global
   * session on wait here, in arrival order, until the CreateSession applies (FIFO per session).
   */
  held: Request[] | undefined = undefined;

  constructor(
    readonly sessionId: bigint,
    ids: readonly AuthId[],
    sink: ReplySink | undefined,
  ) {
    this.identities = ids;
    this.sink = sink;
  }

  get ids(): readonly AuthId[] {
    return this.identities;
  }

  /** Adds identities; requests that arrived earlier keep the list they arrived with. */
  addIds(ids: readonly AuthId[]): void {
    const fresh = ids.filter(
      (id) => !this.identities.some((have) => have.scheme === id.scheme && have.id === id.id),
    );
    if (fresh.length > 0) this.identities = [...this.identities, ...fresh];
  }

  get isSession(): boolean {
    return this.sessionId !== 0n;
  }
}
