import { describe, expect, it } from "vitest";
import type { PipelineContext } from "../../../server/pipeline/context.js";
import type { Op } from "../../../server/pipeline/op-kinds.js";
import { refusal } from "../../../server/pipeline/refusal.js";
import { Requester } from "../../../server/pipeline/requester.js";
import type { AuthId } from "../../../server/tree/acl-check.js";
import { Code } from "../../../server/util/error-code.js";
import { defaultLimits } from "../../../server/util/limits.js";

// refusal() reads only these parts of the pipeline's context; each test sets what it checks.
interface Setup {
  serving?: boolean;
  schemes?: readonly string[];
  writesRefused?: () => string | undefined;
  outstanding?: number;
}

function ctxOf(s: Setup): PipelineContext {
  return {
    options: {
      limits: { ...defaultLimits, outstandingGlobalMax: 10, outstandingPerSessionMax: 2 },
      enforceAuthSchemes: s.schemes,
    },
    member: { leading: false, serving: s.serving ?? true, storageFailure: undefined },
    deps: { writesRefused: s.writesRefused },
    counters: { outstanding: s.outstanding ?? 0 },
  } as unknown as PipelineContext;
}

const setData: Op = { $case: "setData", value: { path: "/a", data: Buffer.alloc(0), version: -1 } } as Op;
const getData: Op = { $case: "getData", value: { path: "/a" } } as unknown as Op;
const addAuth: Op = { $case: "addAuth", value: { scheme: "digest", auth: Buffer.alloc(0) } } as unknown as Op;
const requester = (ids: AuthId[] = []): Requester => new Requester(1n, ids, undefined);

describe("refusal", () => {
  it("a request of a closing session is SessionExpired, before anything else", () => {
    const r = requester();
    r.closing = true;
    const e = refusal(ctxOf({ serving: false }), r, setData);
    expect([e?.code, e?.path, e?.message]).toEqual([Code.SessionExpired, "/a", "session is closing"]);
  });

  it("enforce.auth.schemes refuses a session without one of them, naming what it holds", () => {
    const ctx = ctxOf({ schemes: ["sasl", "x509"] });
    const none = refusal(ctx, requester(), getData);
    expect(none?.code).toBe(Code.SessionClosedRequireSaslAuth);
    expect(none?.message).toBe(
      "enforce.auth.schemes is sasl, x509 and this session holds no scheme: authenticate first; the connection closes",
    );
    const ids = [
      { scheme: "ip", id: "127.0.0.1" },
      { scheme: "digest", id: "a:x" },
      { scheme: "ip", id: "10.0.0.1" },
    ];
    expect(refusal(ctx, requester(ids), getData)?.message).toBe(
      "enforce.auth.schemes is sasl, x509 and this session holds ip, digest: authenticate first; the connection closes",
    );
    // addAuth is how it authenticates; one enforced scheme among others is enough.
    expect(refusal(ctx, requester(), addAuth)).toBeUndefined();
    expect(refusal(ctx, requester([...ids, { scheme: "x509", id: "CN=a" }]), getData)).toBeUndefined();
    expect(refusal(ctxOf({}), requester(), getData)).toBeUndefined();
  });

  it("a member not serving answers ConnectionLoss", () => {
    const e = refusal(ctxOf({ serving: false }), requester(), getData);
    expect([e?.code, e?.path, e?.message]).toEqual([
      Code.ConnectionLoss,
      "/a",
      "this member is not serving: no leader (election running)",
    ]);
  });

  it("a write below the disk floor is NotReadOnly with the floor's reason; reads pass", () => {
    const ctx = ctxOf({ writesRefused: () => "free space below the floor" });
    const e = refusal(ctx, requester(), setData);
    expect([e?.code, e?.message]).toEqual([Code.NotReadOnly, "free space below the floor"]);
    expect(refusal(ctx, requester(), getData)).toBeUndefined();
    expect(refusal(ctxOf({ writesRefused: () => undefined }), requester(), setData)).toBeUndefined();
  });

  it("the global and per-session outstanding limits are Throttled at the limit, not before", () => {
    expect(refusal(ctxOf({ outstanding: 9 }), requester(), getData)).toBeUndefined();
    const g = refusal(ctxOf({ outstanding: 10 }), requester(), getData);
    expect([g?.code, g?.message]).toEqual([Code.Throttled, "outstandingGlobalMax 10 reached"]);
    const r = requester();
    r.queue.push({} as never);
    expect(refusal(ctxOf({}), r, getData)).toBeUndefined();
    r.queue.push({} as never);
    const s = refusal(ctxOf({}), r, getData);
    expect([s?.code, s?.message]).toEqual([Code.Throttled, "outstandingPerSessionMax 2 reached"]);
  });
});
