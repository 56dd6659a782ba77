import { VirtualTimeScheduler } from "rxjs";
import { describe, expect, it } from "vitest";
import type { Txn } from "../../../server/gen/paddock/internal/v1/txn.js";
import { type WatchChanges, WatchStreamResponse } from "../../../server/gen/paddock/v1/watch.js";
import { ChangeHistory } from "../../../server/pipeline/change-history.js";
import { nodesBefore } from "../../../server/pipeline/prev-nodes.js";
import { type WatchSpec, WatchStreams } from "../../../server/pipeline/watch-streams.js";
import { DataTree } from "../../../server/tree/data-tree.js";
import { create, del, E, setData, txn } from "../tree/txns.js";

// The watch stream's request options on a real tree and history, applied as the apply step does
// (nodes captured before the tree changes): with_prev_data, event_types, fragment.

class Sink {
  messages: WatchStreamResponse[] = [];
  bufferedBytes = 0;
  ended = false;
  send(message: WatchStreamResponse): void {
    this.messages.push(message);
  }
  end(): void {
    this.ended = true;
  }
  changes(): WatchChanges[] {
    return this.messages.flatMap((m) => (m.kind?.$case === "changes" ? [m.kind.value] : []));
  }
}

function setup(messageBytesMax = 0xfffff) {
  const tree = new DataTree();
  const history = new ChangeHistory(1 << 24, tree.lastZxid);
  const scheduler = new VirtualTimeScheduler(undefined, 100_000);
  const streams = new WatchStreams(history, tree, {
    bufferBytesMax: 1 << 24,
    messageBytesMax,
    clock: () => scheduler.now(),
    scheduler,
  });
  let zxid = E;
  const applyAs = (sessionId: bigint, body: Txn["body"]): number => {
    zxid++;
    const t = txn(zxid, body, 1000, sessionId);
    const before = nodesBefore(t, tree);
    history.record(zxid, tree.apply(t), tree, before);
    streams.applied();
    return zxid;
  };
  const apply = (body: Txn["body"]): number => applyAs(0n, body);
  const multi = (bodies: Txn["body"][]): number =>
    apply({ $case: "multi", value: { txns: bodies.map((b) => txn(zxid + 1, b)) } });
  return { streams, apply, applyAs, multi };
}

const spec = (path: string, more: Partial<WatchSpec> = {}): WatchSpec => ({
  path,
  recursive: true,
  fromZxid: E,
  withData: false,
  childrenEvents: false,
  progressIntervalMs: 0,
  withPrevData: false,
  eventTypes: [],
  fragment: false,
  ...more,
});

const text = (b: Buffer): string => b.toString("latin1");

describe("watch stream options", () => {
  it("carries the node before the transaction on data changes and deletes, before the whole multi", () => {
    const { streams, apply, multi } = setup();
    apply(create("/p", "v0"));
    // A SetDataTxn carries the node's new version.
    apply(setData("/p", "v1", 1));
    multi([setData("/p", "v2", 2), setData("/p", "v3", 3)]);
    apply(del("/p"));
    const sink = new Sink();
    streams.open(spec("/p", { withPrevData: true, withData: true }), [], sink);
    const changes = sink.changes().flatMap((c) => c.changes);
    expect(changes.map((c) => `${c.type} ${text(c.data)} prev ${text(c.prevData)}`)).toEqual([
      "1 v0 prev ",
      "3 v1 prev v0",
      "3 v3 prev v1",
      "3 v3 prev v1",
      "2  prev v3",
    ]);
    expect(changes[0]!.prevStat).toBeUndefined();
    expect(changes[2]!.prevStat?.version).toBe(1);
    expect(changes[4]!.prevStat?.version).toBe(3);
    // Without the option, nothing of the previous node goes out.
    const plain = new Sink();
    streams.open(spec("/p"), [], plain);
    expect(plain.changes().every((m) => m.changes.every((c) => c.prevStat === undefined))).toBe(true);
  });

  it("carries an ephemeral's last data when its session's close deletes it", () => {
    const { streams, apply, applyAs } = setup();
    apply(create("/s", ""));
    apply(create("/s/e", "mine", -1, 7n));
    applyAs(7n, { $case: "closeSession", value: {} });
    const sink = new Sink();
    streams.open(spec("/s", { withPrevData: true, eventTypes: [2] }), [], sink);
    const [gone] = sink.changes().flatMap((c) => c.changes);
    expect([gone!.path, text(gone!.prevData), gone!.prevStat?.ephemeralOwner]).toEqual(["/s/e", "mine", 7n]);
  });

  it("delivers only the event types asked for; progress moves past a transaction with none", () => {
    const { streams, apply } = setup();
    const sink = new Sink();
    streams.open(spec("/f", { fromZxid: undefined, eventTypes: [2], childrenEvents: true }), [], sink);
    apply(create("/f", ""));
    apply(create("/f/a", ""));
    apply(setData("/f/a", "x", 1));
    const last = apply(del("/f/a"));
    expect(sink.changes().map((c) => c.changes.map((x) => `${x.type} ${x.path}`))).toEqual([["2 /f/a"]]);
    const later = apply(create("/f/b", ""));
    const after = new Sink();
    streams.open(spec("/f", { fromZxid: last, eventTypes: [2] }), [], after);
    // Nothing to send for the create: the stream goes straight to progress at the newest zxid.
    expect(after.messages.map((m) => m.kind?.$case)).toEqual(["progress"]);
    expect(after.messages[0]!.kind?.$case === "progress" && after.messages[0]!.kind.value.zxid).toBe(
      BigInt(later),
    );
  });

  it("refuses an event type a stream does not carry, naming it", () => {
    const { streams } = setup();
    for (const bad of [0, 5, 99]) {
      expect(() => streams.open(spec("/x", { eventTypes: [1, bad] }), [], new Sink())).toThrow(
        `event_types: ${bad} is not an event type`,
      );
    }
  });

  it("splits one transaction over messages within the limit only when fragment is asked for", () => {
    const limit = 4096;
    const { streams, apply, multi } = setup(limit);
    const paths = Array.from({ length: 8 }, (_, i) => `/big/n${i}`);
    apply(create("/big", ""));
    for (const p of paths) apply(create(p, "a".repeat(1000)));
    const zxid = multi(paths.map((p) => setData(p, "b".repeat(1000), 1)));
    const from = zxid - 1;
    const split = new Sink();
    streams.open(
      spec("/big", { fromZxid: from, withData: true, withPrevData: true, fragment: true }),
      [],
      split,
    );
    const parts = split.changes();
    expect(parts.length).toBeGreaterThan(2);
    expect(parts.map((p) => p.fragment)).toEqual([...parts.slice(1).map(() => true), false]);
    expect(new Set(parts.map((p) => p.zxid))).toEqual(new Set([BigInt(zxid)]));
    for (const m of split.messages.filter((x) => x.kind?.$case === "changes")) {
      expect(WatchStreamResponse.encode(m).finish().length).toBeLessThanOrEqual(limit);
    }
    expect(parts.flatMap((p) => p.changes.map((c) => c.path))).toEqual(paths);
    const whole = new Sink();
    streams.open(spec("/big", { fromZxid: from, withData: true, withPrevData: true }), [], whole);
    expect(whole.changes().map((c) => [c.changes.length, c.fragment])).toEqual([[8, false]]);
  });

  it("sends a change bigger than the limit alone in its message", () => {
    const { streams, apply, multi } = setup(1024);
    apply(create("/h", ""));
    apply(create("/h/a", ""));
    const zxid = multi([setData("/h/a", "z".repeat(3000), 1), create("/h/b", "")]);
    const sink = new Sink();
    streams.open(spec("/h", { fromZxid: zxid - 1, withData: true, fragment: true }), [], sink);
    expect(sink.changes().map((c) => [c.changes.map((x) => x.path), c.fragment])).toEqual([
      [["/h/a"], true],
      [["/h/b"], false],
    ]);
  });
});
