import { type SessionEntry, SessionTable } from "../sessions/index.js";

/** zoo.cfg's localSessionsEnabled (this tracker exists) and localSessionsUpgradingEnabled. */
export interface LocalSessionOptions {
  readonly upgrading: boolean;
}

/**
 * ZooKeeper's local sessions (LocalSessionTracker): sessions opened on this member with no
 * transaction, so a storm of connects costs the ensemble nothing. Only this member knows them: it
 * touches and expires them itself, and closes them without a transaction, since a local session
 * owns no ephemeral. An ephemeral create upgrades the session (a CreateSession transaction for the
 * same id, password and timeout: then it is global and leaves this table) or, without upgrading,
 * is refused with EphemeralOnLocalSession. Not to be confused with LocalSessions, the requesters
 * attached to this member whatever their kind.
 */
export class LocalSessionTracker {
  /** Deadlines in tick buckets, as the global table; timeouts arrive negotiated already. */
  private readonly table: SessionTable;

  constructor(
    readonly options: LocalSessionOptions,
    tickMs: number,
    sessionsMax: number,
  ) {
    this.table = new SessionTable({ tickMs, minTimeoutMs: 1, maxTimeoutMs: 0x7fff_ffff, sessionsMax });
  }

  get size(): number {
    return this.table.size;
  }

  /** A live local session of this member (not closed or expired). */
  has(id: bigint): boolean {
    const entry = this.table.get(id);
    return entry !== undefined && !entry.closing;
  }

  get(id: bigint): SessionEntry | undefined {
    const entry = this.table.get(id);
    return entry?.closing ? undefined : entry;
  }

  add(id: bigint, timeoutMs: number, password: Uint8Array, now: number): void {
    this.table.add(id, timeoutMs, password, now);
  }

  /** True when the session is local here (and its deadline moved). */
  touch(id: bigint, now: number): boolean {
    return this.table.touch(id, now);
  }

  /** Closed, expired, or global now (its CreateSession applied). */
  remove(id: bigint): void {
    this.table.remove(id);
  }

  /** Every session, removed from the table (the member stopped serving). */
  removeAll(): bigint[] {
    const ids = this.table.ids();
    for (const id of ids) this.table.remove(id);
    return ids;
  }

  /** Sessions past their deadline, removed from the table. */
  expire(now: number): bigint[] {
    const expired = this.table.expire(now);
    for (const id of expired) this.table.remove(id);
    return expired;
  }
}
