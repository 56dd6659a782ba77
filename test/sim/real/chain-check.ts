import type { Entry } from "../../../server/consensus/ready.js";
import type { Txn } from "../../../server/gen/paddock/internal/v1/txn.js";

/** What identifies a committed transaction: its client (session, xid) and body kind. */
function signature(txn: Txn): string {
  const body = txn.body;
  const detail =
    body?.$case === "setData"
      ? `${body.value.path}=${Buffer.from(body.value.data).toString()}`
      : body?.$case === "create"
        ? body.value.path
        : "";
  return `${txn.sessionId.toString(16)}/${txn.cxid} ${body?.$case ?? "?"} ${detail}`;
}

/**
 * One committed chain over every member and incarnation: each applied zxid names one transaction,
 * each applied state has one successor (a member applies `zxid` right after the state it had,
 * recovered from a snapshot, installed by SNAP or applied before), and equal zxids give equal
 * tree digests. A commit that a later leader dropped shows as a second successor.
 */
export class ChainCheck {
  private readonly txnAt = new Map<number, string>();
  private readonly next = new Map<number, number>();
  private readonly digests = new Map<number, bigint>();
  /** Each committed transaction, for checkers that replay the chain (watch-stream-check.ts). */
  readonly txns = new Map<number, Txn>();
  /** Every committed setData as "path=data" (the clients' values are unique). */
  private readonly writes = new Set<string>();
  /** The highest zxid any member applied. */
  highest = 0;

  /** `fail` records a broken invariant (it runs inside the Ready loop, so it must not throw). */
  constructor(private readonly fail: (message: string) => void) {}

  /** Member `id` applied `entries` on top of its state at `prev`; returns the last zxid. */
  applied(id: number, prev: number, entries: readonly Entry[]): number {
    for (const e of entries) {
      const sig = signature(e.txn);
      const known = this.txnAt.get(e.zxid);
      const body = e.txn.body;
      if (body?.$case === "setData")
        this.writes.add(`${body.value.path}=${Buffer.from(body.value.data).toString()}`);
      if (known === undefined) {
        this.txnAt.set(e.zxid, sig);
        this.txns.set(e.zxid, e.txn);
      } else if (known !== sig)
        this.fail(`member ${id} applied ${hex(e.zxid)} as "${sig}", another member as "${known}"`);
      const after = this.next.get(prev);
      if (after === undefined) this.next.set(prev, e.zxid);
      else if (after !== e.zxid)
        this.fail(
          `committed histories diverge after ${hex(prev)}: ${hex(after)} and ${hex(e.zxid)} (member ${id})`,
        );
      if (!(e.zxid > prev)) this.fail(`member ${id} applied ${hex(e.zxid)} after ${hex(prev)}`);
      prev = e.zxid;
      this.highest = Math.max(this.highest, e.zxid);
    }
    return prev;
  }

  /** Member `id`'s tree digest at `zxid` must equal every other member's there. */
  digest(id: number, zxid: number, digest: bigint): void {
    const known = this.digests.get(zxid);
    if (known === undefined) this.digests.set(zxid, digest);
    else if (known !== digest)
      this.fail(`member ${id}: tree digest at ${hex(zxid)} differs from another member's`);
  }

  /** Whether a setData of `data` at `path` committed (an unanswered write did or did not happen). */
  wrote(path: string, data: string): boolean {
    return this.writes.has(`${path}=${data}`);
  }

  /** The transaction committed at `zxid`, if any member applied one. */
  at(zxid: number): string | undefined {
    return this.txnAt.get(zxid);
  }

  /** The committed zxids from `from` on, following the successor links. */
  follow(from: number): number[] {
    const out: number[] = [];
    for (let z = this.next.get(from); z !== undefined; z = this.next.get(z)) out.push(z);
    return out;
  }
}

export function hex(zxid: number): string {
  return `0x${zxid.toString(16)}`;
}
