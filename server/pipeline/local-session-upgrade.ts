import type { Span } from "@opentelemetry/api";
import type { Request } from "../gen/paddock/v1/session.js";
import { Mode } from "../tree/prep.js";
import { PaddockError } from "../util/paddock-error.js";
import type { PipelineContext } from "./context.js";
import type { Waiter } from "./forwarder.js";
import type { Op } from "./op-kinds.js";
import type { Requester } from "./requester.js";
import { proposeCreateSession } from "./session-connect.js";
import { endFailed, startSessionSpan } from "./tracing.js";

/** ZooKeeper's checkUpgradeSession asks this: a create, or a multi (or txn branch) with a create, of an ephemeral. */
export function createsEphemeral(op: Op): boolean {
  if (op.$case === "create") return isEphemeral(op.value.mode);
  const ops =
    op.$case === "multi"
      ? op.value.ops
      : op.$case === "txn"
        ? [...op.value.thenOps, ...op.value.elseOps]
        : [];
  return ops.some((o) => o.op?.$case === "create" && isEphemeral(o.op.value.mode));
}

function isEphemeral(mode: number): boolean {
  return mode === Mode.Ephemeral || mode === Mode.EphemeralSequential;
}

/**
 * With localSessionsUpgradingEnabled, the first request of a local session that needs a global
 * one starts the session's upgrade: a CreateSession transaction for the same id, password and
 * timeout. That request and every later one of the session wait, in arrival order, until the
 * transaction applies here; then the session is global (applySessionEffects) and they go through
 * intake as usual, so the session's FIFO order holds and the leader sees its ephemeral create
 * from a session it knows. True when the request is held.
 */
export function heldForUpgrade(ctx: PipelineContext, requester: Requester, request: Request): boolean {
  const held = requester.held;
  if (held !== undefined) {
    // As enqueue's bound: a client that keeps sending past it loses its connection.
    if (held.length >= 2 * ctx.options.limits.outstandingPerSessionMax) abandon(ctx, requester, undefined);
    else held.push(request);
    return true;
  }
  const tracker = ctx.localSessions;
  const op = request.op;
  // A closing session or a member not serving refuses the request in admit, as for any session.
  if (tracker === undefined || !tracker.options.upgrading || op === undefined) return false;
  if (requester.closing || !ctx.member.serving || !createsEphemeral(op)) return false;
  const entry = tracker.get(requester.sessionId);
  if (entry === undefined) return false;
  requester.held = [request];
  const tracer = ctx.deps.tracer;
  const span: Span | undefined = tracer && startSessionSpan(tracer, "upgrade", requester.sessionId);
  const waiter: Waiter = {
    requester,
    slot: undefined,
    barrier: false,
    onApplied: () => {
      span?.end();
      const requests = requester.held ?? [];
      requester.held = undefined;
      if (requests.length > 0) ctx.submit(requester, requests);
    },
    onFailed: (error) => {
      if (span !== undefined) endFailed(span, error);
      abandon(ctx, requester, error);
    },
  };
  try {
    proposeCreateSession(ctx, requester.sessionId, entry.timeoutMs, entry.password, waiter, span);
    ctx.deps.log("info", `upgrading local session 0x${BigInt.asUintN(64, requester.sessionId).toString(16)}`);
  } catch (error) {
    if (span !== undefined) endFailed(span, error);
    abandon(ctx, requester, error);
  }
  return true;
}

/**
 * The upgrade could not be proposed or will not apply (no leader, throttled, leader changed): the
 * held requests are dropped and the connection ends, so the client sees ConnectionLoss for them
 * and may retry; the session stays local (a CreateSession that commits after all makes it global).
 */
function abandon(ctx: PipelineContext, requester: Requester, error: unknown): void {
  requester.held = undefined;
  requester.sink?.end();
  requester.sink = undefined;
  if (error !== undefined) {
    const why = error instanceof PaddockError ? error.message : String(error);
    ctx.deps.log(
      "warn",
      `upgrade of session 0x${BigInt.asUintN(64, requester.sessionId).toString(16)} failed: ${why}`,
    );
  }
}
