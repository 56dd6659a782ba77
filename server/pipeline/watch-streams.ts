import { interval, type SchedulerLike, type Subscription } from "rxjs";
import type { WatchChange, WatchStreamResponse } from "../gen/paddock/v1/watch.js";
import { Perms } from "../tree/acl-check.js";
import type { AuthId, DataTree } from "../tree/data-tree.js";
import { EventType } from "../util/event-type.js";
import { PaddockError } from "../util/paddock-error.js";
import { validatePath } from "../util/path.js";
import { type ChangeBatch, type ChangeHistory, nodeData, nodeStat } from "./change-history.js";

/** Where a stream's messages go: a door's call. */
export interface WatchSink {
  send(message: WatchStreamResponse): void;
  /** Bytes sent and not yet taken by the transport. */
  readonly bufferedBytes: number;
  /** The stream is over (after a WatchCanceled, or the client left). */
  end(): void;
}

export interface WatchSpec {
  readonly path: string;
  readonly recursive: boolean;
  /** Changes after this zxid; undefined: from the member's current applied zxid. */
  readonly fromZxid: number | undefined;
  readonly withData: boolean;
  readonly childrenEvents: boolean;
  /** 0: the default. */
  readonly progressIntervalMs: number;
}

export interface WatchStreamOptions {
  /** zoo.cfg watchStreamBufferSize: bytes a watcher may have in flight. */
  readonly bufferBytesMax: number;
  readonly clock: () => number;
  readonly scheduler: SchedulerLike;
}

/** The door's handle on an open stream. */
export interface WatchHandle {
  /** The transport took some bytes: a paused catch-up may go on. */
  drained(): void;
  /** The client went away. */
  close(): void;
}

const PROGRESS_DEFAULT_MS = 5000;
const PROGRESS_MIN_MS = 100;
const PROGRESS_MAX_MS = 600_000;
const PROGRESS_CHECK_MS = 100;

const CANCEL_COMPACTED = 1;
const CANCEL_SLOW_CONSUMER = 2;
const CANCEL_MEMBER_UNAVAILABLE = 3;

interface Watcher {
  readonly spec: WatchSpec;
  readonly ids: readonly AuthId[];
  readonly sink: WatchSink;
  readonly prefix: string;
  readonly progressMs: number;
  /** Every change up to here was sent (or is not this watcher's to see). */
  cursor: number;
  /** Caught up once: from now on a full buffer is a slow consumer, not a catch-up to pace. */
  live: boolean;
  /** Catch-up paused on a full buffer until the transport drains. */
  paused: boolean;
  lastSentMs: number;
  ended: boolean;
}

/**
 * Resumable watch streams: each watcher reads the member's ChangeHistory from its own cursor, in
 * zxid order, one message per transaction, filtered by path and by READ on each node (as session
 * watch events). A catch-up is paced by the watcher's buffer; once live, a full buffer cancels the
 * stream (SLOW_CONSUMER, with the zxid it can resume from) rather than queue without bound.
 */
export class WatchStreams {
  private readonly watchers = new Set<Watcher>();
  private timer: Subscription | undefined;

  constructor(
    private readonly history: ChangeHistory,
    private readonly tree: DataTree,
    private readonly options: WatchStreamOptions,
  ) {}

  get size(): number {
    return this.watchers.size;
  }

  /** Opens a stream; throws PaddockError(BadArguments) for a bad path. */
  open(spec: WatchSpec, ids: readonly AuthId[], sink: WatchSink): WatchHandle {
    validatePath(spec.path);
    if (spec.fromZxid !== undefined && !(spec.fromZxid >= 0)) {
      throw PaddockError.badArguments(spec.path, `from_zxid ${spec.fromZxid} must be >= 0`);
    }
    const requested = spec.progressIntervalMs === 0 ? PROGRESS_DEFAULT_MS : spec.progressIntervalMs;
    const watcher: Watcher = {
      spec,
      ids,
      sink,
      prefix: spec.path === "/" ? "/" : `${spec.path}/`,
      progressMs: Math.min(PROGRESS_MAX_MS, Math.max(PROGRESS_MIN_MS, requested)),
      cursor: spec.fromZxid ?? this.history.newest,
      live: false,
      paused: false,
      lastSentMs: this.options.clock(),
      ended: false,
    };
    this.watchers.add(watcher);
    if (this.timer === undefined) {
      this.timer = interval(PROGRESS_CHECK_MS, this.options.scheduler).subscribe(() => this.progress());
    }
    this.pump(watcher);
    return {
      drained: () => {
        if (watcher.paused && sink.bufferedBytes <= this.options.bufferBytesMax / 2) {
          watcher.paused = false;
          this.pump(watcher);
        }
      },
      close: () => this.remove(watcher),
    };
  }

  /** The apply step recorded a batch of transactions: every watcher reads on. */
  applied(): void {
    for (const watcher of this.watchers) if (!watcher.paused) this.pump(watcher);
  }

  /** SNAP replaced the state at zxid: watchers behind it cannot be served from here any more. */
  replaced(): void {
    for (const watcher of this.watchers) this.pump(watcher);
  }

  /** The member stops serving: every stream ends with the zxid its client resumes from elsewhere. */
  stopAll(why: string): void {
    for (const watcher of this.watchers) {
      this.cancel(watcher, CANCEL_MEMBER_UNAVAILABLE, `${why}: resume from last_zxid on another member`);
    }
  }

  private pump(watcher: Watcher): void {
    if (watcher.ended) return;
    const history = this.history;
    if (watcher.cursor < history.oldest) {
      this.cancel(
        watcher,
        CANCEL_COMPACTED,
        `zxid 0x${watcher.cursor.toString(16)} is older than this member's watch history, which starts after 0x${history.oldest.toString(16)} (watchHistorySize): re-read, then watch from 0x${history.oldest.toString(16)} or later`,
      );
      return;
    }
    const max = this.options.bufferBytesMax;
    for (let i = history.firstAfter(watcher.cursor); i < history.end; i++) {
      const batch = history.at(i)!;
      const changes = this.visible(watcher, batch);
      if (changes.length === 0) {
        watcher.cursor = batch.zxid;
        continue;
      }
      if (watcher.sink.bufferedBytes >= max) {
        if (watcher.live) {
          this.cancel(
            watcher,
            CANCEL_SLOW_CONSUMER,
            `slow consumer: more than ${max} bytes not taken by the transport (watchStreamBufferSize); resume from last_zxid`,
          );
        } else {
          watcher.paused = true;
        }
        return;
      }
      watcher.cursor = batch.zxid;
      watcher.sink.send({
        kind: { $case: "changes", value: { zxid: BigInt(batch.zxid), changes, fragment: false } },
      });
      watcher.lastSentMs = this.options.clock();
    }
    watcher.cursor = Math.max(watcher.cursor, history.newest);
    if (watcher.live) return;
    watcher.live = true;
    // Caught up: where the stream stands (a client that started "from now" resumes from it).
    this.sendProgress(watcher);
  }

  private visible(watcher: Watcher, batch: ChangeBatch): WatchChange[] {
    const out: WatchChange[] = [];
    const { spec, ids, prefix } = watcher;
    for (const change of batch.changes) {
      if (change.type === EventType.NodeChildrenChanged && !spec.childrenEvents) continue;
      const path = change.path;
      if (path !== spec.path && !(spec.recursive && path.startsWith(prefix))) continue;
      if (!this.tree.allows(change.acl, Perms.READ, ids)) continue;
      const event: WatchChange = { type: change.type, path, data: EMPTY, prevData: EMPTY };
      if (spec.withData && change.node !== undefined) {
        const { data, dataNull } = nodeData(change.node);
        event.data = data;
        event.stat = nodeStat(change.node);
        if (dataNull) event.dataNull = true;
      }
      out.push(event);
    }
    return out;
  }

  private progress(): void {
    const now = this.options.clock();
    for (const watcher of this.watchers) {
      if (!watcher.live || watcher.paused || now - watcher.lastSentMs < watcher.progressMs) continue;
      if (watcher.sink.bufferedBytes >= this.options.bufferBytesMax) continue;
      this.sendProgress(watcher);
    }
  }

  private sendProgress(watcher: Watcher): void {
    watcher.sink.send({ kind: { $case: "progress", value: { zxid: BigInt(watcher.cursor) } } });
    watcher.lastSentMs = this.options.clock();
  }

  private cancel(watcher: Watcher, reason: number, message: string): void {
    watcher.sink.send({
      kind: {
        $case: "canceled",
        value: {
          reason,
          lastZxid: BigInt(watcher.cursor),
          oldestZxid: BigInt(this.history.oldest),
          message,
        },
      },
    });
    watcher.sink.end();
    this.remove(watcher);
  }

  private remove(watcher: Watcher): void {
    watcher.ended = true;
    this.watchers.delete(watcher);
    if (this.watchers.size === 0) {
      this.timer?.unsubscribe();
      this.timer = undefined;
    }
  }
}

const EMPTY = Buffer.alloc(0);
