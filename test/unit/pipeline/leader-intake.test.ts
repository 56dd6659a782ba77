import { BasicTracerProvider } from "@opentelemetry/sdk-trace-base";
import { describe, expect, it } from "vitest";
import type { ForwardedRequest, PeerMessage } from "../../../server/gen/paddock/internal/v1/peer.js";
import { buildCreateSession, refuseClosedSession } from "../../../server/pipeline/leader-intake.js";
import { ProposalTracing } from "../../../server/pipeline/proposal-tracing.js";
import { SessionTable } from "../../../server/sessions/index.js";
import { DataTree } from "../../../server/tree/data-tree.js";
import { Prep } from "../../../server/tree/prep.js";
import { Code } from "../../../server/util/error-code.js";
import { defaultLimits } from "../../../server/util/limits.js";
import { standaloneLeader } from "./standalone-leader.js";

// The leader's side of forwarding (acceptForwarded, leader-intake.ts) on the real Pipeline of a
// standalone leader: each forward arrives as the peer message a follower sends, and what the
// leader proposes (the entries its Ready loop persists) and answers (the peer link) is read back.

const FOLLOWER = 3;

const leader = standaloneLeader;

const forward = (
  kind: ForwardedRequest["kind"],
  extra: Partial<ForwardedRequest> = {},
): ForwardedRequest => ({
  ref: 17,
  sessionId: 0x55n,
  ids: [{ scheme: "ip", id: "10.0.0.7" }],
  ephemeralAllowed: true,
  kind,
  trace: undefined,
  localSession: false,
  ...extra,
});
const request = (op: unknown, xid = 9): ForwardedRequest["kind"] =>
  ({ $case: "request", value: { xid, timeoutMs: 0, trace: {}, op } }) as ForwardedRequest["kind"];
const create = (path: string, mode = 0) => ({
  $case: "create",
  value: { path, data: Buffer.from("d"), acl: [], mode, ttl: 0n },
});
/** A plain barrier (a sync or linearizable read through the follower). */
const barrier = { $case: "barrier", value: { revalidate: false } } as ForwardedRequest["kind"];
const refusals = (sent: { to: number; message: PeerMessage }[]) =>
  sent.map(({ to, message }) => {
    if (message.kind?.$case !== "forwardReply") throw new Error(`not a forwardReply: ${message.kind?.$case}`);
    return { to, ref: message.kind.value.ref, ...message.kind.value.error };
  });

describe("acceptForwarded: a follower's write on the leader", () => {
  it("preps the write as a local one and proposes it with the follower as origin and its xid", async () => {
    const l = await leader();
    l.sessions.add(0x55n, 1000, new Uint8Array(16), 0);
    await l.forward(FOLLOWER, forward(request(create("/f"), 9)));
    expect(l.sent).toEqual([]);
    const [entry, ...rest] = l.proposed();
    expect(rest).toEqual([]);
    expect(entry?.txn).toMatchObject({
      sessionId: 0x55n,
      cxid: 9,
      time: 2_000n,
      origin: FOLLOWER,
      originRef: 17,
    });
    expect(entry?.txn.body?.$case).toBe("create");
    expect(entry?.txn.body?.value).toMatchObject({ path: "/f" });
    l.stop();
  });

  it("preps against the outstanding changes: the second create of one path in flight is NodeExists", async () => {
    const l = await leader();
    l.sessions.add(0x55n, 1000, new Uint8Array(16), 0);
    // Both arrive before the Ready loop runs: the second is prepped while the first is outstanding.
    l.receive(FOLLOWER, forward(request(create("/twice"), 1)));
    await l.forward(FOLLOWER, forward(request(create("/twice"), 2), { ref: 18 }));
    const bodies = l.proposed().map((e) => e.txn.body);
    expect(bodies.map((b) => b?.$case)).toEqual(["create", "error"]);
    expect(bodies[1]?.value).toMatchObject({ code: Code.NodeExists, path: "/twice" });
    l.stop();
  });

  it("refuses a forward that is not a write, has no op or no kind, answering the follower's ref at once", async () => {
    const l = await leader();
    l.sessions.add(0x55n, 1000, new Uint8Array(16), 0);
    await l.forward(
      FOLLOWER,
      forward(request({ $case: "getData", value: { path: "/", watch: false, consistency: 0 } })),
    );
    await l.forward(FOLLOWER, forward(request(undefined), { ref: 18 }));
    await l.forward(2, forward(undefined, { ref: 19 }));
    expect(refusals(l.sent)).toEqual([
      {
        to: FOLLOWER,
        ref: 17,
        code: Code.BadArguments,
        path: "",
        message: "BadArguments for : forwarded request is not a write",
      },
      {
        to: FOLLOWER,
        ref: 18,
        code: Code.BadArguments,
        path: "",
        message: "BadArguments for : forwarded request is not a write",
      },
      {
        to: 2,
        ref: 19,
        code: Code.BadArguments,
        path: "",
        message: "BadArguments for : forwarded request without a kind",
      },
    ]);
    expect(l.proposed()).toEqual([]);
    l.stop();
  });

  it("refuses a write while the leader's disk is low (NotReadOnly naming the path), but not a close", async () => {
    const l = await leader({ writesRefused: () => "disk below 1 GiB free" });
    l.sessions.add(0x55n, 1000, new Uint8Array(16), 0);
    await l.forward(FOLLOWER, forward(request(create("/low"))));
    await l.forward(FOLLOWER, forward(request({ $case: "close", value: {} }), { ref: 18 }));
    expect(refusals(l.sent)).toEqual([
      { to: FOLLOWER, ref: 17, code: Code.NotReadOnly, path: "/low", message: "disk below 1 GiB free" },
    ]);
    expect(l.proposed().map((e) => e.txn.body?.$case)).toEqual(["closeSession"]);
    l.stop();
  });

  it("refuses a write of a session the leader does not know, or whose close is proposed", async () => {
    const l = await leader();
    l.sessions.add(0x56n, 1000, new Uint8Array(16), 0);
    l.sessions.setClosing(0x56n);
    await l.forward(FOLLOWER, forward(request(create("/gone"))));
    await l.forward(FOLLOWER, forward(request(create("/closing")), { ref: 18, sessionId: 0x56n }));
    // The local flag does not lift the check for a session the leader's table has.
    await l.forward(
      FOLLOWER,
      forward(request(create("/x")), { ref: 19, sessionId: 0x56n, localSession: true }),
    );
    expect(refusals(l.sent)).toEqual([
      { to: FOLLOWER, ref: 17, code: Code.SessionExpired, path: "", message: "session 0x55 expired" },
      { to: FOLLOWER, ref: 18, code: Code.SessionExpired, path: "", message: "session 0x56 expired" },
      { to: FOLLOWER, ref: 19, code: Code.SessionExpired, path: "", message: "session 0x56 expired" },
    ]);
    expect(l.proposed()).toEqual([]);
    l.stop();
  });

  it("takes a local session of the follower unchecked, and refuses its ephemeral as a forwarded local one", async () => {
    const l = await leader();
    await l.forward(FOLLOWER, forward(request(create("/p")), { localSession: true }));
    await l.forward(FOLLOWER, forward(request(create("/e", 1), 2), { ref: 18, localSession: true }));
    expect(l.sent).toEqual([]);
    const bodies = l.proposed().map((e) => e.txn.body);
    expect(bodies.map((b) => b?.$case)).toEqual(["create", "error"]);
    expect(bodies[1]?.value).toMatchObject({
      code: Code.EphemeralOnLocalSession,
      path: "/e",
      message:
        "/e: an ephemeral node needs a global session, and this one is local to its server (localSessionsEnabled without localSessionsUpgradingEnabled)",
    });
    l.stop();
  });

  it("refuses nothing for session 0 (a sessionless unary write)", async () => {
    const l = await leader();
    await l.forward(FOLLOWER, forward(request(create("/u")), { sessionId: 0n }));
    expect(l.sent).toEqual([]);
    expect(l.proposed().map((e) => [e.txn.sessionId, e.txn.body?.$case])).toEqual([[0n, "create"]]);
    l.stop();
  });

  it("proposes a follower's CreateSession and barrier with cxid 0 and the follower's origin", async () => {
    const l = await leader();
    const password = Buffer.alloc(16, 3);
    await l.forward(
      FOLLOWER,
      forward({ $case: "createSession", value: { timeoutMs: 4000, password } }, { sessionId: 0x77n }),
    );
    // The session's owner is the member that opened it: its barrier is taken (from another
    // member it would be SessionMoved).
    await l.forward(FOLLOWER, forward(barrier, { ref: 18, sessionId: 0x77n }));
    expect(l.sent).toEqual([]);
    const [made, noop, ...rest] = l.proposed().map((e) => ({
      zxid: e.zxid,
      sessionId: e.txn.sessionId,
      cxid: e.txn.cxid,
      origin: e.txn.origin,
      originRef: e.txn.originRef,
      body: e.txn.body,
    }));
    expect(rest).toEqual([]);
    expect(made).toEqual({
      zxid: made!.zxid,
      sessionId: 0x77n,
      cxid: 0,
      origin: FOLLOWER,
      originRef: 17,
      body: { $case: "createSession", value: { timeoutMs: 4000, password } },
    });
    expect(noop).toEqual({
      zxid: made!.zxid + 1,
      sessionId: 0x77n,
      cxid: 0,
      origin: FOLLOWER,
      originRef: 18,
      body: { $case: "noop", value: {} },
    });
    l.stop();
  });

  it("answers the proposer's refusal once storage failed", async () => {
    const l = await leader();
    l.failStorage(new Error("disk gone"));
    // Proposed, then its append fails: the member takes no more writes.
    await l.forward(FOLLOWER, forward(request(create("/a"), 1), { sessionId: 0n }));
    expect(l.sent).toEqual([]);
    await l.forward(FOLLOWER, forward(request(create("/b"), 2), { ref: 18, sessionId: 0n }));
    await l.forward(2, forward(barrier, { ref: 19, sessionId: 0n }));
    const message = "not accepting writes: storage failed: disk gone";
    expect(refusals(l.sent)).toEqual([
      { to: FOLLOWER, ref: 18, code: Code.SystemError, path: "", message },
      { to: 2, ref: 19, code: Code.SystemError, path: "", message },
    ]);
    l.stop();
  });

  it("makes the follower's forward span the proposal's parent, only when the forward carries one", async () => {
    const l = await leader();
    l.sessions.add(0x55n, 1000, new Uint8Array(16), 0);
    const origin = l.tracer!.startSpan("paddock.create");
    const carried = new ProposalTracing(l.tracer!).forwarding(origin, 1);
    await l.forward(FOLLOWER, forward(request(create("/t1"), 1), { trace: carried }));
    await l.forward(FOLLOWER, forward(request(create("/t2"), 2), { ref: 18 }));
    const forwardSpan = l.spans().find((s) => s.name === "paddock.forward")!;
    const proposals = l.spans().filter((s) => s.name === "paddock.propose");
    expect(proposals.map((s) => s.parentSpanContext?.spanId)).toEqual([forwardSpan.spanContext().spanId]);
    expect(proposals.map((s) => s.spanContext().traceId)).toEqual([origin.spanContext().traceId]);
    l.stop();
  });

  it("proposes a forward that carries a trace on a member that traces nothing", async () => {
    const l = await leader({ traced: false });
    const other = new BasicTracerProvider().getTracer("origin");
    const carried = new ProposalTracing(other).forwarding(other.startSpan("paddock.create"), 1);
    expect(carried).toBeDefined();
    await l.forward(
      FOLLOWER,
      forward(request(create("/t"), 1), {
        sessionId: 0n,
        trace: carried,
      }),
    );
    expect(l.sent).toEqual([]);
    expect(l.proposed().map((e) => e.txn.body?.$case)).toEqual(["create"]);
    l.stop();
  });
});

describe("refuseClosedSession and buildCreateSession", () => {
  it("names the session in hex, and lets session 0 and a live session pass", () => {
    const sessions = new SessionTable({
      tickMs: 2000,
      minTimeoutMs: 400,
      maxTimeoutMs: 60_000,
      sessionsMax: 10,
    });
    sessions.add(0xabcn, 1000, new Uint8Array(16), 0);
    expect(() => refuseClosedSession(sessions, 0n)).not.toThrow();
    expect(() => refuseClosedSession(sessions, 0xabcn)).not.toThrow();
    expect(() => refuseClosedSession(sessions, 0xabdn)).toThrow("session 0xabd expired");
  });

  it("builds the CreateSession body from prep with the timeout and password", () => {
    const prep = new Prep(new DataTree(), { limits: defaultLimits, extendedTypesEnabled: false });
    const password = new Uint8Array([1, 2, 3]);
    expect(buildCreateSession(7, { prep, timeoutMs: 1234, password })).toEqual({
      $case: "createSession",
      value: { timeoutMs: 1234, password: Buffer.from([1, 2, 3]) },
    });
  });
});
