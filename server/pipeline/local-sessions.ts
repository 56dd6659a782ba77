import type { Requester } from "./requester.js";

/** Sessions with a requester on this member, attached to a connection or not. */
export class LocalSessions {
  private readonly bySession = new Map<bigint, Requester>();

  get size(): number {
    return this.bySession.size;
  }

  get(sessionId: bigint): Requester | undefined {
    return this.bySession.get(sessionId);
  }

  set(requester: Requester): void {
    this.bySession.set(requester.sessionId, requester);
  }

  delete(sessionId: bigint): void {
    this.bySession.delete(sessionId);
  }

  values(): IterableIterator<Requester> {
    return this.bySession.values();
  }

  /** Ends every connection; with `forget`, the sessions are no longer local either. */
  endAll(forget: boolean): void {
    for (const requester of this.bySession.values()) {
      requester.sink?.end();
      requester.sink = undefined;
    }
    if (forget) this.bySession.clear();
  }
}
