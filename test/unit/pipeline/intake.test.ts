import { describe, expect, it } from "vitest";
import { Code } from "../../../server/util/error-code.js";
import { PaddockError } from "../../../server/util/paddock-error.js";
import { connect, connection, create, member } from "./fake-member.js";

// Intake and the session queue request by request (found by mutation testing, docs/TESTING.md):
// what each refusal answers and names, the deadline of a request, the throttle that closes an
// overloaded connection, auth on arrival, and FIFO order per session.

async function started(limits = {}, authenticate?: Parameters<typeof member>[1]) {
  const m = member(limits, authenticate);
  await m.advanceTo(2_000);
  const c = connection(m.pipeline.front, "10.0.0.1");
  c.conn.connect(connect);
  await m.advanceTo(2_100);
  return { m, c };
}

const exists = (path: string) => ({
  $case: "exists" as const,
  value: { path, watch: false, consistency: 0 },
});
const getData = (path: string) => ({
  $case: "getData" as const,
  value: { path, watch: false, consistency: 0 },
});

describe("intake: refusals are answered at once, in order, and name what refused them", () => {
  it("a request without an op: BadArguments naming its xid; the next request is served", async () => {
    const { m, c } = await started();
    c.conn.submit([{ xid: 50, timeoutMs: 0, trace: {}, op: undefined }]);
    const next = c.send(exists("/"));
    expect(c.reply(50)?.error).toMatchObject({
      code: Code.BadArguments,
      path: "",
      message: "BadArguments for : request xid 50 has no op",
    });
    expect(c.reply(next)?.error).toBeUndefined();
    m.stop();
  });

  it("past outstandingPerSessionMax: Throttled with the limit, answered in its turn", async () => {
    const { m, c } = await started({ outstandingPerSessionMax: 2 });
    m.storage.hold();
    const writes = [c.send(create("/a")), c.send(create("/b"))];
    const throttled = c.send(exists("/x"));
    // The refusal waits its turn behind the writes (FIFO per session).
    expect(c.reply(throttled)).toBeUndefined();
    m.storage.release();
    await m.advanceTo(2_200);
    const xids = c.received.flatMap((r) => (r.kind?.$case === "reply" ? [r.kind.value.xid] : []));
    expect(xids).toEqual([...writes, throttled]);
    expect(c.reply(throttled)?.error).toMatchObject({
      code: Code.Throttled,
      path: "/x",
      message: "outstandingPerSessionMax 2 reached",
    });
    expect(c.ended).toBe(false);
    m.stop();
  });

  it("a client that keeps sending past twice outstandingPerSessionMax has its connection closed", async () => {
    const { m, c } = await started({ outstandingPerSessionMax: 2 });
    m.storage.hold();
    c.send(create("/a"));
    c.send(create("/b"));
    c.send(exists("/x"));
    c.send(exists("/y"));
    expect(c.ended).toBe(false);
    c.send(exists("/z"));
    expect(c.ended).toBe(true);
    m.storage.release();
    await m.advanceTo(2_200);
    expect(c.received.filter((r) => r.kind?.$case === "reply")).toEqual([]);
    m.stop();
  });

  it("past outstandingGlobalMax: Throttled with the limit", async () => {
    const { m, c } = await started({ outstandingGlobalMax: 1 });
    m.storage.hold();
    c.send(create("/a"));
    const refused = c.send(create("/b"));
    expect(c.reply(refused)?.error).toBeUndefined();
    m.storage.release();
    await m.advanceTo(2_200);
    expect(c.reply(refused)?.error).toMatchObject({
      code: Code.Throttled,
      message: "outstandingGlobalMax 1 reached",
    });
    m.stop();
  });

  it("after close: SessionExpired for what follows", async () => {
    const { m, c } = await started();
    const close = c.send({ $case: "close", value: {} });
    const late = c.send(exists("/a"));
    await m.advanceTo(2_200);
    expect(c.reply(close)?.error).toBeUndefined();
    expect(c.reply(late)?.error).toMatchObject({
      code: Code.SessionExpired,
      path: "/a",
      message: "session is closing",
    });
    m.stop();
  });
});

describe("intake: auth on arrival", () => {
  it("a failed addAuth is answered with the error; a good one applies to the requests after it only", async () => {
    const authenticate = (scheme: string, auth: Uint8Array) => {
      if (scheme !== "digest") throw new PaddockError(Code.AuthFailed, "", `no ${scheme} in this test`);
      return [{ scheme: "digest", id: Buffer.from(auth).toString() }];
    };
    const { m, c } = await started({}, authenticate);
    const acl = [{ perms: 31, id: { scheme: "digest", id: "bob:pw" } }];
    c.send({
      $case: "create",
      value: {
        path: "/b",
        data: Buffer.from("x"),
        acl: [{ perms: 31, id: { scheme: "world", id: "anyone" } }],
        mode: 0,
        ttl: 0n,
      },
    });
    await m.advanceTo(2_200);
    m.storage.hold();
    const bad = c.send({ $case: "addAuth", value: { scheme: "sasl", auth: Buffer.from("x") } });
    const before = c.send({ $case: "setAcl", value: { path: "/b", acl, version: -1 } });
    const read1 = c.send(getData("/b"));
    const good = c.send({ $case: "addAuth", value: { scheme: "digest", auth: Buffer.from("bob:pw") } });
    const read2 = c.send(getData("/b"));
    m.storage.release();
    await m.advanceTo(2_300);
    expect(c.reply(bad)?.error).toMatchObject({ code: Code.AuthFailed, message: "no sasl in this test" });
    expect(c.reply(good)?.error).toBeUndefined();
    expect(c.reply(before)?.error).toBeUndefined();
    // read1 arrived before the auth: it runs with the identities it came with, after the setAcl.
    expect(c.reply(read1)?.error).toMatchObject({ code: Code.NoAuth });
    expect(c.reply(read2)?.error).toBeUndefined();
    m.stop();
  });
});

describe("intake and the session queue: deadlines and FIFO order", () => {
  it("a read whose deadline passed while it waited behind a write: RequestTimeout naming the deadline", async () => {
    const { m, c } = await started();
    m.storage.hold();
    const write = c.send(create("/a"));
    const late = c.send(getData("/a"), 100);
    const patient = c.send(getData("/a"), 1_000);
    const noDeadline = c.send(getData("/a"));
    await m.advanceTo(2_400);
    m.storage.release();
    await m.advanceTo(2_500);
    expect(c.reply(write)?.error).toBeUndefined();
    expect(c.reply(late)?.error).toMatchObject({
      code: Code.RequestTimeout,
      path: "/a",
      message: "deadline of 100 ms passed",
    });
    expect(c.reply(patient)?.error).toBeUndefined();
    expect(c.reply(noDeadline)?.error).toBeUndefined();
    const xids = c.received.flatMap((r) => (r.kind?.$case === "reply" ? [r.kind.value.xid] : []));
    expect(xids).toEqual([write, late, patient, noDeadline]);
    m.stop();
  });

  it("a read waits only for its own session's writes", async () => {
    const { m, c } = await started();
    const other = connection(m.pipeline.front, "10.0.0.2");
    other.conn.connect(connect);
    await m.advanceTo(2_200);
    m.storage.hold();
    const write = c.send(create("/a"));
    const mine = c.send(exists("/a"));
    const theirs = other.send(exists("/a"));
    expect(other.reply(theirs)?.result).toEqual({ $case: "exists", value: { stat: undefined } });
    expect(c.reply(mine)).toBeUndefined();
    m.storage.release();
    await m.advanceTo(2_300);
    expect(c.reply(write)?.error).toBeUndefined();
    expect(c.reply(mine)?.result).toMatchObject({ $case: "exists", value: { stat: { version: 0 } } });
    m.stop();
  });
});
