import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectFrame, framesOf, openRaw, pathRequest, type RawConn } from "../support/jute-raw.js";
import { type ServerHandle, startServer } from "../support/launcher.js";
import { enc, RawSession } from "../support/raw-session.js";

// ZooKeeper's promise, checked in the order messages ARRIVE on the wire (raw stream readers, no
// client library that could reorder): a watch event reaches its session before any reply that
// shows the data that fired it. The writer's own watch is the sharp case: the event and the
// write's reply come out of the same apply step, so an apply that sent replies before events
// fails here every run. Another session's watch is checked against that session's next read.

const NODE_DATA_CHANGED = 3;
const GET_DATA = 4;
const SET_DATA = 5;
const NOTIFICATION = -1;

let server: ServerHandle;

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await server?.stop();
});

async function createNode(path: string): Promise<void> {
  const s = await RawSession.connect(server.address);
  const created = await s.call1({
    $case: "create",
    value: { path, data: enc("old"), acl: [], mode: 0, ttl: 0n },
  });
  expect(created.error).toBeUndefined();
  await s.close();
}

const isDataChanged = (path: string) => (m: RawSession["received"][number]) =>
  m.kind?.$case === "event" && m.kind.value.path === path && m.kind.value.type === NODE_DATA_CHANGED;
const isReply = (xid: number) => (m: RawSession["received"][number]) =>
  m.kind?.$case === "reply" && m.kind.value.xid === xid;

describe("gRPC session stream: a watch event arrives before the reply that shows its data", () => {
  it("the writer's own watch fires before its setData reply, and before a read sent with it", async () => {
    await createNode("/own");
    const s = await RawSession.connect(server.address);
    const watched = await s.call1({ $case: "getData", value: { path: "/own", watch: true, consistency: 0 } });
    expect(watched.error).toBeUndefined();
    // The write and a read in one envelope: the read shows the new data, so it too must come after.
    const [write, read] = s.send(
      { $case: "setData", value: { path: "/own", data: enc("new"), version: undefined } },
      { $case: "getData", value: { path: "/own", watch: false, consistency: 0 } },
    );
    const readReply = await s.reply(read!);
    if (readReply.result?.$case !== "getData") throw new Error("expected getData");
    expect(Buffer.from(readReply.result.value.data).toString()).toBe("new");
    const order = s.received
      .filter((m) => isDataChanged("/own")(m) || isReply(write!)(m) || isReply(read!)(m))
      .map((m) => (m.kind?.$case === "reply" ? `reply ${m.kind.value.xid}` : "event"));
    expect(order).toEqual(["event", `reply ${write}`, `reply ${read}`]);
    await s.close();
  });

  it("another session's watch fires before that session's read of the new data", async () => {
    await createNode("/other");
    const watcher = await RawSession.connect(server.address);
    const writer = await RawSession.connect(server.address);
    await watcher.call1({ $case: "getData", value: { path: "/other", watch: true, consistency: 0 } });
    const write = await writer.call1({
      $case: "setData",
      value: { path: "/other", data: enc("new"), version: undefined },
    });
    expect(write.error).toBeUndefined();
    const [read] = watcher.send({
      $case: "getData",
      value: { path: "/other", watch: false, consistency: 0 },
    });
    const readReply = await watcher.reply(read!);
    if (readReply.result?.$case !== "getData") throw new Error("expected getData");
    expect(Buffer.from(readReply.result.value.data).toString()).toBe("new");
    const eventAt = watcher.indexOf(isDataChanged("/other"));
    expect(eventAt).toBeGreaterThanOrEqual(0);
    expect(eventAt).toBeLessThan(watcher.indexOf(isReply(read!)));
    await watcher.close();
    await writer.close();
  });
});

/** A raw ZooKeeper-protocol session: the frames after the ConnectResponse, in arrival order. */
async function juteSession(): Promise<{ conn: RawConn; frames: () => Buffer[] }> {
  const conn = await openRaw(server.juteAddress);
  conn.socket.write(connectFrame({}));
  await conn.bytes(4 + 36);
  return { conn, frames: () => framesOf(conn.received()).slice(1) };
}

const getData = (xid: number, path: string, watch: boolean): Buffer =>
  pathRequest(xid, GET_DATA, path, Buffer.from([watch ? 1 : 0]));

function setData(xid: number, path: string, data: string): Buffer {
  const bytes = Buffer.from(data);
  const extra = Buffer.alloc(4 + bytes.length + 4);
  extra.writeInt32BE(bytes.length, 0);
  bytes.copy(extra, 4);
  extra.writeInt32BE(-1, 4 + bytes.length);
  return pathRequest(xid, SET_DATA, path, extra);
}

/** "reply <xid> err <code>" or "event <type> <path>", for one frame. */
function describeFrame(frame: Buffer): string {
  const xid = frame.readInt32BE(0);
  if (xid !== NOTIFICATION) return `reply ${xid} err ${frame.readInt32BE(12)}`;
  const type = frame.readInt32BE(16);
  const length = frame.readInt32BE(24);
  return `event ${type} ${frame.subarray(28, 28 + length).toString()}`;
}

/** Waits (deadline, no sleep) until the reply to `xid` has arrived; returns all frames so far. */
async function untilReply(session: Awaited<ReturnType<typeof juteSession>>, xid: number): Promise<string[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const described = session.frames().map(describeFrame);
    if (described.some((d) => d.startsWith(`reply ${xid} `))) return described;
    if (session.conn.isClosed() || Date.now() > deadline)
      throw new Error(`no reply ${xid}; got ${JSON.stringify(described)}`);
    await session.conn.bytes(session.conn.received().length + 1);
  }
}

describe("ZooKeeper door: a watch event arrives before the reply that shows its data", () => {
  it("the writer's own watch fires before its setData reply, and before a read sent with it", async () => {
    await createNode("/jute-own");
    const s = await juteSession();
    s.conn.socket.write(getData(1, "/jute-own", true));
    expect(await untilReply(s, 1)).toEqual(["reply 1 err 0"]);
    s.conn.socket.write(Buffer.concat([setData(2, "/jute-own", "new"), getData(3, "/jute-own", false)]));
    expect(await untilReply(s, 3)).toEqual([
      "reply 1 err 0",
      `event ${NODE_DATA_CHANGED} /jute-own`,
      "reply 2 err 0",
      "reply 3 err 0",
    ]);
    s.conn.socket.destroy();
  });

  it("another session's watch fires before that session's read of the new data", async () => {
    await createNode("/jute-other");
    const watcher = await juteSession();
    const writer = await juteSession();
    watcher.conn.socket.write(getData(1, "/jute-other", true));
    await untilReply(watcher, 1);
    writer.conn.socket.write(setData(1, "/jute-other", "new"));
    expect(await untilReply(writer, 1)).toEqual(["reply 1 err 0"]);
    watcher.conn.socket.write(getData(2, "/jute-other", false));
    const frames = await untilReply(watcher, 2);
    expect(frames).toEqual(["reply 1 err 0", `event ${NODE_DATA_CHANGED} /jute-other`, "reply 2 err 0"]);
    // The read shows the new data (its body: data buffer length, then the bytes).
    const last = watcher.frames().at(-1)!;
    expect(last.subarray(20, 20 + last.readInt32BE(16)).toString()).toBe("new");
    watcher.conn.socket.destroy();
    writer.conn.socket.destroy();
  });
});
