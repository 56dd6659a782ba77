import { interval, type SchedulerLike, type Subscription } from "rxjs";
import type { WatchChange, WatchStreamResponse } from "../gen/paddock/v1/watch.js";
import { Perms } from "../tree/acl-check.js";
import type { AuthId, DataTree } from "../tree/data-tree.js";
import { EventType } from "../util/event-type.js";
import { PaddockError } from "../util/paddock-error.js";
import { validatePath } from "../util/path.js";
import { type ChangeBatch, type ChangeHistory, nodeData, nodeStat } from "./change-history.js";
import { fragments } from "./watch-fragments.js";

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
  /** Previous data and stat on data-changed and deleted events. */
  readonly withPrevData: boolean;
  /** paddock.v1.EventType values to deliver; empty: all. */
  readonly eventTypes: readonly number[];
  /** The client joins fragments: a transaction may span messages of at most messageBytesMax. */
  readonly fragment: boolean;
}

export interface WatchStreamOptions {
  /** zoo.cfg watchStreamBufferSize: bytes a watcher may have in flight. */
  readonly bufferBytesMax: number;
  /** jute.maxbuffer (requestBytesMax): a fragmented stream's messages stay within it. */
  readonly messageBytesMax: number;
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

/** The event types a stream can carry, as bits of `1 << type`. */
const STREAM_EVENT_TYPES = [
  EventType.NodeCreated,
  EventType.NodeDeleted,
  EventType.NodeDataChanged,
  EventType.NodeChildrenChanged,
];
const ALL_TYPES_MASK = STREAM_EVENT_TYPES.reduce((mask, t) => mask | (1 << t), 0);

/** What the streams did, for /metrics and mntr (plain fields: nothing is computed per change). */
export class WatchStreamStats {
  changesSent = 0;
  messagesSent = 0;
  canceledCompacted = 0;
  canceledSlowConsumer = 0;
  canceledMemberUnavailable = 0;
}

interface Watcher {
  readonly spec: WatchSpec;
  readonly ids: readonly AuthId[];
  readonly sink: WatchSink;
  readonly prefix: string;
  readonly progressMs: number;
  /** Bits `1 << type` of the event types delivered. */
  readonly typeMask: number;
  /** Watchers with the same shape get the same messages for a batch nobody's READ filters. */
  readonly shape: string;
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
  /**
   * Messages already built for a batch and a watcher shape (`zxid|shape`), handed to every
   * watcher of that shape the READ check does not filter: the door encodes a message object once
   * (watch-service.ts), so a fan-out to many streams costs one build and one encoding per batch.
   */
  private readonly built = new Map<string, SharedMessages>();
  private timer: Subscription | undefined;
  readonly stats = new WatchStreamStats();

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
    const typeMask = eventTypeMask(spec);
    const requested = spec.progressIntervalMs === 0 ? PROGRESS_DEFAULT_MS : spec.progressIntervalMs;
    const watcher: Watcher = {
      spec,
      ids,
      sink,
      prefix: spec.path === "/" ? "/" : `${spec.path}/`,
      progressMs: Math.min(PROGRESS_MAX_MS, Math.max(PROGRESS_MIN_MS, requested)),
      typeMask,
      shape: shapeOf(spec, typeMask),
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
    this.built.clear();
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
      const key = `${batch.zxid}|${watcher.shape}`;
      let shared = this.built.get(key);
      if (shared !== undefined && !this.readsAll(watcher, batch)) shared = undefined;
      let changes: WatchChange[] | undefined;
      if (shared === undefined) {
        changes = [];
        const filtered = this.visible(watcher, batch, changes);
        if (changes.length > 0 && !filtered) {
          shared = { changes: changes.length, messages: this.messages(watcher, batch.zxid, changes) };
          if (this.built.size >= BUILT_MAX) this.built.clear();
          this.built.set(key, shared);
        }
      }
      if ((shared?.changes ?? changes!.length) === 0) {
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
      if (shared !== undefined) this.send(watcher, shared.changes, shared.messages);
      else this.send(watcher, changes!.length, this.messages(watcher, batch.zxid, changes!));
    }
    watcher.cursor = Math.max(watcher.cursor, history.newest);
    if (watcher.live) return;
    watcher.live = true;
    // Caught up: where the stream stands (a client that started "from now" resumes from it).
    this.sendProgress(watcher);
  }

  /** One transaction's changes: one message, or fragments when the client joins them. */
  private messages(watcher: Watcher, zxid: number, changes: WatchChange[]): WatchStreamResponse[] {
    const wire = BigInt(zxid);
    const groups = watcher.spec.fragment ? fragments(changes, this.options.messageBytesMax) : [changes];
    return groups.map((group, i) => ({
      kind: { $case: "changes", value: { zxid: wire, changes: group, fragment: i < groups.length - 1 } },
    }));
  }

  private send(watcher: Watcher, changes: number, messages: readonly WatchStreamResponse[]): void {
    const stats = this.stats;
    stats.changesSent += changes;
    for (const message of messages) watcher.sink.send(message);
    stats.messagesSent += messages.length;
    watcher.lastSentMs = this.options.clock();
  }

  /** The changes of `batch` this watcher's spec selects (`matches`). */
  private matches(watcher: Watcher, change: ChangeBatch["changes"][number]): boolean {
    const { spec, prefix, typeMask } = watcher;
    if ((typeMask & (1 << change.type)) === 0) return false;
    if (change.type === EventType.NodeChildrenChanged && !spec.childrenEvents) return false;
    const path = change.path;
    return path === spec.path || (spec.recursive && path.startsWith(prefix));
  }

  /** True when READ filters none of the changes this watcher selects from `batch`. */
  private readsAll(watcher: Watcher, batch: ChangeBatch): boolean {
    for (const change of batch.changes) {
      if (this.matches(watcher, change) && !this.tree.allows(change.acl, Perms.READ, watcher.ids))
        return false;
    }
    return true;
  }

  /** Appends what the watcher may see of `batch` to `out`; true when READ filtered a change out. */
  private visible(watcher: Watcher, batch: ChangeBatch, out: WatchChange[]): boolean {
    const { spec, ids } = watcher;
    let filtered = false;
    for (const change of batch.changes) {
      if (!this.matches(watcher, change)) continue;
      const path = change.path;
      if (!this.tree.allows(change.acl, Perms.READ, ids)) {
        filtered = true;
        continue;
      }
      const event: WatchChange = { type: change.type, path, data: EMPTY, prevData: EMPTY };
      if (spec.withData && change.node !== undefined) {
        const { data, dataNull } = nodeData(change.node);
        event.data = data;
        event.stat = nodeStat(change.node);
        if (dataNull) event.dataNull = true;
      }
      if (spec.withPrevData && change.prev !== undefined) {
        const { data, dataNull } = nodeData(change.prev);
        event.prevData = data;
        event.prevStat = nodeStat(change.prev);
        if (dataNull) event.prevDataNull = true;
      }
      out.push(event);
    }
    return filtered;
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
    const stats = this.stats;
    if (reason === CANCEL_COMPACTED) stats.canceledCompacted++;
    else if (reason === CANCEL_SLOW_CONSUMER) stats.canceledSlowConsumer++;
    else stats.canceledMemberUnavailable++;
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
/** Built messages kept for sharing; cleared whole past this (they are only reused within a turn or two). */
const BUILT_MAX = 1024;

interface SharedMessages {
  readonly changes: number;
  readonly messages: readonly WatchStreamResponse[];
}

/** What decides a watcher's messages for a batch, READ aside. */
function shapeOf(spec: WatchSpec, typeMask: number): string {
  const flags = (spec.recursive ? 1 : 0) | (spec.withData ? 2 : 0) | (spec.withPrevData ? 4 : 0);
  return `${flags | (spec.childrenEvents ? 8 : 0) | (spec.fragment ? 16 : 0)}|${typeMask}|${spec.path}`;
}

/** The request's event_types as a mask; an unknown value is refused, named. */
function eventTypeMask(spec: WatchSpec): number {
  if (spec.eventTypes.length === 0) return ALL_TYPES_MASK;
  let mask = 0;
  for (const type of spec.eventTypes) {
    if (!STREAM_EVENT_TYPES.includes(type as (typeof STREAM_EVENT_TYPES)[number])) {
      throw PaddockError.badArguments(
        spec.path,
        `event_types: ${type} is not an event type a watch stream carries (NODE_CREATED 1, NODE_DELETED 2, NODE_DATA_CHANGED 3, NODE_CHILDREN_CHANGED 4)`,
      );
    }
    mask |= 1 << type;
  }
  return mask;
}
