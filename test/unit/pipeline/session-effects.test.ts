import { beforeEach, describe, expect, it } from "vitest";
import type { Txn } from "../../../server/gen/paddock/internal/v1/txn.js";
import type { Request, ServerMessage } from "../../../server/gen/paddock/v1/session.js";
import type { PipelineContext } from "../../../server/pipeline/context.js";
import { LocalSessionTracker } from "../../../server/pipeline/local-session-tracker.js";
import { LocalSessions } from "../../../server/pipeline/local-sessions.js";
import { Requester, type Slot } from "../../../server/pipeline/requester.js";
import {
  applySessionEffects,
  closeLocalSession,
  endSession,
  expireLocalSessions,
} from "../../../server/pipeline/session-effects.js";
import { SessionTable } from "../../../server/sessions/index.js";
import { Code } from "../../../server/util/error-code.js";
import { WatchRegistry } from "../../../server/watches/watch-registry.js";

// The session side of apply, on the real session table, watch registry, local-session tracker
// and LocalSessions; the context holds only what these functions read.
const TICK_MS = 100;
const EXPIRED: ServerMessage = {
  kind: {
    $case: "sessionEvent",
    value: { state: 3, error: { code: Code.SessionExpired, path: "", message: "session expired" } },
  },
};

let now: number;
let logged: string[];
let ctx: PipelineContext;
let sessions: SessionTable;
let watches: WatchRegistry;
let local: LocalSessions;
let tracker: LocalSessionTracker;

beforeEach(() => {
  now = 1000;
  logged = [];
  sessions = new SessionTable({ tickMs: TICK_MS, minTimeoutMs: 100, maxTimeoutMs: 60_000, sessionsMax: 10 });
  watches = new WatchRegistry({ watchesPerSessionMax: 10 });
  local = new LocalSessions();
  tracker = new LocalSessionTracker({ upgrading: true }, TICK_MS, 10);
  ctx = {
    deps: {
      sessions,
      watches,
      clock: () => now,
      log: (level: string, m: string) => logged.push(`${level} ${m}`),
    },
    local,
    localSessions: tracker,
    // The leader's record of which member holds each session: a close drops the entry.
    owners: new Map<bigint, number>(),
    counters: { appliedZxid: 77 },
  } as unknown as PipelineContext;
});

/** A requester attached to a connection that records what it gets. */
function attached(sessionId: bigint) {
  const sent: ServerMessage[] = [];
  let ends = 0;
  const requester = new Requester(sessionId, [], { send: (m) => sent.push(m), end: () => ends++ });
  local.set(requester);
  return { requester, sent, ends: () => ends };
}

function watching(sessionId: bigint, path: string): void {
  watches.setWatches(
    sessionId,
    { relativeZxid: 0, data: [], exist: [path], child: [], persistent: [], persistentRecursive: [] },
    () => undefined,
    [],
  );
}

const txnOf = (sessionId: bigint, body: Txn["body"]): Txn => ({
  zxid: 5n,
  sessionId,
  cxid: 0,
  origin: 0,
  originRef: 0,
  time: 0n,
  body,
});
const createSession = (id: bigint) =>
  txnOf(id, { $case: "createSession", value: { timeoutMs: 400, password: Buffer.alloc(16, 1) } });
const closeSession = (id: bigint) => txnOf(id, { $case: "closeSession", value: {} });

describe("a session's effects when its transaction applies", () => {
  it("a CreateSession adds the session at the clock's time; one local here becomes global", () => {
    tracker.add(0x11n, 400, Buffer.alloc(16, 1), now);
    applySessionEffects(ctx, createSession(0x11n), true);
    expect(sessions.get(0x11n)?.timeoutMs).toBe(400);
    expect(tracker.has(0x11n)).toBe(false);
    // Added at 1000 with 400 ms: still live at 1000 + 400 (the bucket's end), expired a tick later.
    expect(sessions.expire(1400)).toEqual([]);
    expect(sessions.expire(1600)).toEqual([0x11n]);
  });

  it("a CreateSession of another session leaves this member's local ones alone", () => {
    tracker.add(0x12n, 400, Buffer.alloc(16, 1), now);
    applySessionEffects(ctx, createSession(0x11n), true);
    expect(tracker.has(0x12n)).toBe(true);
  });

  it("a CloseSession removes it and ends it here; a client's own close gets no expiry event", () => {
    const c = attached(0x21n);
    applySessionEffects(ctx, createSession(0x21n), true);
    watching(0x21n, "/w");
    applySessionEffects(ctx, closeSession(0x21n), true);
    expect(sessions.get(0x21n)).toBeUndefined();
    expect(watches.size).toBe(0);
    expect(local.get(0x21n)).toBeUndefined();
    expect(c.requester.closing).toBe(true);
    expect([c.sent, c.ends()]).toEqual([[], 0]);
    expect(c.requester.sink).toBeDefined();
  });

  it("a close the client did not ask for (expiry) tells it 'session expired' and ends its connection once", () => {
    const c = attached(0x22n);
    applySessionEffects(ctx, createSession(0x22n), true);
    applySessionEffects(ctx, closeSession(0x22n), false);
    expect([c.sent, c.ends(), c.requester.sink, c.requester.closing]).toEqual([
      [EXPIRED],
      1,
      undefined,
      true,
    ]);
  });

  it("any other transaction, or one without a body, changes no session", () => {
    const c = attached(0x23n);
    applySessionEffects(ctx, createSession(0x23n), true);
    applySessionEffects(ctx, txnOf(0x23n, { $case: "noop", value: {} }), false);
    applySessionEffects(ctx, txnOf(0x23n, undefined), false);
    expect([sessions.size, local.size, c.sent, c.requester.closing]).toEqual([1, 1, [], false]);
  });
});

describe("endSession", () => {
  it("drops the watches of a session held by no connection here, and nothing else", () => {
    const other = attached(0x31n);
    watching(0x30n, "/w");
    watching(0x31n, "/w");
    endSession(ctx, 0x30n, false);
    expect(watches.byPath()).toEqual(new Map([["/w", [0x31n]]]));
    expect([local.size, other.sent, other.requester.closing]).toEqual([1, [], false]);
  });

  it("a detached session (no sink) is forgotten and marked closing, with nothing to tell", () => {
    const r = new Requester(0x32n, [], undefined);
    local.set(r);
    endSession(ctx, 0x32n, false);
    expect([local.get(0x32n), r.closing, r.sink]).toEqual([undefined, true, undefined]);
  });
});

describe("local sessions", () => {
  it("a local session's close is answered in its slot at the applied zxid, with no event", () => {
    const c = attached(0x41n);
    tracker.add(0x41n, 400, Buffer.alloc(16, 1), now);
    const request = {
      xid: 9,
      timeoutMs: 0,
      trace: {},
      op: { $case: "close", value: {} },
    } as unknown as Request;
    const slot: Slot = {
      request,
      ids: [],
      reply: undefined,
      barrier: 0,
      deadline: 0,
      span: undefined,
      arrivedMs: 0,
    };
    closeLocalSession(ctx, c.requester, slot);
    expect(slot.reply).toEqual({
      xid: 9,
      zxid: 77n,
      error: undefined,
      result: { $case: "close", value: {} },
    });
    expect([tracker.has(0x41n), local.get(0x41n), c.requester.closing, c.sent, c.ends()]).toEqual([
      false,
      undefined,
      true,
      [],
      0,
    ]);
  });

  it("a close answered in its slot works without a tracker too", () => {
    const c = attached(0x43n);
    const request = {
      xid: 3,
      timeoutMs: 0,
      trace: {},
      op: { $case: "close", value: {} },
    } as unknown as Request;
    const slot: Slot = {
      request,
      ids: [],
      reply: undefined,
      barrier: 0,
      deadline: 0,
      span: undefined,
      arrivedMs: 0,
    };
    closeLocalSession({ ...ctx, localSessions: undefined } as PipelineContext, c.requester, slot);
    expect([slot.reply?.xid, local.size, c.requester.closing]).toEqual([3, 0, true]);
  });

  it("those past their deadline expire with a log line naming the id as unsigned hex, and are told", () => {
    const c = attached(-2n);
    tracker.add(-2n, 200, Buffer.alloc(16, 1), now);
    tracker.add(0x42n, 2000, Buffer.alloc(16, 1), now);
    now = 1300;
    expireLocalSessions(ctx);
    expect(logged).toEqual(["info expiring local session 0xfffffffffffffffe"]);
    expect([c.sent, c.ends(), local.size, tracker.size]).toEqual([[EXPIRED], 1, 0, 1]);
    now = 1301;
    expireLocalSessions(ctx);
    expect(logged).toHaveLength(1);
  });

  it("nothing happens without the tracker or with no local session", () => {
    expireLocalSessions({ ...ctx, localSessions: undefined } as PipelineContext);
    now = 1_000_000;
    expireLocalSessions(ctx);
    expect(logged).toEqual([]);
  });
});
