import type { Op as MultiOp } from "../../../server/gen/paddock/v1/data.js";
import type { Reply, Request, ServerMessage } from "../../../server/gen/paddock/v1/session.js";
import type { FrontConnection, Op } from "../../../server/pipeline/front.js";
import { Mode } from "../../../server/tree/prep.js";
import { Code } from "../../../server/util/error-code.js";
import type { Prng } from "../../../server/util/prng.js";
import { checkRegister, type RegisterInput, type RegisterOp } from "../linearizability.js";
import { EPHEMERALS, QUEUE, REGISTERS } from "../member-state.js";
import { checkSequence, type SequenceOp } from "../sequence-check.js";
import type { SimMember } from "./sim-member.js";

const OPEN = Number.POSITIVE_INFINITY;

/** A write the server acknowledged: the transaction at `zxid` must be this client's (session, xid). */
export interface Acked {
  readonly zxid: number;
  readonly sessionId: bigint;
  readonly xid: number;
  readonly what: string;
}

interface Pending {
  readonly label: string;
  /** The xid whose reply completes the op (the last of the batch). */
  readonly xid: number;
  /** Earlier xids of the batch (sync before a read): an error there makes the outcome unknown. */
  readonly first: number;
  readonly reply: (reply: Reply) => void;
  readonly unknown: () => void;
}

interface Client {
  readonly index: number;
  conn: FrontConnection | undefined;
  member: number;
  connected: boolean;
  session: { id: bigint; password: Buffer } | undefined;
  lastZxidSeen: bigint;
  xid: number;
  pending: Pending | undefined;
  reconnectAt: number;
  ephemerals: number;
  /** Highest version this client saw per register (plain reads must not go back). */
  readonly seen: Map<string, number>;
}

export interface ClientStats {
  ops: number;
  answered: number;
  unknown: number;
  sessionsOpened: number;
  sessionsClosed: number;
  sessionsExpired: number;
  resumes: number;
  linearizableReads: number;
  syncReads: number;
  plainReads: number;
  casWrites: number;
}

/**
 * Clients of the simulated ensemble, going through the real front-end API (FrontConnection:
 * accept, connect, submit, drop) of any member: sessions opened, resumed elsewhere after a lost
 * connection (with lastZxidSeen), closed, abandoned to expire; setData with and without a version,
 * getData plain and linearizable, sync + getData, sequential creates, ephemerals. Each op's
 * invoke and completion (virtual time) and result are recorded; an op whose connection went away
 * (or that failed with ConnectionLoss) is unknown: it may or may not have happened.
 */
export class SimClients {
  private readonly clients: Client[];
  readonly registerOps: { key: string; op: RegisterOp }[] = [];
  readonly sequenceOps: SequenceOp[] = [];
  readonly acked: Acked[] = [];
  /** Acknowledged ephemeral creates: path → owner. */
  readonly ephemerals = new Map<string, bigint>();
  /** Sessions the client saw end (its close acknowledged, or told it expired). */
  readonly closedSessions = new Set<bigint>();
  /**
   * Of those, sessions told expired by a leader that had proposed their close, not yet applied.
   * As ZooKeeper (its leader's touchSession refuses a closing session on revalidation), such a
   * close may still be lost with that leader; the session then lives until it expires.
   */
  readonly toldWhileClosing = new Set<bigint>();
  /** Whether member `id` leads and has proposed the close of `sessionId` (set by the driver). */
  closeProposedAt: (id: number, sessionId: bigint) => boolean = () => false;
  /** One line per op, for a failing seed's report. */
  readonly trace: string[] = [];
  readonly stats: ClientStats = {
    ops: 0,
    answered: 0,
    unknown: 0,
    sessionsOpened: 0,
    sessionsClosed: 0,
    sessionsExpired: 0,
    resumes: 0,
    linearizableReads: 0,
    syncReads: 0,
    plainReads: 0,
    casWrites: 0,
  };
  private written = 0;
  /** Stop starting new ops (the healing phase). */
  quiet = false;
  /** Also multis (two ephemeral creates and a setData of the first): off, every seed runs as before. */
  multis = false;

  constructor(
    count: number,
    private readonly rng: Prng,
    private readonly now: () => number,
    private readonly tickMs: number,
    /** Records a broken guarantee (called from the pipeline's reply path: it must not throw). */
    private readonly fail: (message: string) => void,
  ) {
    this.clients = Array.from({ length: count }, (_, index) => ({
      index,
      conn: undefined,
      member: 0,
      connected: false,
      session: undefined,
      lastZxidSeen: 0n,
      xid: 0,
      pending: undefined,
      reconnectAt: 0,
      ephemerals: 0,
      seen: new Map(),
    }));
  }

  /** Every client: connect if it has no connection, else maybe start one op. */
  step(live: readonly SimMember[]): void {
    for (const c of this.clients) {
      if (c.conn === undefined) {
        if (this.now() >= c.reconnectAt && live.length > 0 && !this.quiet)
          this.connect(c, live[this.rng.below(live.length)]!);
        continue;
      }
      if (!c.connected || c.pending !== undefined || this.quiet || this.rng.below(2) !== 0) continue;
      const roll = this.rng.below(1000);
      if (roll < 8) {
        // Moves to another member: the session goes along (resumed there).
        this.disconnect(c, "moves");
      } else if (roll < 12) {
        // Walks away: the session expires on the leader and takes its ephemerals.
        this.disconnect(c, "abandons its session");
        c.session = undefined;
      } else {
        this.operate(c);
      }
    }
  }

  /** Every op still waiting is unknown from now on (the run is over). */
  finish(): void {
    for (const c of this.clients) if (c.pending !== undefined) this.lose(c);
  }

  private connect(c: Client, member: SimMember): void {
    const sink = {
      send: (m: ServerMessage) => this.received(c, conn, m),
      end: () => this.ended(c, conn),
    };
    const conn = member.pipeline.front.accept(`10.0.0.${c.index + 1}`, sink);
    c.conn = conn;
    c.member = member.id;
    c.connected = false;
    const resume = c.session;
    conn.connect({
      sessionId: resume?.id ?? 0n,
      password: resume?.password ?? Buffer.alloc(0),
      timeoutMs: 6 * 2000,
      lastZxidSeen: c.lastZxidSeen,
      auth: [],
      watches: undefined,
    });
  }

  private received(c: Client, conn: FrontConnection, m: ServerMessage): void {
    if (c.conn !== conn) return;
    const kind = m.kind;
    if (kind?.$case === "connected") {
      if (c.session === undefined) this.stats.sessionsOpened++;
      else this.stats.resumes++;
      c.session = { id: kind.value.sessionId, password: Buffer.from(kind.value.password) };
      c.connected = true;
      // The member had applied this much (the session's creation included): a resume elsewhere must
      // not land on a member behind it, which would not know the session yet. (clients/ts counts
      // only replies and events: its resume at such a member is told SessionExpired.)
      if (kind.value.zxid > c.lastZxidSeen) c.lastZxidSeen = kind.value.zxid;
    } else if (kind?.$case === "sessionEvent") {
      if (kind.value.error?.code === Code.SessionExpired && c.session !== undefined) {
        this.stats.sessionsExpired++;
        this.closedSessions.add(c.session.id);
        if (this.closeProposedAt(c.member, c.session.id)) this.toldWhileClosing.add(c.session.id);
        this.trace.push(
          `${this.now()} c${c.index}@m${c.member} session ${c.session.id.toString(16)} expired`,
        );
        c.session = undefined;
      }
    } else if (kind?.$case === "reply") {
      const reply = kind.value;
      if (reply.zxid > c.lastZxidSeen) c.lastZxidSeen = reply.zxid;
      const p = c.pending;
      if (p === undefined) return;
      if (reply.xid === p.first && reply.xid !== p.xid && reply.error !== undefined) {
        this.lose(c);
      } else if (reply.xid === p.xid) {
        c.pending = undefined;
        this.stats.answered++;
        p.reply(reply);
      }
    }
  }

  private ended(c: Client, conn: FrontConnection): void {
    // The transport closes, as a door's does when the front ends its connection (session-service,
    // jute/connection): without drop() the member counts it against maxClientCnxns for good.
    conn.drop();
    if (c.conn !== conn) return;
    c.conn = undefined;
    c.connected = false;
    if (c.pending !== undefined) this.lose(c);
    c.reconnectAt = this.now() + (1 + this.rng.below(5)) * this.tickMs;
  }

  private disconnect(c: Client, why: string): void {
    const conn = c.conn!;
    this.trace.push(`${this.now()} c${c.index}@m${c.member} ${why}`);
    c.conn = undefined;
    c.connected = false;
    conn.drop();
    c.reconnectAt = this.now() + this.rng.below(3) * this.tickMs;
  }

  private lose(c: Client): void {
    const p = c.pending!;
    c.pending = undefined;
    this.stats.unknown++;
    this.trace.push(`${this.now()} c${c.index}@m${c.member} ${p.label} → ? (unknown)`);
    p.unknown();
  }

  private submit(
    c: Client,
    label: string,
    ops: Op[],
    pending: Omit<Pending, "xid" | "first" | "label">,
  ): void {
    const requests: Request[] = ops.map((op) => ({ xid: ++c.xid, timeoutMs: 0, trace: {}, op }));
    c.pending = { label, xid: c.xid, first: requests[0]!.xid, ...pending };
    this.stats.ops++;
    c.conn!.submit(requests);
  }

  private answer(c: Client, label: string, result: string, invoke: number): void {
    this.trace.push(`${invoke}..${this.now()} c${c.index}@m${c.member} ${label} → ${result}`);
  }

  private operate(c: Client): void {
    const session = c.session!;
    // Drawn only with multis on, so runs without them keep their course seed for seed.
    if (this.multis && this.rng.below(10) === 0) {
      this.multiOp(c, session.id);
      return;
    }
    const roll = this.rng.below(100);
    const key = REGISTERS[this.rng.below(REGISTERS.length)]!;
    const invoke = this.now();
    if (roll < 55) {
      this.registerOp(c, key, roll);
      return;
    }
    if (roll < 63) {
      // A plain read: sequentially consistent, so only checked not to go back for this client.
      this.stats.plainReads++;
      const label = `read ${key}`;
      this.submit(c, label, [getData(key, false)], {
        reply: (reply) => {
          const r = reply.result;
          if (reply.error !== undefined || r?.$case !== "getData")
            return this.answer(c, label, "error", invoke);
          const version = r.value.stat!.version;
          const before = c.seen.get(key) ?? 0;
          if (version < before)
            this.fail(`c${c.index} read ${key}@v${version} at m${c.member} after it had seen v${before}`);
          c.seen.set(key, version);
          this.answer(c, label, `${Buffer.from(r.value.data).toString() || "-"}@v${version}`, invoke);
        },
        unknown: () => {},
      });
    } else if (roll < 80) {
      const op: SequenceOp = { tag: `s${this.sequenceOps.length}`, invoke, complete: OPEN, name: undefined };
      this.sequenceOps.push(op);
      const label = `create ${QUEUE}/s- ${op.tag}`;
      this.submit(c, label, [create(`${QUEUE}/s-`, op.tag, Mode.PersistentSequential)], {
        reply: (reply) => {
          const r = reply.result;
          if (reply.error !== undefined) return this.answer(c, label, `error ${reply.error.code}`, invoke);
          op.complete = this.now();
          op.name = r?.$case === "create" ? r.value.path : undefined;
          this.ack(c, reply, `create ${op.name ?? `${QUEUE}/s- (no name)`}`);
          this.answer(c, label, op.name ?? "ok (no name)", invoke);
        },
        unknown: () => {},
      });
    } else if (roll < 96) {
      const path = `${EPHEMERALS}/${session.id.toString(16)}-${c.ephemerals++}`;
      const label = `create -e ${path}`;
      this.submit(c, label, [create(path, "", Mode.Ephemeral)], {
        reply: (reply) => {
          if (reply.error !== undefined) return this.answer(c, label, `error ${reply.error.code}`, invoke);
          this.ephemerals.set(path, session.id);
          this.ack(c, reply, label);
          this.answer(c, label, "ok", invoke);
        },
        unknown: () => {},
      });
    } else {
      const label = `close ${session.id.toString(16)}`;
      this.submit(c, label, [{ $case: "close", value: {} }], {
        reply: (reply) => {
          if (reply.error !== undefined) return this.answer(c, label, `error ${reply.error.code}`, invoke);
          this.stats.sessionsClosed++;
          this.closedSessions.add(session.id);
          this.ack(c, reply, label);
          this.answer(c, label, "ok", invoke);
          c.session = undefined;
          if (c.conn !== undefined) this.disconnect(c, "leaves after close");
        },
        unknown: () => {},
      });
    }
  }

  /** One transaction of five changes: a watch stream must deliver them in one batch. */
  private multiOp(c: Client, sessionId: bigint): void {
    const first = `${EPHEMERALS}/${sessionId.toString(16)}-${c.ephemerals++}`;
    const second = `${EPHEMERALS}/${sessionId.toString(16)}-${c.ephemerals++}`;
    const label = `multi create -e ${first} ${second}, set ${first}`;
    const invoke = this.now();
    const node = (path: string) => ({ path, data: Buffer.alloc(0), acl: [], mode: Mode.Ephemeral, ttl: 0n });
    const ops: MultiOp[] = [
      { op: { $case: "create", value: node(first) } },
      { op: { $case: "create", value: node(second) } },
      { op: { $case: "setData", value: { path: first, data: Buffer.from(label), version: 0 } } },
    ];
    this.submit(c, label, [{ $case: "multi", value: { ops } }], {
      reply: (reply) => {
        if (reply.error !== undefined) return this.answer(c, label, `error ${reply.error.code}`, invoke);
        this.ephemerals.set(first, sessionId);
        this.ephemerals.set(second, sessionId);
        this.ack(c, reply, label);
        this.answer(c, label, "ok", invoke);
      },
      unknown: () => {},
    });
  }

  /** write (setData, no version), cas (setData at a version), linearizable read, sync + read. */
  private registerOp(c: Client, key: string, roll: number): void {
    const invoke = this.now();
    const value = `c${c.index}-${this.written++}`;
    const kind = roll < 20 ? "write" : roll < 30 ? "cas" : roll < 45 ? "read" : "sync";
    const expect = c.seen.get(key) ?? this.rng.below(3);
    const input: RegisterInput =
      kind === "write" ? { kind, value } : kind === "cas" ? { kind, value, expect } : { kind: "read" };
    const op: RegisterOp = { id: this.registerOps.length, input, output: undefined, invoke, complete: OPEN };
    this.registerOps.push({ key, op });
    const label =
      kind === "write"
        ? `set ${key} ${value}`
        : kind === "cas"
          ? `set ${key} ${value} @v${expect}`
          : `${kind === "read" ? "lin-read" : "sync+read"} ${key}`;
    const ops: Op[] =
      kind === "write"
        ? [setData(key, value, undefined)]
        : kind === "cas"
          ? [setData(key, value, expect)]
          : kind === "read"
            ? [getData(key, true)]
            : [{ $case: "sync", value: { path: key } }, getData(key, false)];
    if (kind === "cas") this.stats.casWrites++;
    if (kind === "read") this.stats.linearizableReads++;
    if (kind === "sync") this.stats.syncReads++;
    this.submit(c, label, ops, {
      reply: (reply) => {
        const r = reply.result;
        if (kind === "cas" && reply.error?.code === Code.BadVersion) {
          op.output = null;
          op.complete = this.now();
          return this.answer(c, label, "bad version", invoke);
        }
        if (reply.error !== undefined)
          return this.answer(c, label, `error ${reply.error.code} (unknown)`, invoke);
        if (r?.$case === "setData") {
          const version = r.value.stat?.version;
          op.output = version;
          op.complete = this.now();
          if (version !== undefined) c.seen.set(key, Math.max(c.seen.get(key) ?? 0, version));
          this.ack(c, reply, label);
          return this.answer(c, label, `v${version ?? "?"}`, invoke);
        }
        if (r?.$case === "getData") {
          const version = r.value.stat!.version;
          op.output = { value: Buffer.from(r.value.data).toString(), version };
          op.complete = this.now();
          c.seen.set(key, Math.max(c.seen.get(key) ?? 0, version));
          return this.answer(c, label, `${op.output.value || "-"}@v${version}`, invoke);
        }
        if (r === undefined && kind !== "read" && kind !== "sync") {
          // Acknowledged without a result: the write took effect, its version is not known.
          op.complete = this.now();
          this.ack(c, reply, label);
          return this.answer(c, label, "ok (no result)", invoke);
        }
        this.answer(c, label, `unexpected ${r?.$case}`, invoke);
      },
      unknown: () => {},
    });
  }

  private ack(c: Client, reply: Reply, what: string): void {
    this.acked.push({ zxid: Number(reply.zxid), sessionId: c.session!.id, xid: reply.xid, what });
  }

  /**
   * The histories, with each register's final value read from the converged tree (a read that
   * starts after every op ended): undefined when linearizable. An unanswered write whose value
   * never committed (`committed`, from the checked chain) did not happen and is left out: that
   * keeps the search small.
   */
  check(
    finalRegisters: ReadonlyMap<string, { value: string; version: number }>,
    queue: ReadonlyMap<string, string>,
    committed: (key: string, value: string) => boolean,
  ): string | undefined {
    const end = this.now() + 1;
    for (const key of REGISTERS) {
      const ops = this.registerOps
        .filter((o) => o.key === key)
        .map((o) => o.op)
        .filter((op) => op.complete !== OPEN || op.input.kind === "read" || committed(key, op.input.value));
      const last = finalRegisters.get(key);
      if (last !== undefined)
        ops.push({ id: ops.length, input: { kind: "read" }, output: last, invoke: end, complete: end });
      const problem = checkRegister(ops);
      if (problem !== undefined) return `${key}: ${problem}`;
    }
    const seq = checkSequence(this.sequenceOps, queue);
    return seq === undefined ? undefined : `${QUEUE}: ${seq}`;
  }
}

function getData(path: string, linearizable: boolean): Op {
  return { $case: "getData", value: { path, watch: false, consistency: linearizable ? 1 : 0 } };
}

function setData(path: string, value: string, version: number | undefined): Op {
  return { $case: "setData", value: { path, data: Buffer.from(value), version } };
}

function create(path: string, data: string, mode: number): Op {
  return { $case: "create", value: { path, data: Buffer.from(data), acl: [], mode, ttl: 0n } };
}
