import { describe, expect, it } from "vitest";
import type { Reply, Request } from "../../../server/gen/paddock/v1/session.js";
import type { PipelineContext } from "../../../server/pipeline/context.js";
import type { Waiter } from "../../../server/pipeline/forwarder.js";
import { Requester, type Slot } from "../../../server/pipeline/requester.js";
import { drain, failWaiter } from "../../../server/pipeline/session-queue.js";
import { Code } from "../../../server/util/error-code.js";
import { PaddockError } from "../../../server/util/paddock-error.js";

// drain() on a context holding only what it reads: counters, the clocks, audit, the read context.
function setup(options: { clockMs?: number; monotonic?: number[]; audit?: boolean } = {}) {
  const latencies: number[] = [];
  const audited: string[] = [];
  const monotonic = [...(options.monotonic ?? [50])];
  let monotonicReads = 0;
  const ctx = {
    counters: {
      received: 0,
      sent: 0,
      outstanding: 3,
      appliedZxid: 40,
      requests: { record: (_op: unknown, ms: number) => latencies.push(ms) },
    },
    deps: {
      clock: () => options.clockMs ?? 1000,
      monotonicMs: () => {
        monotonicReads++;
        return monotonic.shift() ?? 999;
      },
      audit: options.audit ? (line: string) => audited.push(line) : undefined,
    },
    reads: {},
  } as unknown as PipelineContext;
  const sent: Reply[] = [];
  let ended = 0;
  const requester = new Requester(5n, [{ scheme: "ip", id: "10.0.0.1" }], {
    send: (m: { kind?: { $case: string; value: unknown } }) => {
      if (m.kind?.$case === "reply") sent.push(m.kind.value as Reply);
    },
    end: () => ended++,
  } as never);
  return {
    ctx,
    requester,
    sent,
    latencies,
    audited,
    ended: () => ended,
    monotonicReads: () => monotonicReads,
  };
}

function slot(xid: number, op: Request["op"], extra: Partial<Slot> = {}): Slot {
  const request = { xid, timeoutMs: 100, trace: {}, op } as unknown as Request;
  return {
    request,
    ids: [],
    reply: undefined,
    barrier: 0,
    deadline: 0,
    span: undefined,
    arrivedMs: 10,
    ...extra,
  };
}

const sync = { $case: "sync", value: { path: "/s" } } as Request["op"];
const setData = {
  $case: "setData",
  value: { path: "/w", data: Buffer.from("v"), version: -1 },
} as Request["op"];
const answered = (xid: number): Reply => ({ xid, zxid: 41n, error: undefined, result: undefined });

describe("a session's queue", () => {
  it("sends answered slots in order, counting each once, with one monotonic clock read per drain", () => {
    const s = setup({ monotonic: [50, 70] });
    s.requester.queue.push(
      slot(1, setData, { reply: answered(1), arrivedMs: 10 }),
      slot(2, setData, { reply: answered(2), arrivedMs: 20 }),
      slot(3, setData),
    );
    drain(s.ctx, s.requester);
    expect(s.sent.map((r) => r.xid)).toEqual([1, 2]);
    expect(s.requester.queue.map((q) => q.request.xid)).toEqual([3]);
    expect([s.ctx.counters.sent, s.ctx.counters.outstanding]).toEqual([2, 1]);
    expect(s.latencies).toEqual([40, 30]);
    expect(s.monotonicReads()).toBe(1);
  });

  it("a clock reading 0 at the first reply is still read once", () => {
    const s = setup({ monotonic: [0, 70] });
    s.requester.queue.push(
      slot(1, setData, { reply: answered(1), arrivedMs: 0 }),
      slot(2, setData, { reply: answered(2), arrivedMs: 0 }),
    );
    drain(s.ctx, s.requester);
    expect(s.latencies).toEqual([0, 0]);
  });

  it("a read runs at the head once its barrier is applied, at the barrier exactly too", () => {
    const s = setup();
    s.requester.queue.push(slot(1, sync, { barrier: 41 }));
    drain(s.ctx, s.requester);
    expect(s.sent).toEqual([]);
    s.ctx.counters.appliedZxid = 41;
    drain(s.ctx, s.requester);
    expect(s.sent).toEqual([
      { xid: 1, zxid: 41n, error: undefined, result: { $case: "sync", value: { path: "/s" } } },
    ]);
  });

  it("a read past its deadline is RequestTimeout; at the deadline it still runs", () => {
    const s = setup({ clockMs: 500 });
    s.requester.queue.push(slot(1, sync, { deadline: 500 }), slot(2, sync, { deadline: 499 }));
    drain(s.ctx, s.requester);
    expect(s.sent[0]?.error).toBeUndefined();
    expect(s.sent[1]?.error).toEqual({
      code: Code.RequestTimeout,
      path: "/s",
      message: "deadline of 100 ms passed",
    });
  });

  it("a span is ended with the error it carries", () => {
    const s = setup();
    const attributes: [string, unknown][] = [];
    let ends = 0;
    const span = { setAttribute: (k: string, v: unknown) => attributes.push([k, v]), end: () => ends++ };
    const failed = errorOf(1, new PaddockError(Code.NoNode, "/w", "no node /w"));
    s.requester.queue.push(slot(1, setData, { reply: failed, span: span as never }));
    drain(s.ctx, s.requester);
    expect([attributes, ends]).toEqual([[["paddock.error", "no node /w"]], 1]);
  });

  it("a span of a successful request is ended without an error attribute", () => {
    const s = setup();
    const attributes: unknown[] = [];
    let ends = 0;
    const span = { setAttribute: (k: string) => attributes.push(k), end: () => ends++ };
    s.requester.queue.push(slot(1, setData, { reply: answered(1), span: span as never }));
    drain(s.ctx, s.requester);
    expect([attributes, ends]).toEqual([[], 1]);
  });

  it("a request without an op (answered with its refusal) is sent and not audited", () => {
    const s = setup({ audit: true });
    s.requester.queue.push(
      slot(1, undefined, { reply: errorOf(1, new PaddockError(Code.BadArguments, "", "no op")) }),
    );
    drain(s.ctx, s.requester);
    expect([s.sent.length, s.audited]).toEqual([1, []]);
  });

  it("two refusals of enforce.auth.schemes in one drain: the connection ends once, nothing after it is sent", () => {
    const s = setup();
    const refused = (xid: number) =>
      errorOf(xid, new PaddockError(Code.SessionClosedRequireSaslAuth, "/w", "authenticate"));
    s.requester.queue.push(slot(1, setData, { reply: refused(1) }), slot(2, setData, { reply: refused(2) }));
    drain(s.ctx, s.requester);
    expect([s.sent.length, s.ended(), s.requester.queue.length]).toEqual([1, 1, 0]);
  });

  it("writes are audited, reads are not", () => {
    const s = setup({ audit: true });
    s.requester.queue.push(slot(1, setData, { reply: answered(1) }), slot(2, sync, { reply: answered(2) }));
    drain(s.ctx, s.requester);
    expect(s.audited.length).toBe(1);
    expect(s.audited[0]).toContain("/w");
  });

  it("an enforce.auth.schemes refusal ends the connection after its reply", () => {
    const s = setup();
    const refused = errorOf(1, new PaddockError(Code.SessionClosedRequireSaslAuth, "/w", "authenticate"));
    s.requester.queue.push(slot(1, setData, { reply: refused }));
    drain(s.ctx, s.requester);
    expect([s.sent.length, s.ended(), s.requester.sink]).toEqual([1, 1, undefined]);
  });

  it("a failed waiter without a slot (a barrier of another stage) is told, nothing is sent", () => {
    const s = setup();
    const failed: PaddockError[] = [];
    const waiter: Waiter = {
      requester: s.requester,
      slot: undefined,
      barrier: true,
      onApplied: undefined,
      onFailed: (e) => failed.push(e),
    };
    failWaiter(s.ctx, waiter, new PaddockError(Code.ConnectionLoss, "/", "leader lost"));
    expect([failed.length, s.sent.length]).toEqual([1, 0]);
  });
});

function errorOf(xid: number, error: PaddockError): Reply {
  return {
    xid,
    zxid: 41n,
    error: { code: error.code, path: error.path, message: error.message },
    result: undefined,
  };
}
