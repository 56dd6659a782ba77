/**
 * The leader's record of which member holds each session's connection (ZooKeeper's session
 * owner): set when the session is created or resumed through a member, checked on every request
 * the leader takes for the session. A session moved to another member (a resume there) makes the
 * old member's connection stale: its requests are refused with SessionMoved and the connection is
 * closed, as ZooKeeper does. Soft state of the leader: a new leader starts empty and takes the
 * first member it hears from, as ZooKeeper's checkSession does with an owner not yet set.
 * Bounded by the sessions: an entry goes with its session.
 */
export class SessionOwners {
  private readonly owners = new Map<bigint, number>();

  /** The session now belongs to `member` (created or resumed there). */
  set(sessionId: bigint, member: number): void {
    this.owners.set(sessionId, member);
  }

  /** True if `member` may act for the session (its owner, or the first to ask since leading began). */
  claim(sessionId: bigint, member: number): boolean {
    const owner = this.owners.get(sessionId);
    if (owner === undefined) {
      this.owners.set(sessionId, member);
      return true;
    }
    return owner === member;
  }

  delete(sessionId: bigint): void {
    this.owners.delete(sessionId);
  }

  /** Leading ended or began: ownership is learned again. */
  clear(): void {
    this.owners.clear();
  }

  get size(): number {
    return this.owners.size;
  }
}
