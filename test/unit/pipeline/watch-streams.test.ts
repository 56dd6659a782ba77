import { VirtualTimeScheduler } from "rxjs";
import { describe, expect, it } from "vitest";
import type { WatchStreamResponse } from "../../../server/gen/paddock/v1/watch.js";
import { ChangeHistory } from "../../../server/pipeline/change-history.js";
import { type WatchSpec, WatchStreams } from "../../../server/pipeline/watch-streams.js";
import { DataTree } from "../../../server/tree/data-tree.js";
import { create, del, E, setData, txn } from "../tree/txns.js";

// The watch stream's policies on a real tree and history, with a sink that holds what it was sent
// and a buffer the test drains: catch-up paced by the buffer, a live slow consumer cut with the
// zxid to resume from, compaction, progress when idle, SNAP.

class Sink {
  messages: WatchStreamResponse[] = [];
  bufferedBytes = 0;
  /** false: a client that reads everything at once. */
  constructor(private readonly counts = true) {}
  ended = false;
  send(message: WatchStreamResponse): void {
    this.messages.push(message);
    if (this.counts) this.bufferedBytes += 100;
  }
  end(): void {
    this.ended = true;
  }
  kinds(): string[] {
    return this.messages.map((m) => {
      const k = m.kind!;
      if (k.$case === "changes") return `changes ${k.value.zxid - BigInt(E)}`;
      if (k.$case === "progress") return `progress ${k.value.zxid - BigInt(E)}`;
      return `canceled ${k.value.reason} last ${k.value.lastZxid - BigInt(E)} oldest ${k.value.oldestZxid === 0n ? 0n : k.value.oldestZxid - BigInt(E)}`;
    });
  }
}

function setup(historyBytes = 1 << 20, bufferBytesMax = 250) {
  const tree = new DataTree();
  const history = new ChangeHistory(historyBytes, tree.lastZxid);
  const scheduler = new VirtualTimeScheduler(undefined, 100_000);
  const streams = new WatchStreams(history, tree, {
    bufferBytesMax,
    messageBytesMax: 0xfffff,
    clock: () => scheduler.now(),
    scheduler,
  });
  let zxid = E;
  const apply = (body: Parameters<typeof txn>[1]): void => {
    zxid++;
    history.record(zxid, tree.apply(txn(zxid, body)), tree);
    streams.applied();
  };
  return { tree, history, streams, scheduler, apply };
}

const spec = (path: string, fromZxid: number | undefined, more: Partial<WatchSpec> = {}): WatchSpec => ({
  path,
  recursive: true,
  fromZxid,
  withData: false,
  childrenEvents: false,
  progressIntervalMs: 0,
  withPrevData: false,
  eventTypes: [],
  fragment: false,
  ...more,
});

describe("watch streams", () => {
  it("paces a catch-up by the buffer, then cuts a live consumer whose buffer is full", () => {
    const { streams, apply } = setup();
    apply(create("/a", ""));
    for (let i = 0; i < 4; i++) apply(setData("/a", `${i}`, i + 1));
    const sink = new Sink();
    const handle = streams.open(spec("/a", E), [], sink);
    // 250 bytes of buffer at 100 per message: three sent, the rest wait for the transport.
    expect(sink.kinds()).toEqual(["changes 1", "changes 2", "changes 3"]);
    sink.bufferedBytes = 0;
    handle.drained();
    expect(sink.kinds().slice(3)).toEqual(["changes 4", "changes 5", "progress 5"]);
    // Live now, and the client stops reading: the next changes fill the buffer, then cut it.
    sink.bufferedBytes = 0;
    for (let i = 5; i < 9; i++) apply(setData("/a", `${i}`, i + 1));
    expect(sink.kinds().slice(6)).toEqual([
      "changes 6",
      "changes 7",
      "changes 8",
      "canceled 2 last 8 oldest 0",
    ]);
    expect(sink.ended).toBe(true);
    expect(streams.size).toBe(0);
  });

  it("filters by path and READ, and skips other changes without sending", () => {
    const { streams, apply } = setup();
    const sink = new Sink();
    streams.open(spec("/w", undefined, { recursive: false }), [], sink);
    apply(create("/w", ""));
    apply(create("/w/child", ""));
    apply(create("/other", ""));
    apply(create("/secret", "", -1, 0n, [{ perms: 1, id: { scheme: "digest", id: "alice:x" } }]));
    apply(del("/w/child"));
    apply(setData("/w", "d", 1));
    const changes = sink.messages.flatMap((m) =>
      m.kind?.$case === "changes" ? m.kind.value.changes.map((c) => `${c.type} ${c.path}`) : [],
    );
    // Created, then data changed; children events were not asked for; /w/child is below a
    // non-recursive watch.
    expect(changes).toEqual(["1 /w", "3 /w"]);
    const all = new Sink();
    streams.open(spec("/", E), [], all);
    const paths = all.messages.flatMap((m) =>
      m.kind?.$case === "changes" ? m.kind.value.changes.map((c) => c.path) : [],
    );
    expect(paths).toContain("/other");
    expect(paths).not.toContain("/secret");
  });

  it("answers a zxid older than the history with the oldest one; SNAP moves the oldest", () => {
    // About 200 bytes per change: 600 bytes hold the newest three.
    const { streams, history, apply } = setup(600);
    apply(create("/a", ""));
    for (let i = 0; i < 5; i++) apply(setData("/a", `${i}`, i + 1));
    expect(history.oldest).toBeGreaterThan(E);
    const stale = new Sink();
    streams.open(spec("/a", E), [], stale);
    expect(stale.kinds()).toEqual([`canceled 1 last 0 oldest ${history.oldest - E}`]);
    const fresh = new Sink();
    streams.open(spec("/a", history.oldest), [], fresh);
    expect(fresh.kinds()[0]).toBe(`changes ${history.oldest - E + 1}`);
    const live = new Sink();
    streams.open(spec("/a", undefined), [], live);
    history.reset(E + 100);
    streams.replaced();
    expect(live.kinds()).toEqual(["progress 6", "canceled 1 last 6 oldest 100"]);
  });

  it("sends progress when idle, at the interval asked for", () => {
    const { streams, scheduler, apply } = setup();
    apply(create("/p", ""));
    const sink = new Sink(false);
    streams.open(spec("/p", undefined, { progressIntervalMs: 1000 }), [], sink);
    apply(create("/elsewhere", ""));
    scheduler.flush();
    // Opening sends progress 1; idle for the rest of the virtual 100 s: one per second, each with
    // the latest zxid (a change elsewhere moves it without a message).
    const progress = sink.kinds().filter((k) => k.startsWith("progress"));
    expect(progress[0]).toBe("progress 1");
    expect(progress.length).toBeGreaterThan(90);
    expect(progress.at(-1)).toBe("progress 2");
  });

  it("shares one message object between watchers of one shape, never past a READ the other lacks", () => {
    const { streams, apply } = setup(1 << 20, 1 << 20);
    apply(create("/s", ""));
    const alice = [{ scheme: "digest", id: "alice:x" }];
    const sinks = [new Sink(false), new Sink(false), new Sink(false)];
    streams.open(spec("/s", undefined), [], sinks[0]!);
    streams.open(spec("/s", undefined), alice, sinks[1]!);
    streams.open(spec("/s", undefined), [], sinks[2]!);
    const changesOf = (sink: Sink) =>
      sink.messages.filter((m) => m.kind?.$case === "changes") as WatchStreamResponse[];
    // A multi with a node only alice may READ: the anonymous watchers see one change, alice two.
    apply({
      $case: "multi",
      value: {
        txns: [
          txn(0, create("/s/open", "")),
          txn(0, create("/s/secret", "", -1, 0n, [{ perms: 1, id: { scheme: "digest", id: "alice:x" } }])),
        ],
      },
    });
    const [anon1, forAlice, anon2] = sinks.map(changesOf);
    const paths = (m: WatchStreamResponse | undefined) =>
      m?.kind?.$case === "changes" ? m.kind.value.changes.map((c) => c.path) : [];
    expect(paths(anon1!.at(-1))).toEqual(["/s/open"]);
    expect(paths(anon2!.at(-1))).toEqual(["/s/open"]);
    expect(paths(forAlice!.at(-1))).toEqual(["/s/open", "/s/secret"]);
    // A change everyone may read: one object for all three (the door encodes it once).
    apply(setData("/s/open", "x", 1));
    const last = sinks.map((sink) => changesOf(sink).at(-1));
    expect(paths(last[0])).toEqual(["/s/open"]);
    expect(last[1]).toBe(last[0]);
    expect(last[2]).toBe(last[0]);
  });
});
