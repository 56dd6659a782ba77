import { VirtualTimeScheduler } from "rxjs";
import { describe, expect, it } from "vitest";
import type { Txn } from "../../../server/gen/paddock/internal/v1/txn.js";
import type { WatchChange, WatchStreamResponse } from "../../../server/gen/paddock/v1/watch.js";
import { ChangeHistory } from "../../../server/pipeline/change-history.js";
import { nodesBefore } from "../../../server/pipeline/prev-nodes.js";
import { type WatchSpec, WatchStreams } from "../../../server/pipeline/watch-streams.js";
import { DataTree } from "../../../server/tree/data-tree.js";
import { create, del, E, setData, txn } from "../tree/txns.js";

// Messages built once per transaction and watcher shape are handed to every watcher of that shape
// (watch-streams.ts): the oracle here is each spec opened alone, which must get exactly what it
// gets beside watchers of every other shape, in either order of opening. Also what each option
// puts in a change, and the bound on the built messages kept.

class Sink {
  readonly messages: WatchStreamResponse[] = [];
  bufferedBytes = 0;
  send(message: WatchStreamResponse): void {
    this.messages.push(message);
  }
  end(): void {}
  changes(): WatchChange[] {
    return this.messages.flatMap((m) => (m.kind?.$case === "changes" ? m.kind.value.changes : []));
  }
}

function setup(messageBytesMax = 0xfffff) {
  const tree = new DataTree();
  const history = new ChangeHistory(1 << 24, tree.lastZxid);
  const scheduler = new VirtualTimeScheduler(undefined, 0);
  const streams = new WatchStreams(history, tree, {
    bufferBytesMax: 1 << 24,
    messageBytesMax,
    clock: () => scheduler.now(),
    scheduler,
  });
  let zxid = E;
  const apply = (body: Txn["body"]): number => {
    zxid++;
    const t = txn(zxid, body);
    const before = nodesBefore(t, tree);
    history.record(zxid, tree.apply(t), tree, before);
    streams.applied();
    return zxid;
  };
  const multi = (bodies: Txn["body"][]): number =>
    apply({ $case: "multi", value: { txns: bodies.map((b) => txn(zxid + 1, b)) } });
  return { tree, history, streams, apply, multi };
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

const nullData = (path: string, version: number): Txn["body"] => ({
  $case: "setData",
  value: { path, data: Buffer.alloc(0), version, dataNull: true },
});

/** Creates, data changes (null data too), deletes, children events, a neighbour by name, a big multi. */
function workload({ apply, multi }: ReturnType<typeof setup>): void {
  apply(create("/s", "d"));
  apply(create("/s/a", "a"));
  multi([create("/s/b", "b"), setData("/s/a", "a2", 1), del("/s/b"), nullData("/s", 1)]);
  apply(create("/sx", "neighbour"));
  apply(setData("/s", "back", 2));
  apply(del("/s/a"));
  const big = ["/s/n0", "/s/n1", "/s/n2", "/s/n3"];
  for (const p of big) apply(create(p, "x".repeat(300)));
  multi(big.map((p) => setData(p, "y".repeat(300), 1)));
}

const variants: readonly WatchSpec[] = [
  spec("/s"),
  spec("/s", { recursive: false }),
  spec("/s", { withData: true }),
  spec("/s", { withPrevData: true }),
  spec("/s", { childrenEvents: true }),
  spec("/s", { fragment: true, withData: true }),
  spec("/s", { withData: true, withPrevData: true, childrenEvents: true, fragment: true }),
  spec("/s", { eventTypes: [3] }),
  spec("/s", { eventTypes: [1, 2] }),
  spec("/s/a"),
  spec("/"),
];

/** What `s` gets when it is the only watcher. */
function alone(s: WatchSpec): WatchStreamResponse[] {
  const env = setup(1024);
  const sink = new Sink();
  env.streams.open(s, [], sink);
  workload(env);
  return sink.messages;
}

describe("shared messages", () => {
  it("give each watcher what it would get alone, whatever shapes are open beside it", () => {
    const expected = variants.map(alone);
    for (const order of [variants, [...variants].reverse()]) {
      const env = setup(1024);
      const sinks = order.map((s) => {
        const sink = new Sink();
        env.streams.open(s, [], sink);
        return sink;
      });
      workload(env);
      order.forEach((s, i) => {
        expect(sinks[i]!.messages).toEqual(expected[variants.indexOf(s)]);
      });
    }
  });

  it("are not reused after a SNAP replaced the state", () => {
    const { tree, history, streams } = setup();
    const other = new DataTree();
    const first = new Sink();
    streams.open(spec("/", { fromZxid: E }), [], first);
    history.record(E + 1, tree.apply(txn(E + 1, create("/a", ""))), tree);
    streams.applied();
    // A SNAP at E, then a different transaction E + 1 (a history rebuilt from another state).
    history.reset(E);
    streams.replaced();
    history.record(E + 1, other.apply(txn(E + 1, create("/b", ""))), other);
    const second = new Sink();
    streams.open(spec("/", { fromZxid: E }), [], second);
    expect(second.changes().map((c) => c.path)).toEqual(["/b"]);
  });

  it("are kept for at most 1,024 transaction-shapes, then dropped all at once", () => {
    const { streams, apply } = setup();
    const live = new Sink();
    streams.open(spec("/k"), [], live);
    apply(create("/k", ""));
    for (let i = 1; i < 1024; i++) apply(setData("/k", "x", i));
    // 1,024 built: a watcher of the same shape reading from the start gets the very same objects.
    const early = new Sink();
    streams.open(spec("/k", { fromZxid: E }), [], early);
    expect(early.messages[0]).toBe(live.messages[1]);
    expect(early.messages[1023]).toBe(live.messages[1024]);
    // The 1,025th build clears them first: only it is shared from here.
    apply(setData("/k", "x", 1024));
    const late = new Sink();
    streams.open(spec("/k", { fromZxid: E + 1023 }), [], late);
    expect(late.messages[0]).not.toBe(live.messages[1024]);
    expect(late.messages[0]).toEqual(live.messages[1024]);
    expect(late.messages[1]).toBe(live.messages[1025]);
  });
});

describe("what a change carries", () => {
  it("nothing but type and path without with_data and with_prev_data", () => {
    const env = setup();
    const sink = new Sink();
    env.streams.open(spec("/s", { childrenEvents: true }), [], sink);
    workload(env);
    for (const c of sink.changes())
      expect(c).toEqual({ type: c.type, path: c.path, data: Buffer.alloc(0), prevData: Buffer.alloc(0) });
    expect(
      sink
        .changes()
        .slice(0, 4)
        .map((c) => `${c.type} ${c.path}`),
    ).toEqual(["1 /s", "1 /s/a", "4 /s", "1 /s/b"]);
  });

  it("the node after, null data marked, and no stat on a delete", () => {
    const env = setup();
    const sink = new Sink();
    env.streams.open(spec("/s", { withData: true }), [], sink);
    workload(env);
    const seen = sink
      .changes()
      .map((c) => [c.type, c.path, c.data.toString(), c.stat?.version, c.dataNull, c.prevStat]);
    expect(seen.slice(0, 8)).toEqual([
      [1, "/s", "d", 0, undefined, undefined],
      [1, "/s/a", "a", 0, undefined, undefined],
      // The multi: /s/b created and deleted in it has no node to show.
      [1, "/s/b", "", undefined, undefined, undefined],
      [3, "/s/a", "a2", 1, undefined, undefined],
      [2, "/s/b", "", undefined, undefined, undefined],
      [3, "/s", "", 1, true, undefined],
      [3, "/s", "back", 2, undefined, undefined],
      [2, "/s/a", "", undefined, undefined, undefined],
    ]);
  });

  it("the node before, null data marked, only with with_prev_data", () => {
    const env = setup();
    const sink = new Sink();
    env.streams.open(spec("/s", { withPrevData: true }), [], sink);
    workload(env);
    const seen = sink
      .changes()
      .map((c) => [c.type, c.path, c.prevData.toString(), c.prevStat?.version, c.prevDataNull, c.stat]);
    expect(seen.slice(0, 8)).toEqual([
      [1, "/s", "", undefined, undefined, undefined],
      [1, "/s/a", "", undefined, undefined, undefined],
      [1, "/s/b", "", undefined, undefined, undefined],
      [3, "/s/a", "a", 0, undefined, undefined],
      // Deleted in the multi that created it: nothing before the multi.
      [2, "/s/b", "", undefined, undefined, undefined],
      [3, "/s", "d", 0, undefined, undefined],
      [3, "/s", "", 1, true, undefined],
      [2, "/s/a", "a2", 1, undefined, undefined],
    ]);
  });

  it("only what the path selects: not a neighbour by name, not below a non-recursive watch", () => {
    const env = setup();
    const recursive = new Sink();
    const flat = new Sink();
    env.streams.open(spec("/s"), [], recursive);
    env.streams.open(spec("/s", { recursive: false }), [], flat);
    workload(env);
    expect(recursive.changes().some((c) => c.path === "/sx")).toBe(false);
    expect(new Set(flat.changes().map((c) => c.path))).toEqual(new Set(["/s"]));
    expect(recursive.changes().some((c) => c.path === "/s/n3")).toBe(true);
  });
});
