import type { ConnectRequest, ServerMessage } from "../gen/paddock/v1/session.js";
import { passwordMatches } from "../sessions/index.js";
import type { AuthId } from "../tree/data-tree.js";
import { Code } from "../util/error-code.js";
import { PaddockError } from "../util/paddock-error.js";
import { zxidHex } from "../util/zxid.js";
import type { WatchEventOut } from "../watches/watch-registry.js";
import type { Waiter } from "./forwarder.js";
import type { Pipeline } from "./pipeline.js";
import { toApiError } from "./replies.js";
import { type ReplySink, Requester } from "./requester.js";

export interface SessionFrontDeps {
  readonly pipeline: Pipeline;
  readonly nextSessionId: () => bigint;
  readonly randomBytes: (size: number) => Uint8Array;
  /** Turns addAuth credentials into identities; throws PaddockError(AuthFailed) for bad ones. */
  readonly authenticate: (scheme: string, auth: Uint8Array) => AuthId[];
}

const SESSION_EVENT_EXPIRED = 3;
const SESSION_EVENT_AUTH_FAILED = 5;

/**
 * Opens and resumes sessions for the stream front end. A new session is a replicated
 * CreateSession transaction (its password comes from a cryptographic source outside the core and
 * travels in the transaction, so any member can check it later); a resume is checked against the
 * session table and re-registers the client's watches, firing at once what it missed.
 */
export class SessionFront {
  /** Sessions proposed but not applied yet: they count against sessionsMax already. */
  private opening = 0;

  constructor(private readonly deps: SessionFrontDeps) {
    deps.pipeline.authenticate = (requester, scheme, auth) => {
      for (const id of deps.authenticate(scheme, auth)) {
        if (!requester.ids.some((have) => have.scheme === id.scheme && have.id === id.id))
          requester.ids.push(id);
      }
    };
  }

  /** Handles a ConnectRequest; answers on the sink. Returns the requester once known. */
  connect(
    request: ConnectRequest,
    sink: ReplySink,
    baseIds: AuthId[],
    onReady: (r: Requester) => void,
  ): void {
    try {
      if (!this.deps.pipeline.isServing) {
        throw new PaddockError(
          Code.ConnectionLoss,
          "",
          "this member is not serving: no leader (election running)",
        );
      }
      if (request.sessionId === 0n) this.open(request, sink, baseIds, onReady);
      else this.resume(request, sink, baseIds, onReady);
    } catch (error) {
      refuse(
        sink,
        error instanceof PaddockError && error.code === Code.AuthFailed ? SESSION_EVENT_AUTH_FAILED : 0,
        error,
      );
    }
  }

  private open(
    request: ConnectRequest,
    sink: ReplySink,
    baseIds: AuthId[],
    onReady: (r: Requester) => void,
  ): void {
    const pipeline = this.deps.pipeline;
    const { sessions } = pipeline.deps;
    const limits = pipeline.options.limits;
    if (sessions.size + this.opening >= limits.sessionsMax) {
      throw new PaddockError(Code.Throttled, "", `sessionsMax ${limits.sessionsMax} reached: no new session`);
    }
    const timeoutMs = sessions.negotiateTimeout(request.timeoutMs);
    const sessionId = this.deps.nextSessionId();
    const password = this.deps.randomBytes(16);
    const requester = new Requester(sessionId, [...baseIds], sink);
    this.applyAuth(requester, request);
    this.opening++;
    let settled = false;
    try {
      this.propose(
        sessionId,
        timeoutMs,
        password,
        requester,
        () => {
          settled = true;
          this.opening--;
          pipeline.local.set(sessionId, requester);
          sink.send(this.connected(sessionId, password, timeoutMs));
          onReady(requester);
        },
        (error) => {
          settled = true;
          this.opening--;
          refuse(sink, 0, error);
        },
      );
    } catch (error) {
      if (!settled) this.opening--;
      throw error;
    }
  }

  /**
   * A CreateSession transaction, proposed here on the leader or forwarded to it. Exactly one of
   * onApplied (on this member, after apply) or onFailed is called, or this throws.
   */
  private propose(
    sessionId: bigint,
    timeoutMs: number,
    password: Uint8Array,
    requester: Requester,
    onApplied: () => void,
    onFailed: (error: PaddockError) => void,
  ): void {
    const pipeline = this.deps.pipeline;
    const waiter: Waiter = { requester, slot: undefined, barrier: false, onApplied, onFailed };
    if (pipeline.isLeading) {
      const build = (zxid: number) => pipeline.deps.prep.createSession(timeoutMs, password, zxid);
      pipeline.proposeInternal(sessionId, build, waiter);
      return;
    }
    const kind = { $case: "createSession" as const, value: { timeoutMs, password: Buffer.from(password) } };
    pipeline.forwarder.forward(waiter, kind, sessionId, "");
  }

  private resume(
    request: ConnectRequest,
    sink: ReplySink,
    baseIds: AuthId[],
    onReady: (r: Requester) => void,
  ): void {
    const pipeline = this.deps.pipeline;
    const { sessions, watches, tree } = pipeline.deps;
    const sessionId = request.sessionId;
    const entry = sessions.get(sessionId);
    const hex = `0x${sessionId.toString(16)}`;
    if (entry === undefined || entry.closing) {
      throw new PaddockError(Code.SessionExpired, "", `session ${hex} expired or unknown`);
    }
    if (!passwordMatches(entry.password, request.password)) {
      throw new PaddockError(Code.SessionExpired, "", `session ${hex}: wrong password`);
    }
    const lastSeen = Number(request.lastZxidSeen);
    if (lastSeen > pipeline.zxid) {
      throw new PaddockError(
        Code.ConnectionLoss,
        "",
        `this member is behind the client: applied ${zxidHex(pipeline.zxid)} < last seen ${zxidHex(lastSeen)}`,
      );
    }
    const previous = pipeline.local.get(sessionId);
    if (previous?.sink !== undefined) {
      // The session moved to a new connection: the old stream ends, its pending replies are dropped.
      previous.sink.end();
      previous.sink = undefined;
    }
    pipeline.touchSession(sessionId);
    const requester = new Requester(sessionId, [...baseIds], sink);
    this.applyAuth(requester, request);
    pipeline.local.set(sessionId, requester);
    sink.send(this.connected(sessionId, entry.password, entry.timeoutMs));
    const sw = request.watches;
    if (sw !== undefined) {
      const events: WatchEventOut[] = [];
      watches.setWatches(
        sessionId,
        {
          relativeZxid: Number(sw.relativeZxid),
          data: sw.dataWatches,
          exist: sw.existWatches,
          child: sw.childWatches,
          persistent: sw.persistentWatches,
          persistentRecursive: sw.persistentRecursiveWatches,
        },
        (path) => {
          const stat = tree.statOf(path);
          return stat && { czxid: Number(stat.czxid), mzxid: Number(stat.mzxid), pzxid: Number(stat.pzxid) };
        },
        events,
      );
      for (const e of events) {
        sink.send({ kind: { $case: "event", value: { type: e.type, path: e.path, zxid: BigInt(e.zxid) } } });
      }
    }
    onReady(requester);
  }

  private applyAuth(requester: Requester, request: ConnectRequest): void {
    for (const auth of request.auth) this.deps.pipeline.authenticate(requester, auth.scheme, auth.auth);
  }

  private connected(sessionId: bigint, password: Uint8Array, timeoutMs: number): ServerMessage {
    const pipeline = this.deps.pipeline;
    return {
      kind: {
        $case: "connected",
        value: {
          sessionId,
          password: Buffer.from(password.buffer, password.byteOffset, password.byteLength),
          timeoutMs,
          zxid: BigInt(pipeline.zxid),
          maxRequestBytes: pipeline.options.limits.requestBytesMax,
          maxOutstandingRequests: pipeline.options.limits.outstandingPerSessionMax,
        },
      },
    };
  }
}

function refuse(sink: ReplySink, state: number, error: unknown): void {
  const apiError = toApiError(error);
  const expired = apiError.code === Code.SessionExpired;
  sink.send({
    kind: {
      $case: "sessionEvent",
      value: { state: state || (expired ? SESSION_EVENT_EXPIRED : 2), error: apiError },
    },
  });
  sink.end();
}
