import { credentials, Metadata } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  WatchCancelReason,
  WatchServiceClient,
  type WatchStreamResponse,
} from "../../clients/ts/gen/paddock/v1/watch.js";
import {
  type Client,
  connect,
  op,
  WatchCompactedError,
  type WatchStream,
  type WatchStreamBatch,
} from "../../clients/ts/src/index.js";
import { type ServerHandle, startServer } from "../support/launcher.js";
import { waitUntil } from "../support/wait.js";

// The resumable watch stream (WatchService/Watch) against a real server: resume without a gap or a
// repeat, the compacted-history error, the READ filter, a multi as one message, the slow-consumer
// cut, and the history rebuilt from the log after a restart.

let server: ServerHandle;
let writer: Client;

beforeAll(async () => {
  // A small history (4 MiB) that the compaction test fills quickly; a small per-stream buffer.
  server = await startServer({ settings: { watchHistorySize: 4096, watchStreamBufferSize: 4 } });
  writer = await connect(server.address);
});

afterAll(async () => {
  await writer?.close();
  await server?.stop();
});

/** The next `count` batches of a stream, as "zxid type path" lines. */
async function take(stream: WatchStream, count: number): Promise<WatchStreamBatch[]> {
  const out: WatchStreamBatch[] = [];
  for (let i = 0; i < count; i++) {
    const next = await stream.next();
    if (next.done) throw new Error(`stream ended after ${out.length} batches`);
    out.push(next.value);
  }
  return out;
}

const lines = (batches: WatchStreamBatch[]): string[] =>
  batches.flatMap((b) => b.changes.map((c) => `${c.type} ${c.path}`));

describe("resumable watch stream", () => {
  it("resumes after the client leaves, from the last zxid it saw, missing and repeating nothing", async () => {
    const start = (await writer.create("/r")).stat.czxid;
    for (let i = 0; i < 6; i++) await writer.create(`/r/n${i}`, `v${i}`);
    const first = writer.watchStream("/r", { recursive: true, fromZxid: start, withData: true });
    const seen = await take(first, 3);
    expect(lines(seen)).toEqual(["NodeCreated /r/n0", "NodeCreated /r/n1", "NodeCreated /r/n2"]);
    expect(Buffer.from(seen[0]!.changes[0]!.data!).toString()).toBe("v0");
    expect(seen[0]!.changes[0]!.stat!.czxid).toBe(seen[0]!.zxid);
    // Leave: the last zxid delivered to us is where the next stream starts.
    const resumeFrom = seen[2]!.zxid;
    await first.return();
    for (let i = 6; i < 9; i++) await writer.setData(`/r/n${i - 6}`, `w${i}`);
    const second = writer.watchStream("/r", { recursive: true, fromZxid: resumeFrom });
    const rest = await take(second, 6);
    await second.return();
    expect(lines(rest)).toEqual([
      "NodeCreated /r/n3",
      "NodeCreated /r/n4",
      "NodeCreated /r/n5",
      "NodeDataChanged /r/n0",
      "NodeDataChanged /r/n1",
      "NodeDataChanged /r/n2",
    ]);
    const zxids = [...seen, ...rest].map((b) => b.zxid);
    expect(new Set(zxids).size).toBe(9);
    expect([...zxids].sort((a, b) => (a < b ? -1 : 1))).toEqual(zxids);
  });

  it("delivers a multi's changes as one message, children events when asked", async () => {
    await writer.create("/m");
    const stream = writer.watchStream("/m", { recursive: true, childrenEvents: true });
    await waitUntil("the stream's first progress", () => stream.lastZxid !== undefined);
    const results = await writer.multi([op.create("/m/a"), op.create("/m/b"), op.setData("/m/a", "x")]);
    const [batch] = await take(stream, 1);
    await stream.return();
    expect(results).toHaveLength(3);
    expect(lines([batch!])).toEqual([
      "NodeCreated /m/a",
      "NodeChildrenChanged /m",
      "NodeCreated /m/b",
      "NodeChildrenChanged /m",
      "NodeDataChanged /m/a",
    ]);
  });

  it("delivers only the changes of nodes the watcher may READ", async () => {
    const alice = await connect(server.address, { auth: [{ scheme: "digest", auth: "alice:pw" }] });
    try {
      const start = (await writer.create("/acl")).stat.czxid;
      await alice.create("/acl/secret", "s", { acl: [{ perms: 31, id: { scheme: "auth", id: "" } }] });
      await writer.create("/acl/open", "o");
      await alice.setData("/acl/secret", "s2");
      await writer.setData("/acl/open", "o2");
      const anonymous = writer.watchStream("/acl", { recursive: true, fromZxid: start });
      const owner = alice.watchStream("/acl", { recursive: true, fromZxid: start });
      expect(lines(await take(anonymous, 2))).toEqual(["NodeCreated /acl/open", "NodeDataChanged /acl/open"]);
      expect(lines(await take(owner, 4))).toEqual([
        "NodeCreated /acl/secret",
        "NodeCreated /acl/open",
        "NodeDataChanged /acl/secret",
        "NodeDataChanged /acl/open",
      ]);
      await anonymous.return();
      await owner.return();
    } finally {
      await alice.close();
    }
  });

  it("answers a start older than the history with the oldest zxid, and serves from that one", async () => {
    const start = (await writer.create("/old")).stat.czxid;
    // 4 MiB of history: 80 changes of 64 KiB push /old's creation out of it.
    const data = "x".repeat(64 * 1024);
    for (let i = 0; i < 80; i++) await writer.setData("/old", data);
    const stale = writer.watchStream("/old", { fromZxid: start });
    const error = await stale.next().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WatchCompactedError);
    const oldest = (error as WatchCompactedError).oldestZxid;
    expect(oldest).toBeGreaterThan(start);
    expect((error as Error).message).toContain("watchHistorySize");
    const fresh = writer.watchStream("/old", { fromZxid: oldest });
    const [batch] = await take(fresh, 1);
    await fresh.return();
    expect(batch!.zxid).toBeGreaterThan(oldest);
  });

  it("cuts a consumer that stops reading, with the zxid it can resume from", async () => {
    const start = (await writer.create("/slow")).stat.czxid;
    const grpc = new WatchServiceClient(server.address, credentials.createInsecure());
    const request = {
      path: "/slow",
      recursive: false,
      withData: true,
      childrenEvents: false,
      progressIntervalMs: 0,
      withPrevData: false,
      eventTypes: [],
      fragment: false,
    };
    const call = grpc.watch({ ...request, fromZxid: start }, new Metadata());
    const messages: WatchStreamResponse[] = [];
    call.on("data", (m: WatchStreamResponse) => messages.push(m));
    await waitUntil("the stream's first progress", () => messages.length > 0);
    call.pause();
    // Not reading: 20 changes of 64 KiB fill the transport's flow-control windows, then the
    // stream's 4 KiB buffer (watchStreamBufferSize), and the next change cuts the stream.
    let canceled = false;
    call.on("end", () => {
      canceled = true;
    });
    call.on("error", () => undefined);
    const big = "y".repeat(64 * 1024);
    for (let i = 0; i < 20; i++) await writer.setData("/slow", big);
    call.resume();
    await waitUntil("the stream's end", () => canceled);
    grpc.close();
    const last = messages[messages.length - 1]!;
    expect(last.kind?.$case).toBe("canceled");
    const cancel = last.kind?.$case === "canceled" ? last.kind.value : undefined;
    expect(cancel!.reason).toBe(WatchCancelReason.WATCH_CANCEL_REASON_SLOW_CONSUMER);
    const delivered = messages.flatMap((m) => (m.kind?.$case === "changes" ? [m.kind.value.zxid] : []));
    expect(cancel!.lastZxid).toBe(delivered[delivered.length - 1]);
    // Resuming from it goes on with the next change, none repeated.
    const resumed = writer.watchStream("/slow", { fromZxid: cancel!.lastZxid });
    const [next] = await take(resumed, 1);
    await resumed.return();
    expect(next!.zxid).toBeGreaterThan(cancel!.lastZxid);
  });

  it("goes on by itself across a server restart, and the history is rebuilt from the log", async () => {
    const reader = await connect(server.address);
    try {
      const start = (await writer.create("/boot")).stat.czxid;
      await writer.setData("/boot", "1");
      const stream = reader.watchStream("/boot", { fromZxid: start, withData: true });
      const [first] = await take(stream, 1);
      await writer.close();
      await server.kill();
      server = await server.restart();
      writer = await connect(server.address);
      await writer.setData("/boot", "2");
      // The same iterator: reopened from the last zxid it delivered, so "1" does not come again.
      const [second] = await take(stream, 1);
      await stream.return();
      expect(Buffer.from(first!.changes[0]!.data!).toString()).toBe("1");
      expect(Buffer.from(second!.changes[0]!.data!).toString()).toBe("2");
      // A new stream from before the restart is served from the history rebuilt from the log.
      const replay = writer.watchStream("/boot", { fromZxid: start });
      const both = await take(replay, 2);
      await replay.return();
      expect(both.map((b) => b.zxid)).toEqual([first!.zxid, second!.zxid]);
    } finally {
      await reader.close();
    }
  });

  it("refuses a bad path with a clear error, in the client and on the wire", async () => {
    expect(() => writer.watchStream("no-slash")).toThrow(/must start with \//);
    const grpc = new WatchServiceClient(server.address, credentials.createInsecure());
    const request = {
      path: "/a//b",
      recursive: false,
      withData: false,
      childrenEvents: false,
      progressIntervalMs: 0,
      withPrevData: false,
      eventTypes: [],
      fragment: false,
    };
    const call = grpc.watch(request, new Metadata());
    const error = await new Promise<Error & { code?: number }>((resolve) => call.on("error", resolve));
    grpc.close();
    expect(error.code).toBe(3); // INVALID_ARGUMENT
    expect(error.message).toContain("/a//b");
  });
});
