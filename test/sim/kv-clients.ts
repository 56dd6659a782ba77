import type { Entry } from "../../server/consensus/ready.js";
import type { ZabNode } from "../../server/consensus/zab-node.js";
import type { Txn } from "../../server/gen/paddock/internal/v1/txn.js";
import type { Prng } from "../../server/util/prng.js";
import { txnOf } from "./disk.js";
import { checkRegister, type RegisterOp } from "./linearizability.js";

export type ClientPlant = "read-without-barrier" | "ack-at-propose";

interface Pending {
  readonly op: RegisterOp & { key: string };
  readonly member: number;
  readonly zxid: number;
}

/** The register a key holds after `applied` (the last setData of it). */
export function registerValue(applied: readonly Entry[], key: string): string | undefined {
  for (let i = applied.length - 1; i >= 0; i--) {
    const body = applied[i]!.txn.body;
    if (body?.$case === "setData" && body.value.path === key) return Buffer.from(body.value.data).toString();
  }
  return undefined;
}

/**
 * Clients of the simulated ensemble, as the real server serves them: a write is proposed on the
 * leader and acknowledged when the leader applies it; a linearizable read proposes a noop and
 * reads the leader's applied state when the noop applies. A client whose leader stops leading
 * before that learns nothing (the operation stays open: it may or may not have happened).
 */
export class KvClients {
  private readonly ops: (RegisterOp & { key: string })[] = [];
  private readonly pending = new Map<number, Pending>();
  private written = 0;

  constructor(
    private readonly rng: Prng,
    private readonly clients: number,
    private readonly keys: number,
    private readonly plant: ClientPlant | undefined,
  ) {}

  get history(): readonly RegisterOp[] {
    return this.ops;
  }

  /** Each idle client may start one operation against the current leader. */
  invoke(
    now: number,
    leader: { id: number; node: ZabNode; applied: readonly Entry[] } | undefined,
    members: readonly (readonly Entry[])[],
  ): void {
    for (let c = 0; c < this.clients; c++) {
      if (this.pending.has(c) || this.rng.below(4) !== 0 || leader === undefined) continue;
      if (!leader.node.canPropose()) continue;
      const key = `/k${this.rng.below(this.keys)}`;
      const write = this.rng.below(2) === 0;
      const op = {
        id: this.ops.length,
        kind: write ? ("write" as const) : ("read" as const),
        key,
        value: write ? `c${c}-${this.written++}` : undefined,
        invoke: now,
        complete: Number.POSITIVE_INFINITY,
      };
      this.ops.push(op);
      if (!write && this.plant === "read-without-barrier") {
        // The planted bug: any member answers from its applied state at once, as a follower
        // would if linearizable reads skipped the barrier.
        op.value = registerValue(members[this.rng.below(members.length)] ?? leader.applied, key);
        op.complete = now;
        continue;
      }
      const body: Txn["body"] = write
        ? { $case: "setData", value: { path: key, data: Buffer.from(op.value!), version: -1 } }
        : { $case: "noop", value: {} };
      const zxid = leader.node.propose(txnOf(body));
      if (write && this.plant === "ack-at-propose") {
        op.complete = now;
        continue;
      }
      this.pending.set(c, { op, member: leader.id, zxid });
    }
  }

  /** Member `id` applied `entry` (its applied list already holds it), while `leading` or not. */
  applied(id: number, entry: Entry, applied: readonly Entry[], leading: boolean, now: number): void {
    for (const [client, p] of this.pending) {
      if (p.member !== id || p.zxid !== entry.zxid) continue;
      this.pending.delete(client);
      // The real server fails requests in flight when its member stops leading.
      if (!leading) continue;
      p.op.complete = now;
      if (p.op.kind === "read") p.op.value = registerValue(applied, p.op.key);
    }
  }

  /** The member crashed or stopped leading: its clients' operations stay open. */
  abandon(id: number): void {
    for (const [client, p] of this.pending) if (p.member === id) this.pending.delete(client);
  }

  /** Undefined when every key's history is linearizable. */
  check(): string | undefined {
    const keys = new Set(this.ops.map((o) => o.key));
    for (const key of keys) {
      const problem = checkRegister(this.ops.filter((o) => o.key === key));
      if (problem !== undefined) return `${key}: ${problem}`;
    }
    return undefined;
  }
}
