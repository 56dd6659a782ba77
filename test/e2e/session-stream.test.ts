import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerHandle, startServer } from "../support/launcher.js";
import { enc, RawSession } from "../support/raw-session.js";

const NODE_DATA_CHANGED = 3;
const NODE_DELETED = 2;
const BAD_VERSION = -103;
const NO_NODE = -101;
const NODE_EXISTS = -110;
const BAD_ARGUMENTS = -8;
const SESSION_EXPIRED = -112;

let server: ServerHandle;

beforeAll(async () => {
  server = await startServer({ settings: { tickTime: 200, minSessionTimeout: 400 } });
});

afterAll(async () => {
  await server?.stop();
});

describe("session stream (real server process)", () => {
  it("opens a session, writes and reads with full Stat", async () => {
    const s = await RawSession.connect(server.address);
    const created = await s.call1({
      $case: "create",
      value: { path: "/s1", data: enc("v0"), acl: [], mode: 0, ttl: 0n },
    });
    expect(created.error).toBeUndefined();
    expect(created.result?.$case).toBe("create");
    const got = await s.call1({ $case: "getData", value: { path: "/s1", watch: false, consistency: 0 } });
    if (got.result?.$case !== "getData") throw new Error(`unexpected ${got.result?.$case}`);
    expect(Buffer.from(got.result.value.data).toString()).toBe("v0");
    const stat = got.result.value.stat!;
    expect(stat.version).toBe(0);
    expect(stat.czxid).toBe(stat.mzxid);
    expect(stat.dataLength).toBe(2);
    expect(got.zxid).toBeGreaterThanOrEqual(stat.czxid);
    await s.close();
  });

  it("checks versions against outstanding changes: two setData -v 0 in one envelope, the second fails", async () => {
    const s = await RawSession.connect(server.address);
    await s.call1({ $case: "create", value: { path: "/s2", data: enc(""), acl: [], mode: 0, ttl: 0n } });
    const [a, b] = s.send(
      { $case: "setData", value: { path: "/s2", data: enc("a"), version: 0 } },
      { $case: "setData", value: { path: "/s2", data: enc("b"), version: 0 } },
    );
    const first = await s.reply(a!);
    const second = await s.reply(b!);
    expect(first.error).toBeUndefined();
    expect(second.error?.code).toBe(BAD_VERSION);
    expect(second.error?.path).toBe("/s2");
    await s.close();
  });

  it("answers in request order (FIFO per session) across writes, failures and reads", async () => {
    const s = await RawSession.connect(server.address);
    const xids = s.send(
      { $case: "create", value: { path: "/fifo", data: enc("1"), acl: [], mode: 0, ttl: 0n } },
      { $case: "getData", value: { path: "/fifo", watch: false, consistency: 0 } },
      { $case: "create", value: { path: "/fifo", data: enc("dup"), acl: [], mode: 0, ttl: 0n } },
      { $case: "setData", value: { path: "/fifo", data: enc("2"), version: undefined } },
      { $case: "getData", value: { path: "/fifo", watch: false, consistency: 0 } },
      { $case: "delete", value: { path: "/nope", version: undefined } },
      { $case: "exists", value: { path: "/fifo", watch: false, consistency: 0 } },
    );
    const last = await s.reply(xids[xids.length - 1]!);
    expect(last.error).toBeUndefined();
    const order = s.received.flatMap((m) => (m.kind?.$case === "reply" ? [m.kind.value.xid] : []));
    expect(order).toEqual(xids);
    const replies = await Promise.all(xids.map((x) => s.reply(x)));
    // The read right after the create sees it (read-your-writes), the later read sees the setData.
    const read1 = replies[1]!.result;
    const read2 = replies[4]!.result;
    if (read1?.$case !== "getData" || read2?.$case !== "getData") throw new Error("expected getData");
    expect(Buffer.from(read1.value.data).toString()).toBe("1");
    expect(Buffer.from(read2.value.data).toString()).toBe("2");
    expect(replies[2]!.error?.code).toBe(NODE_EXISTS);
    expect(replies[5]!.error?.code).toBe(NO_NODE);
    expect(replies[5]!.error?.path).toBe("/nope");
    await s.close();
  });

  it("delivers a watch event before any reply that shows the new data", async () => {
    const watcher = await RawSession.connect(server.address);
    const writer = await RawSession.connect(server.address);
    await writer.call1({
      $case: "create",
      value: { path: "/w", data: enc("old"), acl: [], mode: 0, ttl: 0n },
    });
    const watched = await watcher.call1({
      $case: "getData",
      value: { path: "/w", watch: true, consistency: 0 },
    });
    expect(watched.error).toBeUndefined();
    const write = await writer.call1({
      $case: "setData",
      value: { path: "/w", data: enc("new"), version: undefined },
    });
    expect(write.error).toBeUndefined();
    const [readXid] = watcher.send({ $case: "getData", value: { path: "/w", watch: false, consistency: 0 } });
    const read = await watcher.reply(readXid!);
    if (read.result?.$case !== "getData") throw new Error("expected getData");
    expect(Buffer.from(read.result.value.data).toString()).toBe("new");
    const eventAt = watcher.indexOf(
      (m) =>
        m.kind?.$case === "event" && m.kind.value.path === "/w" && m.kind.value.type === NODE_DATA_CHANGED,
    );
    const replyAt = watcher.indexOf((m) => m.kind?.$case === "reply" && m.kind.value.xid === readXid);
    expect(eventAt).toBeGreaterThanOrEqual(0);
    expect(eventAt).toBeLessThan(replyAt);
    await watcher.close();
    await writer.close();
  });

  it("rejects a request with no op and keeps serving", async () => {
    const s = await RawSession.connect(server.address);
    s.sendRequests([{ xid: 77, timeoutMs: 0, trace: {}, op: undefined }]);
    const reply = await s.reply(77);
    expect(reply.error?.code).toBe(BAD_ARGUMENTS);
    const bad = await s.call1({
      $case: "create",
      value: { path: "no-slash", data: enc(""), acl: [], mode: 0, ttl: 0n },
    });
    expect(bad.error?.code).toBe(BAD_ARGUMENTS);
    expect(bad.error?.message).toContain("no-slash");
    const ok = await s.call1({ $case: "exists", value: { path: "/", watch: false, consistency: 0 } });
    expect(ok.error).toBeUndefined();
    await s.close();
  });

  it("refuses data over the request limit with an error naming the limit", async () => {
    const s = await RawSession.connect(server.address);
    const big = Buffer.alloc(1024 * 1024 + 1);
    const reply = await s.call1({
      $case: "create",
      value: { path: "/big", data: big, acl: [], mode: 0, ttl: 0n },
    });
    expect(reply.error).toBeDefined();
    expect(reply.error?.message).toMatch(/1048576|limit|max/i);
    const gone = await s.call1({ $case: "exists", value: { path: "/big", watch: false, consistency: 0 } });
    expect(gone.result?.$case === "exists" && gone.result.value.stat).toBeFalsy();
    await s.close();
  });

  it("expires a silent session: its ephemeral goes and a watcher sees NodeDeleted", async () => {
    const owner = await RawSession.connect(server.address, { timeoutMs: 400 });
    const created = await owner.call1({
      $case: "create",
      value: { path: "/eph", data: enc(""), acl: [], mode: 1, ttl: 0n },
    });
    expect(created.error).toBeUndefined();
    const watcher = await RawSession.connect(server.address);
    await watcher.call1({ $case: "exists", value: { path: "/eph", watch: true, consistency: 0 } });
    // Stop sending anything: only expiry can remove the ephemeral; the owner's open stream is told.
    const expired = await owner.waitFor((m) => m.kind?.$case === "sessionEvent", 15_000);
    expect(expired.kind?.$case === "sessionEvent" && expired.kind.value.state).toBe(3);
    await owner.endedPromise();
    await watcher.waitFor((m) => m.kind?.$case === "event" && m.kind.value.type === NODE_DELETED, 15_000);
    const after = await watcher.call1({
      $case: "exists",
      value: { path: "/eph", watch: false, consistency: 0 },
    });
    expect(after.result?.$case === "exists" && after.result.value.stat).toBeFalsy();
    await watcher.close();
  });

  it("resumes a session on a new stream and fires the changes it missed", async () => {
    const first = await RawSession.connect(server.address, { timeoutMs: 4000 });
    const hello = first.received.find((m) => m.kind?.$case === "connected")!;
    if (hello.kind?.$case !== "connected") throw new Error("no connected");
    const { sessionId, password } = hello.kind.value;
    await first.call1({ $case: "create", value: { path: "/r", data: enc("1"), acl: [], mode: 0, ttl: 0n } });
    const read = await first.call1({ $case: "getData", value: { path: "/r", watch: true, consistency: 0 } });
    first.drop();
    const other = await RawSession.connect(server.address);
    await other.call1({ $case: "setData", value: { path: "/r", data: enc("2"), version: undefined } });
    const resumed = RawSession.open(server.address);
    resumed.sendConnect({
      sessionId,
      password,
      lastZxidSeen: read.zxid,
      watches: {
        relativeZxid: read.zxid,
        dataWatches: ["/r"],
        existWatches: [],
        childWatches: [],
        persistentWatches: [],
        persistentRecursiveWatches: [],
      },
    });
    const again = await resumed.connected();
    expect(again.sessionId).toBe(sessionId);
    await resumed.waitFor(
      (m) =>
        m.kind?.$case === "event" && m.kind.value.path === "/r" && m.kind.value.type === NODE_DATA_CHANGED,
    );
    await resumed.close();
    await other.close();
  });

  it("refuses to resume with a wrong password or an unknown session", async () => {
    const s = RawSession.open(server.address);
    s.sendConnect({ sessionId: 12345n, password: Buffer.alloc(16) });
    const event = await s.waitFor((m) => m.kind?.$case === "sessionEvent");
    if (event.kind?.$case !== "sessionEvent") throw new Error("expected sessionEvent");
    expect(event.kind.value.error?.code).toBe(SESSION_EXPIRED);
    await s.endedPromise();
  });

  it("closes a stream whose first message is not a ConnectRequest", async () => {
    const s = RawSession.open(server.address);
    s.sendRequests([{ xid: 1, timeoutMs: 0, trace: {}, op: { $case: "ping", value: {} } }]);
    const error = await s.endedPromise();
    expect(error?.message).toContain("ConnectRequest");
  });
});
