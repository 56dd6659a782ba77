import { credentials, Metadata } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type WatchChanges,
  WatchServiceClient,
  type WatchStreamRequest,
  WatchStreamResponse,
} from "../../clients/ts/gen/paddock/v1/watch.js";
import {
  type Client,
  connect,
  op,
  type StreamEventType,
  type WatchStream,
  type WatchStreamBatch,
} from "../../clients/ts/src/index.js";
import { adminJson, httpGet } from "../support/admin-shapes.js";
import { type ServerHandle, startServer } from "../support/launcher.js";
import { waitUntil } from "../support/wait.js";

// The watch stream's request options on the wire, against a real server: previous data
// (with_prev_data) on setData, delete and a multi, also after a restart (the history is rebuilt
// from the log); the event-type filter; fragments of a transaction over the reply limit; the
// metrics. Raw WatchService calls, so what is checked is what the server sends.

// A small reply limit (64 KiB) so that a multi's data and previous data need several messages.
const REPLY_BYTES_MAX = 64 * 1024;

let server: ServerHandle;
let writer: Client;
let grpc: WatchServiceClient;

beforeAll(async () => {
  server = await startServer({ settings: { "jute.maxbuffer": REPLY_BYTES_MAX, watchHistorySize: 512 } });
  writer = await connect(server.address);
  grpc = new WatchServiceClient(server.address, credentials.createInsecure());
});

afterAll(async () => {
  grpc?.close();
  await writer?.close();
  await server?.stop();
});

const base: WatchStreamRequest = {
  path: "/",
  recursive: true,
  withData: false,
  childrenEvents: false,
  progressIntervalMs: 0,
  withPrevData: false,
  eventTypes: [],
  fragment: false,
};

/** A raw stream: every message it received, and a way to wait for some. */
function open(request: Partial<WatchStreamRequest>, client = grpc) {
  const call = client.watch({ ...base, ...request }, new Metadata());
  const messages: WatchStreamResponse[] = [];
  let error: (Error & { code?: number }) | undefined;
  call.on("data", (m: WatchStreamResponse) => messages.push(m));
  call.on("error", (e: Error) => {
    error = e;
  });
  const changes = (): WatchChanges[] =>
    messages.flatMap((m) => (m.kind?.$case === "changes" ? [m.kind.value] : []));
  return {
    messages,
    changes,
    error: () => error,
    /** Waits for `count` WatchChanges messages (fragments counted one by one). */
    async take(count: number): Promise<WatchChanges[]> {
      await waitUntil(`${count} WatchChanges messages`, () => changes().length >= count);
      return changes().slice(0, count);
    },
    close: () => call.cancel(),
  };
}

const text = (b: Uint8Array): string => Buffer.from(b).toString();

describe("watch stream options on the wire", () => {
  it("carries the node before setData, delete and a multi that changed it twice", async () => {
    const start = (await writer.create("/prev", "v0")).stat.czxid;
    await writer.setData("/prev", "v1");
    await writer.multi([op.setData("/prev", "v2"), op.setData("/prev", "v3")]);
    await writer.delete("/prev");
    const stream = open({ path: "/prev", fromZxid: start, withData: true, withPrevData: true });
    const got = (await stream.take(3)).map((m) => m.changes[0]!);
    stream.close();
    expect(got.map((c) => [c.type, text(c.data), text(c.prevData), c.prevStat?.version])).toEqual([
      [3, "v1", "v0", 0],
      // The multi set it twice: one change per node, the data after it and before it.
      [3, "v3", "v1", 1],
      [2, "", "v3", 3],
    ]);
    expect(got[2]!.prevStat!.mzxid).toBeGreaterThan(start);
    // Not asked for: none.
    const plain = open({ path: "/prev", fromZxid: start, withData: true });
    const [first] = await plain.take(1);
    plain.close();
    expect(first!.changes[0]!.prevStat).toBeUndefined();
    expect(first!.changes[0]!.prevData.length).toBe(0);
  });

  it("delivers only the event types asked for, and progress moves past the others", async () => {
    await writer.create("/types");
    const stream = open({ path: "/types", eventTypes: [2], childrenEvents: true, progressIntervalMs: 100 });
    await waitUntil("the first progress", () => stream.messages.length > 0);
    await writer.create("/types/a");
    await writer.setData("/types/a", "x");
    await writer.delete("/types/a");
    const last = (await writer.create("/types/b")).stat.czxid;
    const [only] = await stream.take(1);
    expect(only!.changes.map((c) => `${c.type} ${c.path}`)).toEqual(["2 /types/a"]);
    // The create after it sends nothing, but the stream's position moves past it.
    await waitUntil("progress past the last create", () =>
      stream.messages.some((m) => m.kind?.$case === "progress" && m.kind.value.zxid >= last),
    );
    stream.close();
    expect(stream.changes()).toHaveLength(1);
  });

  it("refuses an event type a stream does not carry with INVALID_ARGUMENT naming it", async () => {
    const stream = open({ path: "/", eventTypes: [3, 42] as WatchStreamRequest["eventTypes"] });
    await waitUntil("the refusal", () => stream.error() !== undefined);
    expect(stream.error()!.code).toBe(3);
    expect(stream.error()!.message).toContain("event_types: 42 is not an event type");
  });

  it("splits a transaction over the reply limit into fragments only when asked", async () => {
    await writer.create("/frag");
    const paths = Array.from({ length: 8 }, (_, i) => `/frag/n${i}`);
    for (const p of paths) await writer.create(p, "a".repeat(6000));
    const before = (await writer.exists("/frag/n7"))!.mzxid;
    // 48 KB of new data over 48 KB of old: about 96 KB of changes, over the 64 KiB limit.
    const results = await writer.multi(paths.map((p) => op.setData(p, "b".repeat(6000))));
    expect(results).toHaveLength(8);
    const request = { path: "/frag", fromZxid: before, withData: true, withPrevData: true };
    const split = open({ ...request, fragment: true });
    await waitUntil("the last fragment", () => split.changes().some((m) => !m.fragment));
    split.close();
    const parts = split.changes();
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.map((m) => m.fragment)).toEqual([...parts.slice(1).map(() => true), false]);
    expect(new Set(parts.map((m) => m.zxid)).size).toBe(1);
    expect(parts.flatMap((m) => m.changes.map((c) => c.path))).toEqual(paths);
    for (const m of split.messages.filter((x) => x.kind?.$case === "changes")) {
      expect(WatchStreamResponse.encode(m).finish().length).toBeLessThanOrEqual(REPLY_BYTES_MAX);
    }
    const whole = open(request);
    const [one] = await whole.take(1);
    whole.close();
    expect(one!.fragment).toBe(false);
    expect(one!.changes).toHaveLength(8);
  });

  it("ends an unfragmented stream whose transaction is over the transport's limit, saying what to do", async () => {
    await writer.create("/huge");
    const paths = Array.from({ length: 8 }, (_, i) => `/huge/n${i}`);
    for (const p of paths) await writer.create(p, "h".repeat(60_000));
    const before = (await writer.exists("/huge/n7"))!.mzxid;
    // A small request whose previous data is 480 KB: over 4 × 64 KiB + 64 KiB in one message.
    await writer.multi(paths.map((p) => op.setData(p, "s")));
    const request = { path: "/huge", fromZxid: before, withPrevData: true };
    const whole = open(request);
    await waitUntil("the refusal", () => whole.error() !== undefined);
    expect(whole.error()!.code).toBe(3);
    expect(whole.error()!.message).toMatch(
      /WatchChanges message for \/huge, over the message limit 327680 .*fragment/,
    );
    expect(whole.changes()).toHaveLength(0);
    const split = open({ ...request, fragment: true });
    await waitUntil("the last fragment", () => split.changes().some((m) => !m.fragment));
    split.close();
    expect(split.changes().flatMap((m) => m.changes.map((c) => c.prevData.length))).toEqual(
      paths.map(() => 60_000),
    );
  });

  it("keeps previous data across a restart: the history is rebuilt from the log", async () => {
    const start = (await writer.create("/again", "r0")).stat.czxid;
    await writer.setData("/again", "r1");
    await writer.close();
    grpc.close();
    await server.kill();
    server = await server.restart();
    writer = await connect(server.address);
    grpc = new WatchServiceClient(server.address, credentials.createInsecure());
    const stream = open({ path: "/again", fromZxid: start, withData: true, withPrevData: true });
    const [changed] = await stream.take(1);
    stream.close();
    const c = changed!.changes[0]!;
    expect([text(c.data), text(c.prevData), c.prevStat?.version]).toEqual(["r1", "r0", 0]);
  });

  it("shows streams, changes sent, cancels and the history in /metrics and mntr", async () => {
    const metric = async (name: string): Promise<number> => {
      const body = await httpGet(`http://127.0.0.1:${server.metricsPort}/metrics`);
      const line = body.split("\n").find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
      if (line === undefined) throw new Error(`${name} is not in /metrics`);
      return Number(line.slice(line.lastIndexOf(" ") + 1));
    };
    await writer.create("/metrics");
    const sentBefore = await metric("paddock_watch_stream_changes_sent");
    const live = open({ path: "/metrics", recursive: true });
    await waitUntil("the stream's first progress", () => live.messages.length > 0);
    expect(await metric("paddock_watch_streams")).toBeGreaterThanOrEqual(1);
    await writer.create("/metrics/a");
    await live.take(1);
    expect(await metric("paddock_watch_stream_changes_sent")).toBeGreaterThan(sentBefore);
    // 512 KiB of history: ten 60 KB changes push /metrics' creation out, and a stream from it is
    // canceled as compacted.
    const from = (await writer.exists("/metrics"))!.czxid;
    for (let i = 0; i < 10; i++) await writer.setData("/metrics/a", "c".repeat(60_000));
    const stale = open({ path: "/metrics", fromZxid: from });
    await waitUntil("the cancel", () => stale.messages.some((m) => m.kind?.$case === "canceled"));
    const body = await httpGet(`http://127.0.0.1:${server.metricsPort}/metrics`);
    expect(body).toMatch(/paddock_watch_streams_canceled\{reason="compacted"\} [1-9]/);
    const oldest = await metric("paddock_watch_history_oldest_zxid");
    expect(oldest).toBeGreaterThan(Number(from));
    expect(await metric("paddock_watch_history_bytes")).toBeGreaterThan(600_000 / 2);
    expect(await metric("paddock_watch_history_bytes")).toBeLessThanOrEqual(512 * 1024);
    expect(await metric("paddock_watch_history_batches")).toBeGreaterThan(0);
    const mntr = await adminJson(server.adminPort!, "mntr");
    expect(mntr.paddock_watch_streams).toBeGreaterThanOrEqual(1);
    expect(mntr.paddock_watch_streams_canceled_compacted).toBeGreaterThanOrEqual(1);
    expect(mntr.paddock_watch_history_oldest_zxid).toBe(`0x${oldest.toString(16)}`);
    expect(Number(mntr.paddock_watch_stream_changes_sent)).toBeGreaterThan(sentBefore);
    live.close();
    await waitUntil("the stream's close counted", async () => (await metric("paddock_watch_streams")) === 0);
  });
});

async function take(stream: WatchStream, count: number): Promise<WatchStreamBatch[]> {
  const out: WatchStreamBatch[] = [];
  for (let i = 0; i < count; i++) {
    const next = await stream.next();
    if (next.done) throw new Error(`stream ended after ${out.length} batches`);
    out.push(next.value);
  }
  return out;
}

describe("watch stream options in the TS client", () => {
  it("gives the previous data and stat, and only the event types asked for", async () => {
    const start = (await writer.create("/ts", "t0")).stat.czxid;
    await writer.create("/ts/kid");
    await writer.setData("/ts", "t1");
    await writer.delete("/ts/kid");
    const stream = writer.watchStream("/ts", {
      recursive: true,
      fromZxid: start,
      withPrevData: true,
      eventTypes: ["NodeDataChanged", "NodeDeleted"],
    });
    const batches = await take(stream, 2);
    await stream.return();
    const [changed, deleted] = batches.map((b) => b.changes[0]!);
    expect([changed!.type, text(changed!.prevData!), changed!.prevStat!.version]).toEqual([
      "NodeDataChanged",
      "t0",
      0,
    ]);
    expect([deleted!.type, deleted!.path, deleted!.prevStat!.czxid]).toEqual([
      "NodeDeleted",
      "/ts/kid",
      start + 1n,
    ]);
    expect(changed!.data).toBeUndefined();
  });

  it("joins a fragmented transaction into one batch", async () => {
    await writer.create("/tsf");
    const paths = Array.from({ length: 8 }, (_, i) => `/tsf/n${i}`);
    for (const p of paths) await writer.create(p, "a".repeat(6000));
    const before = (await writer.exists("/tsf/n7"))!.mzxid;
    await writer.multi(paths.map((p) => op.setData(p, "b".repeat(6000))));
    const after = (await writer.create("/tsf/after")).stat.czxid;
    const stream = writer.watchStream("/tsf", {
      recursive: true,
      fromZxid: before,
      withData: true,
      withPrevData: true,
    });
    const [multi, next] = await take(stream, 2);
    await stream.return();
    // The same transaction comes in several messages on the wire (the test above); here, whole.
    expect(multi!.changes.map((c) => c.path)).toEqual(paths);
    expect(multi!.changes.every((c) => c.data!.length === 6000 && c.prevData!.length === 6000)).toBe(true);
    expect(next!.zxid).toBe(after);
    expect(stream.lastZxid).toBe(after);
  });

  it("refuses an event type name it does not know, naming it", () => {
    expect(() => writer.watchStream("/", { eventTypes: ["NodeRenamed" as StreamEventType] })).toThrow(
      /eventTypes: NodeRenamed is not one of NodeCreated/,
    );
  });
});
