import type { Entry } from "../../server/consensus/ready.js";
import type { ZabNode } from "../../server/consensus/zab-node.js";
import type { Txn } from "../../server/gen/paddock/internal/v1/txn.js";
import { Perms } from "../../server/tree/acl-check.js";
import type { ApplyOutcome } from "../../server/tree/data-tree.js";
import { Mode, Prep, type PrepContext, type TxnBody } from "../../server/tree/prep.js";
import { Code } from "../../server/util/error-code.js";
import { defaultLimits } from "../../server/util/limits.js";
import type { Prng } from "../../server/util/prng.js";
import {
  checkRegister,
  type RegisterInput,
  type RegisterOp,
  type RegisterOutput,
} from "./linearizability.js";
import { EPHEMERALS, type MemberState, QUEUE, REGISTERS } from "./member-state.js";
import { checkSequence, type SequenceOp } from "./sequence-check.js";

const OPEN = [{ perms: Perms.ALL, id: { scheme: "world", id: "anyone" } }];

export type ClientPlant = "read-without-barrier" | "ack-at-propose" | "stale-prep" | "no-closing-mark";

/** The member that leads now, as the sim sees it. */
export interface LeaderView {
  readonly id: number;
  readonly node: ZabNode;
  readonly state: MemberState;
}

interface Session {
  readonly id: bigint;
  open: boolean;
  ephemerals: number;
}

interface Pending {
  readonly member: number;
  readonly zxid: number;
  /** Called with the leader's apply outcome (and state) when it applies the zxid while leading. */
  readonly done: (outcome: ApplyOutcome, state: MemberState, now: number) => void;
}

/**
 * Clients of the simulated ensemble, served as the real leader serves them: requests are prepped
 * by the real Prep against the leader's tree plus outstanding changes, a write is acknowledged when
 * the leader applies it, and a linearizable read proposes a noop and reads the leader's tree when
 * the noop applies. A client whose leader stops leading first learns nothing: the operation stays
 * open (it may or may not have happened). Each client holds a session; the leader may expire it.
 */
export class ZkClients {
  private readonly registerOps: { key: string; op: RegisterOp }[] = [];
  private readonly sequenceOps: SequenceOp[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly sessions: (Session | undefined)[];
  private readonly opened = new Map<number, number>();
  /** Acknowledged ephemeral creates: path → owner. */
  readonly ephemerals = new Map<string, bigint>();
  private front: { member: number; node: ZabNode; prep: Prep } | undefined;
  private written = 0;
  private lastVersion = new Map<string, number>();

  constructor(
    private readonly rng: Prng,
    private readonly clients: number,
    private readonly plant: ClientPlant | undefined,
  ) {
    this.sessions = Array.from({ length: clients }, () => undefined);
  }

  get history(): readonly { key: string; op: RegisterOp }[] {
    return this.registerOps;
  }

  get sequences(): readonly SequenceOp[] {
    return this.sequenceOps;
  }

  /** Each idle client may start one operation against the current leader. */
  invoke(now: number, leader: LeaderView | undefined, members: readonly MemberState[]): void {
    if (leader === undefined || !leader.node.canPropose()) return;
    const prep = this.prepOf(leader, now);
    this.maybeExpire(leader, prep);
    for (let c = 0; c < this.clients; c++) {
      if (this.pending.has(c) || this.rng.below(4) !== 0 || !leader.node.canPropose()) continue;
      const session = this.sessions[c];
      if (session === undefined || !session.open) {
        // No session, or its open or close went unanswered: start a new one.
        this.openSession(c, leader, prep);
        continue;
      }
      const entry = leader.state.sessions.get(session.id);
      if (entry === undefined || entry.closing) {
        // Expired (or closing) on the leader: the client learns it and starts a new session.
        this.sessions[c] = undefined;
        continue;
      }
      this.operate(c, session, now, leader, prep, members);
    }
  }

  /** The real pipeline's front on the leader: one Prep per leadership, sessions restarted. */
  private prepOf(leader: LeaderView, now: number): Prep {
    // The planted bug: prep sees the applied tree only, not the changes still in flight.
    if (this.plant === "stale-prep")
      return new Prep(leader.state.tree, { limits: defaultLimits, extendedTypesEnabled: false });
    if (this.front?.node !== leader.node) {
      this.front = {
        member: leader.id,
        node: leader.node,
        prep: new Prep(leader.state.tree, { limits: defaultLimits, extendedTypesEnabled: false }),
      };
      leader.state.sessions.restartAll(now);
    }
    return this.front.prep;
  }

  /** The leader owns expiry: now and then it expires one open session. */
  private maybeExpire(leader: LeaderView, prep: Prep): void {
    if (this.rng.below(40) !== 0) return;
    const open = [...leader.state.sessions.entries()].filter((s) => !s.closing);
    if (open.length === 0) return;
    const victim = open[this.rng.below(open.length)]!.id;
    // The planted bug: the session keeps being served while its close is in flight.
    if (this.plant !== "no-closing-mark") leader.state.sessions.setClosing(victim);
    this.propose(leader, victim, (zxid) => prep.closeSession(victim, zxid));
  }

  private openSession(c: number, leader: LeaderView, prep: Prep): void {
    const n = (this.opened.get(c) ?? 0) + 1;
    this.opened.set(c, n);
    const session: Session = { id: (BigInt(c + 1) << 32n) | BigInt(n), open: false, ephemerals: 0 };
    this.sessions[c] = session;
    const zxid = this.propose(leader, session.id, (z) => prep.createSession(30_000, Buffer.alloc(16), z));
    this.pending.set(c, {
      member: leader.id,
      zxid,
      done: () => {
        session.open = true;
      },
    });
  }

  private operate(
    c: number,
    session: Session,
    now: number,
    leader: LeaderView,
    prep: Prep,
    members: readonly MemberState[],
  ): void {
    const ctx: PrepContext = { sessionId: session.id, ids: [], now, ephemeralAllowed: true };
    const roll = this.rng.below(100);
    const key = REGISTERS[this.rng.below(REGISTERS.length)]!;
    if (roll < 60) {
      const kind = roll < 25 ? "write" : roll < 45 ? "read" : "cas";
      const value = `c${c}-${this.written++}`;
      const input: RegisterInput =
        kind === "read"
          ? { kind }
          : kind === "write"
            ? { kind, value }
            : { kind, value, expect: this.lastVersion.get(key) ?? this.rng.below(3) };
      const op: RegisterOp = {
        id: this.registerOps.length,
        input,
        output: undefined,
        invoke: now,
        complete: Infinity,
      };
      if (kind === "read" && this.plant === "read-without-barrier") {
        // The planted bug: any member answers from its applied state at once, as a follower
        // would if linearizable reads skipped the barrier.
        const state = members[this.rng.below(members.length)] ?? leader.state;
        op.output = this.readRegister(state, key);
        op.complete = now;
        this.registerOps.push({ key, op });
        return;
      }
      let body: (zxid: number) => TxnBody;
      if (input.kind === "read") body = () => ({ $case: "noop", value: {} });
      else if (input.kind === "write") {
        body = (zxid) => prep.setData({ path: key, data: Buffer.from(input.value), version: -1 }, ctx, zxid);
      } else {
        const ops = [
          { op: { $case: "check" as const, value: { path: key, version: input.expect } } },
          {
            op: {
              $case: "setData" as const,
              value: { path: key, data: Buffer.from(input.value), version: -1 },
            },
          },
        ];
        body = (zxid) => prep.multi({ ops }, ctx, zxid);
      }
      this.registerOps.push({ key, op });
      const zxid = this.propose(leader, session.id, body);
      if (kind === "write" && this.plant === "ack-at-propose") {
        op.complete = now;
        return;
      }
      this.pending.set(c, {
        member: leader.id,
        zxid,
        done: (outcome, state, at) => {
          op.complete = at;
          op.output = this.registerOutput(input, outcome, state, key);
        },
      });
    } else if (roll < 80) {
      const op: SequenceOp = {
        tag: `s${this.sequenceOps.length}`,
        invoke: now,
        complete: Infinity,
        name: undefined,
      };
      this.sequenceOps.push(op);
      const req = {
        path: `${QUEUE}/s-`,
        data: Buffer.from(op.tag),
        acl: OPEN,
        mode: Mode.PersistentSequential,
        ttl: 0n,
      };
      const zxid = this.propose(leader, session.id, (z) => prep.create(req, ctx, z));
      this.pending.set(c, {
        member: leader.id,
        zxid,
        done: (outcome, _state, at) => {
          op.complete = at;
          if (outcome.result.$case === "create") op.name = outcome.result.value.path;
        },
      });
    } else if (roll < 96) {
      const path = `${EPHEMERALS}/${session.id.toString(16)}-${session.ephemerals++}`;
      const req = { path, data: Buffer.alloc(0), acl: OPEN, mode: Mode.Ephemeral, ttl: 0n };
      const zxid = this.propose(leader, session.id, (z) => prep.create(req, ctx, z));
      this.pending.set(c, {
        member: leader.id,
        zxid,
        done: (outcome) => {
          if (outcome.code === Code.OK) this.ephemerals.set(path, session.id);
        },
      });
    } else {
      // The client closes its own session; it opens a new one once the close is acknowledged.
      session.open = false;
      const zxid = this.propose(leader, session.id, (z) => prep.closeSession(session.id, z));
      this.pending.set(c, {
        member: leader.id,
        zxid,
        done: () => {
          this.sessions[c] = undefined;
        },
      });
    }
  }

  private readRegister(state: MemberState, key: string): RegisterOutput {
    const r = state.tree.getData(key, []);
    return { value: Buffer.from(r.data).toString(), version: r.stat!.version };
  }

  private registerOutput(input: RegisterInput, outcome: ApplyOutcome, state: MemberState, key: string) {
    let output: RegisterOutput;
    if (input.kind === "read") output = this.readRegister(state, key);
    else if (outcome.code === Code.BadVersion) output = null;
    else if (outcome.code !== Code.OK) throw new Error(`${input.kind} of ${key} failed with ${outcome.code}`);
    else if (outcome.result.$case === "setData") output = outcome.result.value.stat!.version;
    else if (outcome.result.$case === "multi") {
      const r = outcome.result.value.results[1]?.result;
      output = r?.$case === "setData" ? r.value.stat!.version : -1;
    } else output = -1;
    if (output !== null) this.lastVersion.set(key, typeof output === "number" ? output : output.version);
    return output;
  }

  /** Preps at the zxid the leader will assign, and proposes (no request here is ever refused). */
  private propose(leader: LeaderView, sessionId: bigint, build: (zxid: number) => TxnBody): number {
    const zxid = leader.node.peekZxid();
    const body = build(zxid);
    const txn: Txn = { zxid: 0n, sessionId, cxid: 0, time: 0n, origin: 0, originRef: 0, body };
    const assigned = leader.node.propose(txn);
    if (assigned !== zxid) throw new Error(`proposal got zxid ${assigned}, prep used ${zxid}`);
    return zxid;
  }

  /** Member `id` applied `entry` with `outcome`, while leading or not. */
  applied(
    id: number,
    entry: Entry,
    outcome: ApplyOutcome,
    state: MemberState,
    leading: boolean,
    now: number,
  ): void {
    if (leading && this.front?.member === id) this.front.prep.committed(entry.zxid);
    for (const [client, p] of this.pending) {
      if (p.member !== id || p.zxid !== entry.zxid) continue;
      this.pending.delete(client);
      // The real server fails requests in flight when its member stops leading.
      if (leading) p.done(outcome, state, now);
    }
  }

  /** The member crashed or stopped leading: its clients' operations stay open. */
  abandon(id: number): void {
    for (const [client, p] of this.pending) if (p.member === id) this.pending.delete(client);
    if (this.front !== undefined && this.front.node.currentRole !== "leading") this.front = undefined;
  }

  /** Undefined when every register's and the queue's history is linearizable. */
  check(finalQueue: ReadonlyMap<string, string>): string | undefined {
    for (const key of REGISTERS) {
      const problem = checkRegister(this.registerOps.filter((o) => o.key === key).map((o) => o.op));
      if (problem !== undefined) return `${key}: ${problem}`;
    }
    return checkSequence(this.sequenceOps, finalQueue);
  }
}
