import type { Tracer } from "@opentelemetry/api";
import { BasicTracerProvider } from "@opentelemetry/sdk-trace-base";
import { config } from "rxjs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AssertionError } from "../../../server/util/assert.js";
import { Code } from "../../../server/util/error-code.js";
import { PaddockError } from "../../../server/util/paddock-error.js";
import { connect, connection, create, member } from "./fake-member.js";

// Intake's figures as mntr and stats read them (the pipeline's admin view), the touch each
// request gives its session, the connection closed past twice outstandingPerSessionMax, and a
// request that fails unexpectedly (found by mutation testing, docs/TESTING.md).

type Member = ReturnType<typeof member>;

async function started(...args: Parameters<typeof member>) {
  const m = member(...args);
  await m.advanceTo(2_000);
  const c = connection(m.pipeline.front, "10.0.4.1");
  c.conn.connect(connect);
  await m.advanceTo(2_100);
  expect(c.received.map((r) => r.kind?.$case)).toEqual(["connected"]);
  return { m, c };
}

const exists = (path: string) => ({
  $case: "exists" as const,
  value: { path, watch: false, consistency: 0 },
});
const later = (m: Member, ms = 100) => m.advanceTo(m.scheduler.now() + ms);

describe("intake's counters (mntr's packets_received, outstanding_requests; stats' auth failures)", () => {
  it("counts each request received, and what is outstanding until its reply leaves", async () => {
    const { m, c } = await started();
    expect(m.pipeline.view.received).toBe(0);
    m.storage.hold();
    c.send(create("/a"));
    c.conn.submit([{ xid: 90, timeoutMs: 0, trace: {}, op: undefined }]); // refused, behind the write
    c.send(exists("/a"));
    expect(m.pipeline.view.received).toBe(3);
    expect(m.pipeline.view.outstanding).toBe(3);
    m.storage.release();
    await later(m);
    expect(c.received.filter((r) => r.kind?.$case === "reply")).toHaveLength(3);
    expect(m.pipeline.view.outstanding).toBe(0);
    expect(m.pipeline.view.received).toBe(3);
    m.stop();
  });

  it("addAuth: an accepted one answers an empty addAuth result; a refused one counts as an auth failure", async () => {
    const authenticate = (scheme: string, auth: Uint8Array) => {
      if (scheme !== "digest") throw new PaddockError(Code.AuthFailed, "", `no ${scheme} in this test`);
      return [{ scheme: "digest", id: Buffer.from(auth).toString() }];
    };
    const { m, c } = await started({}, authenticate);
    const good = c.send({ $case: "addAuth", value: { scheme: "digest", auth: Buffer.from("bob:pw") } });
    expect(m.pipeline.view.requests.authFailed).toBe(0);
    const bad = c.send({ $case: "addAuth", value: { scheme: "sasl", auth: Buffer.from("x") } });
    const bad2 = c.send({ $case: "addAuth", value: { scheme: "ip", auth: Buffer.from("x") } });
    expect(c.reply(good)).toMatchObject({ error: undefined, result: { $case: "addAuth", value: {} } });
    expect(c.reply(bad)?.error?.code).toBe(Code.AuthFailed);
    expect(c.reply(bad2)?.error?.code).toBe(Code.AuthFailed);
    expect(m.pipeline.view.requests.authFailed).toBe(2);
    expect(m.pipeline.view.outstanding).toBe(0);
    m.stop();
  });
});

describe("each request touches its session", () => {
  it("a session that keeps sending outlives its timeout many times over; an idle one expires", async () => {
    const { m, c } = await started();
    const idle = connection(m.pipeline.front, "10.0.4.2");
    idle.conn.connect(connect);
    await later(m);
    let last = 0;
    for (let t = m.scheduler.now(); t < 12_000; t += 300) {
      last = c.send(exists("/"));
      await m.advanceTo(t);
    }
    await later(m);
    expect(c.reply(last)?.error).toBeUndefined();
    expect(c.ended).toBe(false);
    expect(m.log.filter((l) => l.startsWith("expiring session"))).toEqual(["expiring session 0x101"]);
    expect(idle.ended).toBe(true);
    m.stop();
  });
});

describe("twice outstandingPerSessionMax", () => {
  it("closes the connection, takes the request off the outstanding count, and later requests on it harm nothing", async () => {
    const { m, c } = await started({ outstandingPerSessionMax: 2 });
    const other = connection(m.pipeline.front, "10.0.4.3");
    other.conn.connect(connect);
    await later(m);
    m.storage.hold();
    c.send(create("/a"));
    c.send(create("/b"));
    c.send(exists("/x"));
    c.send(exists("/y"));
    expect(m.pipeline.view.outstanding).toBe(4);
    c.send(exists("/z"));
    expect(c.ended).toBe(true);
    expect(m.pipeline.view.outstanding).toBe(4);
    // Its sink is gone: more requests on the closed connection are dropped the same way.
    c.send(exists("/w"));
    expect(m.pipeline.view.outstanding).toBe(4);
    m.storage.release();
    await later(m);
    expect(m.pipeline.view.outstanding).toBe(0);
    const xid = other.send(exists("/a"));
    await later(m);
    expect(other.reply(xid)?.result).toMatchObject({ $case: "exists", value: { stat: { version: 0 } } });
    m.stop();
  });
});

describe("a request that fails unexpectedly", () => {
  let broken: Error | undefined;
  /** A real tracer that throws `broken` when set (a fault in a dependency of admit). */
  const real = new BasicTracerProvider().getTracer("test");
  const tracer: Tracer = {
    startSpan: (...args: Parameters<Tracer["startSpan"]>) => {
      if (broken !== undefined) throw broken;
      return real.startSpan(...args);
    },
    startActiveSpan: real.startActiveSpan.bind(real),
  };
  const onUnhandledError = config.onUnhandledError;
  afterEach(() => {
    broken = undefined;
    config.onUnhandledError = onUnhandledError;
  });

  it("is answered SystemError and logged as an error with its stack; the session goes on", async () => {
    const { m, c } = await started({}, undefined, { tracer });
    broken = new Error("tracer broke");
    const failed = c.send(exists("/"));
    broken = undefined;
    const next = c.send(exists("/"));
    expect(c.reply(failed)?.error).toEqual({
      code: Code.SystemError,
      path: "",
      message: "internal error: tracer broke",
    });
    expect(c.reply(next)?.error).toBeUndefined();
    const logged = m.leveled.filter((l) => l.includes("failed"));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/^error request xid 1 failed: Error: tracer broke\n {4}at /);
    expect(m.pipeline.view.outstanding).toBe(0);
    m.stop();
  });

  it("an AssertionError is not answered: it ends the chain (a broken invariant stops the server)", async () => {
    const errors: unknown[] = [];
    config.onUnhandledError = (error) => errors.push(error);
    const { m, c } = await started({}, undefined, { tracer });
    broken = new AssertionError("invariant broken");
    const failed = c.send(exists("/"));
    await vi.waitFor(() => expect(errors).toHaveLength(1), { timeout: 5_000 });
    expect(errors[0]).toBe(broken);
    expect(c.reply(failed)).toBeUndefined();
    expect(m.leveled.filter((l) => l.includes("failed"))).toEqual([]);
    m.stop();
  });
});
