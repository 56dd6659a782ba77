import { VirtualTimeScheduler } from "rxjs";
import { describe, expect, it } from "vitest";
import type { Txn } from "../../../server/gen/paddock/internal/v1/txn.js";
import type { WatchStreamResponse } from "../../../server/gen/paddock/v1/watch.js";
import { ChangeHistory } from "../../../server/pipeline/change-history.js";
import { type WatchSpec, WatchStreams } from "../../../server/pipeline/watch-streams.js";
import { DataTree } from "../../../server/tree/data-tree.js";
import { PaddockError } from "../../../server/util/paddock-error.js";
import { create, E, setData, txn } from "../tree/txns.js";

// A watch stream's life on a real tree and history, on a virtual clock: what open refuses, the
// progress interval and its clamps, pacing at the buffer's exact bounds, every cancel's message
// and counter, and the progress timer that runs only while a stream is open.

/** Holds what it was sent with the virtual time; each message adds `cost` buffered bytes. */
class Sink {
  readonly got: { at: number; message: WatchStreamResponse }[] = [];
  bufferedBytes = 0;
  ended = 0;
  constructor(
    private readonly now: () => number,
    private readonly cost = 100,
  ) {}
  send(message: WatchStreamResponse): void {
    this.got.push({ at: this.now(), message });
    this.bufferedBytes += this.cost;
  }
  end(): void {
    this.ended++;
  }
  /** "changes N" / "progress N" / "canceled R last N oldest N", zxids less the epoch. */
  kinds(): string[] {
    return this.got.map(({ message }) => describeMessage(message));
  }
  progressTimes(): number[] {
    return this.got.filter((g) => g.message.kind?.$case === "progress").map((g) => g.at);
  }
}

const rel = (z: bigint): bigint => (z === 0n ? 0n : z - BigInt(E));

function describeMessage(m: WatchStreamResponse): string {
  const k = m.kind!;
  if (k.$case === "changes") return `changes ${rel(k.value.zxid)}`;
  if (k.$case === "progress") return `progress ${rel(k.value.zxid)}`;
  return `canceled ${k.value.reason} last ${rel(k.value.lastZxid)} oldest ${rel(k.value.oldestZxid)}`;
}

function setup(bufferBytesMax = 1 << 20, historyBytes = 1 << 20) {
  const tree = new DataTree();
  const history = new ChangeHistory(historyBytes, tree.lastZxid);
  const scheduler = new VirtualTimeScheduler(undefined, 0);
  const clock = (): number => scheduler.now();
  const streams = new WatchStreams(history, tree, {
    bufferBytesMax,
    messageBytesMax: 0xfffff,
    clock,
    scheduler,
  });
  let zxid = E;
  const apply = (body: Txn["body"]): number => {
    zxid++;
    history.record(zxid, tree.apply(txn(zxid, body)), tree);
    streams.applied();
    return zxid;
  };
  const advanceTo = (ms: number): void => {
    scheduler.maxFrames = ms;
    scheduler.flush();
  };
  const sink = (cost = 100) => new Sink(clock, cost);
  return { tree, history, scheduler, streams, apply, advanceTo, sink };
}

const spec = (path: string, more: Partial<WatchSpec> = {}): WatchSpec => ({
  path,
  recursive: true,
  fromZxid: undefined,
  withData: false,
  childrenEvents: false,
  progressIntervalMs: 0,
  withPrevData: false,
  eventTypes: [],
  fragment: false,
  ...more,
});

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof PaddockError) return error.message;
    throw error;
  }
  throw new Error("no error");
}

describe("opening a stream", () => {
  it("refuses a bad path and a from_zxid that is negative or not a number, naming them", () => {
    const { streams, sink } = setup();
    expect(refusal(() => streams.open(spec("nope"), [], sink()))).toBe(
      "BadArguments for nope: invalid path: path must start with / character",
    );
    for (const fromZxid of [-1, Number.NaN]) {
      expect(refusal(() => streams.open(spec("/x", { fromZxid }), [], sink()))).toBe(
        `BadArguments for /x: from_zxid ${fromZxid} must be >= 0`,
      );
    }
    expect(streams.size).toBe(0);
    const zero = sink();
    streams.open(spec("/x", { fromZxid: 0 }), [], zero);
    expect(zero.kinds()).toEqual(["progress 0"]);
  });
});

describe("progress", () => {
  it("after a catch-up names the newest zxid, also one that changed nothing", () => {
    const { tree, history, streams, apply, sink } = setup();
    apply(create("/p", ""));
    // A new session's transaction fires no watch: recorded, with no batch.
    const quiet = E + 2;
    history.record(
      quiet,
      tree.apply(
        txn(quiet, { $case: "createSession", value: { timeoutMs: 5000, password: Buffer.alloc(16) } }),
      ),
      tree,
    );
    const s = sink();
    streams.open(spec("/p", { fromZxid: E }), [], s);
    expect(s.kinds()).toEqual(["changes 1", "progress 2"]);
  });

  it("comes every 5 s by default, counted from the last message sent", () => {
    const { streams, apply, advanceTo, sink } = setup();
    const s = sink();
    streams.open(spec("/p"), [], s);
    advanceTo(12_000);
    expect(s.progressTimes()).toEqual([0, 5000, 10_000]);
    // A change at 12 s moves the next progress to 17 s.
    apply(create("/p", ""));
    advanceTo(22_500);
    expect(s.got.slice(3).map((g) => `${g.at} ${describeMessage(g.message)}`)).toEqual([
      "12000 changes 1",
      "17000 progress 1",
      "22000 progress 1",
    ]);
  });

  it("comes at exactly the interval asked for, clamped to 100 ms .. 600 s", () => {
    const { streams, advanceTo, sink } = setup();
    const exact = sink();
    const fast = sink();
    const slow = sink();
    const atMax = sink();
    streams.open(spec("/a", { progressIntervalMs: 1000 }), [], exact);
    streams.open(spec("/b", { progressIntervalMs: 1 }), [], fast);
    streams.open(spec("/c", { progressIntervalMs: 10_000_000 }), [], slow);
    streams.open(spec("/d", { progressIntervalMs: 600_000 }), [], atMax);
    advanceTo(2000);
    expect(exact.progressTimes()).toEqual([0, 1000, 2000]);
    expect(fast.progressTimes().slice(0, 4)).toEqual([0, 100, 200, 300]);
    advanceTo(1_300_000);
    expect(slow.progressTimes()).toEqual([0, 600_000, 1_200_000]);
    expect(atMax.progressTimes()).toEqual([0, 600_000, 1_200_000]);
  });

  it("skips a stream whose buffer is full (at the bound exactly), and a paused catch-up", () => {
    const { streams, apply, advanceTo, sink } = setup(1000);
    apply(create("/p", ""));
    const full = sink(0);
    const below = sink(0);
    streams.open(spec("/p", { progressIntervalMs: 1000 }), [], full);
    streams.open(spec("/p", { progressIntervalMs: 1000 }), [], below);
    full.bufferedBytes = 1000;
    below.bufferedBytes = 999;
    advanceTo(1000);
    expect(full.progressTimes()).toEqual([0]);
    expect(below.progressTimes()).toEqual([0, 1000]);
    // A catch-up paused on its buffer is not live: no progress however long it waits.
    for (let i = 0; i < 3; i++) apply(setData("/p", `${i}`, i + 1));
    const paused = sink(500);
    streams.open(spec("/p", { fromZxid: E, progressIntervalMs: 100 }), [], paused);
    expect(paused.kinds()).toEqual(["changes 1", "changes 2"]);
    advanceTo(5000);
    // Nor once the transport took the bytes, until the door says so (drained).
    paused.bufferedBytes = 0;
    advanceTo(6000);
    expect(paused.kinds()).toEqual(["changes 1", "changes 2"]);
  });

  it("runs a timer only while a stream is open", () => {
    const { streams, scheduler, advanceTo, sink } = setup();
    expect(scheduler.actions).toHaveLength(0);
    const a = streams.open(spec("/a"), [], sink());
    const bSink = sink();
    const b = streams.open(spec("/b"), [], bSink);
    expect(scheduler.actions).toHaveLength(1);
    a.close();
    advanceTo(5000);
    expect(bSink.progressTimes()).toEqual([0, 5000]);
    b.close();
    expect(scheduler.actions).toHaveLength(0);
    // Open again: a new timer.
    const cSink = sink();
    streams.open(spec("/c"), [], cSink);
    advanceTo(10_000);
    expect(cSink.progressTimes()).toEqual([5000, 10_000]);
  });
});

describe("pacing", () => {
  it("stops a catch-up at exactly bufferBytesMax and resumes it at half of it, not above", () => {
    const { streams, apply, sink } = setup(300);
    apply(create("/a", ""));
    for (let i = 0; i < 5; i++) apply(setData("/a", `${i}`, i + 1));
    const s = sink();
    const handle = streams.open(spec("/a", { fromZxid: E }), [], s);
    expect(s.kinds()).toEqual(["changes 1", "changes 2", "changes 3"]);
    s.bufferedBytes = 151;
    handle.drained();
    expect(s.got).toHaveLength(3);
    // A change while paused is not pumped either: the catch-up waits for the transport.
    s.bufferedBytes = 0;
    apply(setData("/a", "x", 6));
    expect(s.got).toHaveLength(3);
    s.bufferedBytes = 150;
    handle.drained();
    expect(s.kinds().slice(3)).toEqual(["changes 4", "changes 5"]);
    s.bufferedBytes = 0;
    handle.drained();
    expect(s.kinds().slice(5)).toEqual(["changes 6", "changes 7", "progress 7"]);
  });

  it("sends nothing to a stream closed while paused, when the transport drains", () => {
    const { streams, apply, sink } = setup(100);
    apply(create("/a", ""));
    apply(setData("/a", "1", 1));
    const s = sink();
    const handle = streams.open(spec("/a", { fromZxid: E }), [], s);
    expect(s.kinds()).toEqual(["changes 1"]);
    handle.close();
    s.bufferedBytes = 0;
    handle.drained();
    expect(s.kinds()).toEqual(["changes 1"]);
    expect(streams.size).toBe(0);
  });
});

describe("cancels", () => {
  it("a compacted zxid, naming it, the history's start and the setting", () => {
    const { streams, history, apply, sink } = setup(1 << 20, 600);
    apply(create("/a", ""));
    for (let i = 0; i < 5; i++) apply(setData("/a", `${i}`, i + 1));
    const s = sink();
    streams.open(spec("/a", { fromZxid: E + 1 }), [], s);
    const oldest = history.oldest.toString(16);
    expect(s.got.map((g) => g.message.kind)).toEqual([
      {
        $case: "canceled",
        value: {
          reason: 1,
          lastZxid: BigInt(E + 1),
          oldestZxid: BigInt(history.oldest),
          message: `zxid 0x${(E + 1).toString(16)} is older than this member's watch history, which starts after 0x${oldest} (watchHistorySize): re-read, then watch from 0x${oldest} or later`,
        },
      },
    ]);
    expect([s.ended, streams.size]).toEqual([1, 0]);
    // From exactly the oldest zxid: served.
    const ok = sink();
    streams.open(spec("/a", { fromZxid: history.oldest }), [], ok);
    expect(ok.kinds()[0]).toBe(`changes ${history.oldest - E + 1}`);
    expect(streams.stats).toMatchObject({
      canceledCompacted: 1,
      canceledSlowConsumer: 0,
      canceledMemberUnavailable: 0,
    });
  });

  it("a live slow consumer, naming the bound and the setting", () => {
    const { streams, apply, sink } = setup(200);
    const s = sink();
    streams.open(spec("/a"), [], s);
    s.bufferedBytes = 0;
    apply(create("/a", ""));
    apply(setData("/a", "1", 1));
    apply(setData("/a", "2", 2));
    const last = s.got.at(-1)!.message.kind;
    expect(last).toEqual({
      $case: "canceled",
      value: {
        reason: 2,
        lastZxid: BigInt(E + 2),
        oldestZxid: 0n,
        message:
          "slow consumer: more than 200 bytes not taken by the transport (watchStreamBufferSize); resume from last_zxid",
      },
    });
    expect(s.ended).toBe(1);
    expect(streams.stats).toMatchObject({
      canceledCompacted: 0,
      canceledSlowConsumer: 1,
      canceledMemberUnavailable: 0,
    });
  });

  it("every stream when the member stops serving, each with its own resume point", () => {
    const { streams, apply, scheduler, sink } = setup();
    apply(create("/a", ""));
    const a = sink(0);
    const b = sink(0);
    const handle = streams.open(spec("/a"), [], a);
    streams.open(spec("/b"), [], b);
    apply(setData("/a", "1", 1));
    streams.stopAll("this member lost its leader");
    // The door closes its end afterwards: nothing left to remove, nothing thrown.
    handle.close();
    for (const s of [a, b]) {
      expect(s.got.at(-1)!.message.kind).toEqual({
        $case: "canceled",
        value: {
          reason: 3,
          lastZxid: BigInt(E + 2),
          oldestZxid: 0n,
          message: "this member lost its leader: resume from last_zxid on another member",
        },
      });
      expect(s.ended).toBe(1);
    }
    expect([streams.size, scheduler.actions.length]).toEqual([0, 0]);
    expect(streams.stats).toMatchObject({
      canceledCompacted: 0,
      canceledSlowConsumer: 0,
      canceledMemberUnavailable: 2,
    });
  });
});

describe("stats", () => {
  it("count changes and messages sent, not progress", () => {
    const { streams, apply, sink } = setup();
    streams.open(spec("/", { childrenEvents: true }), [], sink(0));
    apply(create("/a", ""));
    apply(setData("/a", "1", 1));
    // The create: NodeCreated and the root's NodeChildrenChanged in one message.
    expect([streams.stats.changesSent, streams.stats.messagesSent]).toEqual([3, 2]);
  });
});
