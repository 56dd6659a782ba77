import type { Span } from "@opentelemetry/api";
import type { ConnectRequest, ServerMessage } from "../gen/paddock/v1/session.js";
import { passwordMatches } from "../sessions/index.js";
import type { AuthId } from "../tree/data-tree.js";
import { Code } from "../util/error-code.js";
import { PaddockError } from "../util/paddock-error.js";
import { zxidHex } from "../util/zxid.js";
import type { PipelineContext } from "./context.js";
import type { Waiter } from "./forwarder.js";
import { buildCreateSession } from "./leader-intake.js";
import { toApiError } from "./replies.js";
import { type ReplySink, Requester } from "./requester.js";
import { setWatches } from "./set-watches.js";
import { endFailed, startSessionSpan } from "./tracing.js";
import { NOOP } from "./write-ops.js";

const SESSION_EVENT_DISCONNECTED = 2;
const SESSION_EVENT_EXPIRED = 3;
const SESSION_EVENT_AUTH_FAILED = 5;

/**
 * Opens and resumes sessions. A new session is a replicated CreateSession transaction (its
 * password comes from a cryptographic source outside the core and travels in the transaction, so
 * any member can check it later), or with localSessionsEnabled a local session of this member
 * (LocalSessionTracker); a resume is checked against the session tables, moves the session to
 * the new connection and re-registers the client's watches, firing what it missed.
 * Answers on the sink: `connected`, or a session event and the end of the connection.
 */
export class SessionConnect {
  /** Sessions proposed but not applied yet: they count against sessionsMax already. */
  private opening = 0;

  constructor(private readonly ctx: PipelineContext) {}

  connect(
    request: ConnectRequest,
    sink: ReplySink,
    baseIds: readonly AuthId[],
    onReady: (r: Requester) => void,
    /** False once the connection is gone (a resume that waits on the leader then gives up). */
    live: () => boolean = () => true,
  ): void {
    try {
      if (!this.ctx.member.serving) {
        throw new PaddockError(
          Code.ConnectionLoss,
          "",
          "this member is not serving: no leader (election running)",
        );
      }
      // As ZooKeeper, for a new session too: a client that saw more than this member applied
      // must go to a member that is not behind it.
      const lastSeen = Number(request.lastZxidSeen);
      const applied = this.ctx.counters.appliedZxid;
      if (lastSeen > applied) {
        throw new PaddockError(
          Code.ConnectionLoss,
          "",
          `this member is behind the client: applied ${zxidHex(applied)} < last seen ${zxidHex(lastSeen)}`,
        );
      }
      if (request.sessionId === 0n) this.open(request, sink, baseIds, onReady);
      else {
        this.ctx.counters.requests.connectionRevalidations++;
        this.resume(request, sink, baseIds, onReady, live, false);
      }
    } catch (error) {
      refuse(sink, error);
    }
  }

  private open(
    request: ConnectRequest,
    sink: ReplySink,
    baseIds: readonly AuthId[],
    onReady: (r: Requester) => void,
  ): void {
    const { deps, options, local, localSessions } = this.ctx;
    const limits = options.limits;
    const open = deps.sessions.size + (localSessions?.size ?? 0) + this.opening;
    if (open >= limits.sessionsMax) {
      throw new PaddockError(Code.Throttled, "", `sessionsMax ${limits.sessionsMax} reached: no new session`);
    }
    const timeoutMs = deps.sessions.negotiateTimeout(request.timeoutMs);
    const sessionId = deps.nextSessionId();
    const password = deps.randomBytes(16);
    const requester = new Requester(sessionId, baseIds, sink);
    this.applyAuth(requester, request);
    const span =
      deps.tracer && startSessionSpan(deps.tracer, "open", sessionId, { "paddock.timeout_ms": timeoutMs });
    if (localSessions !== undefined) {
      span?.setAttribute("paddock.local_session", true);
      // ZooKeeper's local session: this member alone knows it, no transaction (every member,
      // the leader too, as ZooKeeper's LeaderSessionTracker).
      localSessions.add(sessionId, timeoutMs, password, deps.clock());
      local.set(requester);
      sink.send(this.connected(sessionId, password, timeoutMs));
      onReady(requester);
      span?.end();
      return;
    }
    const onApplied = (): void => {
      this.opening--;
      local.set(requester);
      sink.send(this.connected(sessionId, password, timeoutMs));
      onReady(requester);
      span?.end();
    };
    const onFailed = (error: PaddockError): void => {
      this.opening--;
      refuse(sink, error);
      if (span !== undefined) endFailed(span, error);
    };
    const waiter: Waiter = { requester, slot: undefined, barrier: false, onApplied, onFailed };
    try {
      proposeCreateSession(this.ctx, sessionId, timeoutMs, password, waiter, span);
    } catch (error) {
      if (span !== undefined) endFailed(span, error);
      throw error;
    }
    this.opening++;
  }

  private resume(
    request: ConnectRequest,
    sink: ReplySink,
    baseIds: readonly AuthId[],
    onReady: (r: Requester) => void,
    live: () => boolean,
    revalidated: boolean,
  ): void {
    const { deps, local } = this.ctx;
    const sessionId = request.sessionId;
    const hex = `0x${sessionId.toString(16)}`;
    // As ZooKeeper: the session's live connection closes first, whether or not this one may take
    // the session over; its pending replies are dropped.
    const previous = local.get(sessionId);
    if (previous?.sink !== undefined) {
      previous.sink.end();
      previous.sink = undefined;
    }
    // A local session resumes only on its own member: elsewhere it is unknown, so expired.
    const localEntry = this.ctx.localSessions?.get(sessionId);
    const entry = localEntry ?? deps.sessions.get(sessionId);
    if (entry !== undefined && !passwordMatches(entry.password, request.password)) {
      throw new PaddockError(Code.SessionExpired, "", `session ${hex}: wrong password`);
    }
    const leading = this.ctx.member.leading;
    if (!revalidated && localEntry === undefined && (entry === undefined || !leading)) {
      // As ZooKeeper's revalidateSession: a global session resumed on a member that does not
      // lead is checked by the leader, which makes this member its owner (the old member's
      // connection is stale from then on: SessionMoved); and unknown here may only mean not
      // applied here yet (a session opened elsewhere a moment ago), so the barrier through the
      // leader brings this member up to the leader's commits before the session is judged.
      this.revalidate(request, sink, baseIds, onReady, live);
      return;
    }
    if (entry === undefined || entry.closing) {
      throw new PaddockError(Code.SessionExpired, "", `session ${hex} expired or unknown`);
    }
    if (!passwordMatches(entry.password, request.password)) {
      throw new PaddockError(Code.SessionExpired, "", `session ${hex}: wrong password`);
    }
    if (leading && localEntry === undefined) this.ctx.owners.set(sessionId, deps.replica.node.serverId);
    this.ctx.upkeep.touched(sessionId);
    const requester = new Requester(sessionId, baseIds, sink);
    this.applyAuth(requester, request);
    local.set(requester);
    sink.send(this.connected(sessionId, entry.password, entry.timeoutMs));
    if (request.watches !== undefined) setWatches(deps.tree, deps.watches, sessionId, request.watches, sink);
    onReady(requester);
  }

  /** A barrier through the leader, then the resume judged again on what this member applied. */
  private revalidate(
    request: ConnectRequest,
    sink: ReplySink,
    baseIds: readonly AuthId[],
    onReady: (r: Requester) => void,
    live: () => boolean,
  ): void {
    const onApplied = (): void => {
      if (!live()) return;
      try {
        this.resume(request, sink, baseIds, onReady, live, true);
      } catch (error) {
        refuse(sink, error);
      }
    };
    const onFailed = (error: PaddockError): void => {
      if (live()) refuse(sink, error);
    };
    // Not the client's requester: it stands for the session only until the barrier applies.
    const requester = new Requester(request.sessionId, baseIds, sink);
    const waiter: Waiter = { requester, slot: undefined, barrier: true, onApplied, onFailed };
    if (this.ctx.member.leading) {
      this.ctx.proposer.propose(request.sessionId, 0, buildNoop, undefined, waiter);
    } else {
      const kind = {
        $case: "barrier" as const,
        value: { revalidate: true, password: Buffer.from(request.password) },
      };
      this.ctx.forwarder.forward(waiter, kind, request.sessionId, "");
    }
  }

  private applyAuth(requester: Requester, request: ConnectRequest): void {
    for (const auth of request.auth) requester.addIds(this.ctx.deps.authenticate(auth.scheme, auth.auth));
  }

  private connected(sessionId: bigint, password: Uint8Array, timeoutMs: number): ServerMessage {
    const { counters, options } = this.ctx;
    return {
      kind: {
        $case: "connected",
        value: {
          sessionId,
          password: Buffer.from(password.buffer, password.byteOffset, password.byteLength),
          timeoutMs,
          zxid: BigInt(counters.appliedZxid),
          maxRequestBytes: options.limits.requestBytesMax,
          maxOutstandingRequests: options.limits.outstandingPerSessionMax,
        },
      },
    };
  }
}

/**
 * A session's CreateSession: proposed here on the leader, forwarded to it elsewhere (a new
 * session, or a local one upgraded). Throws when it cannot be proposed or forwarded now.
 */
export function proposeCreateSession(
  ctx: PipelineContext,
  sessionId: bigint,
  timeoutMs: number,
  password: Uint8Array,
  waiter: Waiter,
  span: Span | undefined,
): void {
  const deps = ctx.deps;
  if (ctx.member.leading) {
    ctx.owners.set(sessionId, deps.replica.node.serverId);
    const input = { prep: deps.prep, timeoutMs, password };
    const zxid = ctx.proposer.propose(sessionId, 0, buildCreateSession, input, waiter);
    if (span !== undefined) ctx.tracing?.proposedLocal(zxid, span);
    return;
  }
  const kind = { $case: "createSession" as const, value: { timeoutMs, password: Buffer.from(password) } };
  const carried = span && ctx.tracing?.forwarding(span, deps.replica.view.leaderId);
  ctx.forwarder.forward(waiter, kind, sessionId, "", carried);
}

/** A refused connect: a session event saying why, then the end of the connection. */
function refuse(sink: ReplySink, error: unknown): void {
  const apiError = toApiError(error);
  const state =
    apiError.code === Code.AuthFailed
      ? SESSION_EVENT_AUTH_FAILED
      : apiError.code === Code.SessionExpired
        ? SESSION_EVENT_EXPIRED
        : SESSION_EVENT_DISCONNECTED;
  sink.send({ kind: { $case: "sessionEvent", value: { state, error: apiError } } });
  sink.end();
}

function buildNoop(): typeof NOOP {
  return NOOP;
}
