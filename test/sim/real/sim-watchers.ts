import type { SchedulerLike } from "rxjs";
import { watchServiceHandlers } from "../../../server/api/watch-service.js";
import {
  WatchCancelReason,
  type WatchChange,
  type WatchStreamResponse,
} from "../../../server/gen/paddock/v1/watch.js";
import type { Prng } from "../../../server/util/prng.js";
import { hex } from "./chain-check.js";
import type { SimMember } from "./sim-member.js";
import { SimWatchCall } from "./sim-watch-call.js";

/** One transaction's changes as a stream delivered them, each change as comparable text. */
export interface DeliveredBatch {
  readonly zxid: number;
  readonly changes: readonly string[];
}

/**
 * What one client's resumable watch delivered across all its calls, as one stream: from `start`
 * (the zxid it covers changes after) to `position` (everything up to it delivered). It ends only
 * at COMPACTED (a client must re-read) or when the watcher starts over from another zxid.
 */
export interface Lineage {
  readonly name: string;
  readonly childrenEvents: boolean;
  /** Undefined until a stream opened "from now" tells where it stands (its first progress). */
  start: number | undefined;
  /** A stream from now whose first message was a change: its start is that change's predecessor. */
  startBeforeFirst: boolean;
  position: number | undefined;
  readonly delivered: DeliveredBatch[];
  /** Opens and ends, for a failing seed's report. */
  readonly log: string[];
}

export interface WatcherStats {
  watchOpens: number;
  watchResumes: number;
  watchRefused: number;
  watchOpensAtLeader: number;
  watchOpensAtFollower: number;
  watchCutByCrash: number;
  watchClientDrops: number;
  watchStalls: number;
  watchUnavailable: number;
  watchSlowConsumer: number;
  watchCompacted: number;
  watchProbes: number;
  watchBatches: number;
  watchProgress: number;
}

interface Watcher {
  readonly index: number;
  lineage: Lineage;
  call: SimWatchCall | undefined;
  member: SimMember | undefined;
  /** from_zxid of the open call. */
  requested: number | undefined;
  /** That from_zxid was older than the member's history when the call opened: only COMPACTED may come. */
  tooOld: boolean;
  reopenAt: number;
}

/** Progress every 5 core ticks when idle: streams from now learn their start soon. */
const PROGRESS_MS = 500;

/**
 * Clients of resumable watch streams (WatchService/Watch, recursive on "/", with data), opened on
 * any member through the door's own handler (watch-service.ts) over a simulated call
 * (sim-watch-call.ts). When a stream ends (the member crashed, canceled it as unavailable or for a
 * slow consumer, the client's connection dropped, or the open was refused) the client reopens it
 * on a random live member from the last zxid it saw, as the clients do. The checks made as
 * messages arrive are here (no zxid twice or backwards across reopenings, COMPACTED only for a
 * start older than the member's history, nothing served from before it); what needs the final
 * committed chain is in watch-stream-check.ts.
 */
export class SimWatchers {
  private readonly watchers: Watcher[];
  readonly lineages: Lineage[] = [];
  readonly stats: WatcherStats = {
    watchOpens: 0,
    watchResumes: 0,
    watchRefused: 0,
    watchOpensAtLeader: 0,
    watchOpensAtFollower: 0,
    watchCutByCrash: 0,
    watchClientDrops: 0,
    watchStalls: 0,
    watchUnavailable: 0,
    watchSlowConsumer: 0,
    watchCompacted: 0,
    watchProbes: 0,
    watchBatches: 0,
    watchProgress: 0,
  };
  /** No drops, stalls or probes (the healing phase): streams only reopen until caught up. */
  quiet = false;

  constructor(
    count: number,
    private readonly rng: Prng,
    private readonly scheduler: SchedulerLike,
    private readonly tickMs: number,
    /** The committed zxids so far, for a watcher that starts over from one of them. */
    private readonly committed: () => readonly number[],
    /** Records a broken guarantee (called inside the serving stack: it must not throw). */
    private readonly fail: (message: string) => void,
  ) {
    this.watchers = Array.from({ length: count }, (_, index) => ({
      index,
      lineage: this.newLineage(index, undefined),
      call: undefined,
      member: undefined,
      requested: undefined,
      tooOld: false,
      reopenAt: 0,
    }));
  }

  private now(): number {
    return this.scheduler.now();
  }

  private newLineage(index: number, from: number | undefined): Lineage {
    const lineage: Lineage = {
      name: `w${index}.${this.lineages.length}`,
      childrenEvents: this.rng.below(2) === 0,
      start: from,
      startBeforeFirst: false,
      position: from,
      delivered: [],
      log: [],
    };
    this.lineages.push(lineage);
    return lineage;
  }

  /** Every watcher: reopen a stream that ended; now and then drop a connection, stall, start over. */
  step(live: readonly SimMember[]): void {
    for (const w of this.watchers) {
      if (w.call === undefined) {
        if (this.now() >= w.reopenAt && live.length > 0) this.open(w, live[this.rng.below(live.length)]!);
        continue;
      }
      if (this.quiet) continue;
      const roll = this.rng.below(1000);
      if (roll < 4) {
        this.stats.watchClientDrops++;
        this.note(w, "client connection dropped");
        this.drop(w);
      } else if (roll < 8) {
        this.stats.watchStalls++;
        w.call.stallUntil = this.now() + (20 + this.rng.below(60)) * this.tickMs;
      } else if (roll < 10) {
        // Starts over from a committed zxid of the past: old starts meet the members' history limits.
        this.stats.watchProbes++;
        this.note(w, "starts over");
        this.drop(w);
        const zxids = this.committed();
        w.lineage = this.newLineage(w.index, zxids[this.rng.below(zxids.length)]);
      }
    }
  }

  /** A member crashed: its streams' connections fail, what was in flight to the clients is lost. */
  memberCrashed(member: SimMember): void {
    for (const w of this.watchers) {
      if (w.member !== member || w.call === undefined) continue;
      this.stats.watchCutByCrash++;
      w.call.cut();
    }
  }

  /** Every watcher's stream is open and has delivered up to `zxid`. */
  caughtUp(zxid: number): boolean {
    return this.watchers.every((w) => w.call !== undefined && (w.lineage.position ?? -1) >= zxid);
  }

  /** The run is over: every client leaves. */
  finish(): void {
    for (const w of this.watchers) if (w.call !== undefined) this.drop(w);
  }

  private note(w: Watcher, what: string): void {
    w.lineage.log.push(`${this.now()} ${what}`);
  }

  private drop(w: Watcher): void {
    const call = w.call!;
    w.call = undefined;
    call.cancel();
    w.reopenAt = this.now() + this.rng.below(3) * this.tickMs;
  }

  private open(w: Watcher, member: SimMember): void {
    const lineage = w.lineage;
    const from = lineage.position;
    this.stats.watchOpens++;
    if (lineage.delivered.length > 0 || lineage.start !== undefined) this.stats.watchResumes++;
    w.member = member;
    w.requested = from;
    w.tooOld = from !== undefined && from < member.historyFrom;
    this.note(
      w,
      `opens at m${member.id}.${member.incarnation} from ${from === undefined ? "now" : hex(from)}`,
    );
    const call: SimWatchCall = new SimWatchCall(
      {
        path: "/",
        recursive: true,
        withData: true,
        childrenEvents: lineage.childrenEvents,
        progressIntervalMs: PROGRESS_MS,
        ...(from === undefined ? {} : { fromZxid: BigInt(from) }),
      },
      `10.0.1.${w.index + 1}`,
      this.scheduler,
      {
        written: (m) => this.written(w, call, member, m),
        message: (m) => {
          if (w.call === call) this.message(w, m);
        },
        ended: (error) => {
          if (w.call !== call) return;
          if (error !== undefined) this.note(w, `ended: ${error}`);
          w.call = undefined;
          w.reopenAt = this.now() + this.rng.below(4) * this.tickMs;
        },
      },
    );
    w.call = call;
    const handlers = watchServiceHandlers(member.pipeline.front, (_level, message) =>
      this.fail(`WatchService/Watch logged an internal error at m${member.id}: ${message}`),
    );
    handlers.watch(call.asServerCall());
    // A member not serving refuses the open (ConnectionLoss): the client tries again elsewhere.
    // Nothing else may refuse these requests.
    if (call.ended) {
      this.stats.watchRefused++;
      const why = lineage.log[lineage.log.length - 1] ?? "";
      if (!why.includes("not serving")) this.fail(`${lineage.name}: open refused: ${why}`);
    } else if (member.replica.view.role === "leading") this.stats.watchOpensAtLeader++;
    else this.stats.watchOpensAtFollower++;
  }

  /** The server's decision, judged against the member's state when it made it. */
  private written(w: Watcher, call: SimWatchCall, member: SimMember, m: WatchStreamResponse): void {
    const kind = m.kind;
    const base = member.historyFrom;
    const where = `${w.lineage.name} at m${member.id}.${member.incarnation}`;
    if (kind?.$case === "canceled" && kind.value.reason === WatchCancelReason.WATCH_CANCEL_REASON_COMPACTED) {
      const at = Number(kind.value.lastZxid);
      const oldest = Number(kind.value.oldestZxid);
      if (!(at < base) || oldest !== base)
        this.fail(
          `${where}: COMPACTED at ${hex(at)} (oldest ${hex(oldest)}), but the member's history holds every change after ${hex(base)}`,
        );
      return;
    }
    // A start the history could not serve must be refused, never served with a gap.
    if (kind?.$case !== "canceled" && call === w.call && w.tooOld)
      this.fail(
        `${where}: served ${kind?.$case} from ${hex(w.requested!)}, older than its history (after ${hex(base)})`,
      );
  }

  private message(w: Watcher, m: WatchStreamResponse): void {
    const kind = m.kind;
    if (kind === undefined) return;
    const lineage = w.lineage;
    if (kind.$case === "progress") {
      this.stats.watchProgress++;
      this.advance(w, Number(kind.value.zxid), "progress");
    } else if (kind.$case === "changes") {
      const zxid = Number(kind.value.zxid);
      // These streams do not ask for fragments: a transaction's changes come in one message.
      if (kind.value.fragment)
        this.fail(`${lineage.name}: ${hex(zxid)} came in fragments, which the stream did not ask for`);
      this.batch(w, zxid, kind.value.changes);
    } else {
      const c = kind.value;
      const reason = c.reason;
      this.note(w, `canceled ${WatchCancelReason[reason]} at ${hex(Number(c.lastZxid))}`);
      if (reason === WatchCancelReason.WATCH_CANCEL_REASON_COMPACTED) {
        // The client re-reads and watches anew from the oldest zxid the member offers.
        this.stats.watchCompacted++;
        w.lineage = this.newLineage(w.index, Number(c.oldestZxid));
        return;
      }
      if (reason === WatchCancelReason.WATCH_CANCEL_REASON_SLOW_CONSUMER) this.stats.watchSlowConsumer++;
      if (reason === WatchCancelReason.WATCH_CANCEL_REASON_MEMBER_UNAVAILABLE) this.stats.watchUnavailable++;
      this.advance(w, Number(c.lastZxid), "canceled");
    }
  }

  private advance(w: Watcher, zxid: number, what: string): void {
    const lineage = w.lineage;
    if (lineage.position !== undefined && zxid < lineage.position)
      this.fail(
        `${lineage.name}: ${what} at ${hex(zxid)} after the stream had delivered up to ${hex(lineage.position)}: a resume from it repeats changes`,
      );
    if (lineage.start === undefined && !lineage.startBeforeFirst) lineage.start = zxid;
    lineage.position = Math.max(lineage.position ?? zxid, zxid);
  }

  private batch(w: Watcher, zxid: number, changes: readonly WatchChange[]): void {
    const lineage = w.lineage;
    this.stats.watchBatches++;
    if (lineage.position !== undefined && zxid <= lineage.position)
      this.fail(
        `${lineage.name}: ${hex(zxid)} delivered after ${hex(lineage.position)} (a zxid twice or out of order across ${lineage.log.length} opens and ends: ${lineage.log.slice(-6).join("; ")})`,
      );
    if (lineage.start === undefined) lineage.startBeforeFirst = true;
    lineage.delivered.push({ zxid, changes: changes.map(changeText) });
    lineage.position = zxid;
  }
}

/** A change as comparable text: type, path, and with data the bytes, the null flag and the stat. */
export function changeText(c: WatchChange): string {
  const head = `${c.type} ${c.path}`;
  if (c.stat === undefined) return head;
  const s = c.stat;
  const stat = [s.czxid, s.mzxid, s.pzxid, s.ctime, s.mtime, s.version, s.cversion, s.aversion]
    .concat([s.ephemeralOwner, s.dataLength, s.numChildren])
    .join(",");
  return `${head} ${Buffer.from(c.data).toString("hex")}${c.dataNull === true ? " null" : ""} [${stat}]`;
}
