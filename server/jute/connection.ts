// JuteConnection: one ZooKeeper client's TCP connection, translated to the front-end API and back.
import type { Duplex } from "node:stream";
import type { Request, ServerMessage } from "../gen/paddock/v1/session.js";
import type { AuthId, ClientFront, FrontConnection, ReplySink } from "../pipeline/front.js";
import { AssertionError, assert } from "../util/assert.js";
import { decodeConnectRequest, encodeConnectResponse, toPaddockConnect } from "./connect-records.js";
import { FrameDecoder } from "./frame-decoder.js";
import { OpCode } from "./opcodes.js";
import { encodeEvent, encodeHeaderOnly, encodeReply, encodeSaslReply } from "./reply-encoder.js";
import { decodeRequest, type JuteRequest } from "./request-decoder.js";
import { DigestMd5Server, SaslError } from "./sasl-digest-md5.js";

/** The SASL (DIGEST-MD5) users of the JAAS server section; undefined: SASL is not configured. */
export interface SaslUsers {
  /** user name → password (JAAS `user_<name>="<password>"`). */
  readonly passwords: ReadonlyMap<string, string>;
  /** zookeeper.superUser: names that also get super rights. */
  readonly superUsers: readonly string[];
}

export interface JuteConnectionOptions {
  /** jute.maxbuffer: the largest request frame, length prefix not counted. */
  readonly frameBytesMax: number;
  /** Bytes written but not yet taken by the socket; past it the client is too slow and is closed. */
  readonly outboundBytesMax: number;
  /** A connection that sends no ConnectRequest within this many ms is closed. */
  readonly connectTimeoutMs: number;
  readonly log: (level: "info" | "warn" | "error", message: string) => void;
  readonly sasl?: SaslUsers | undefined;
  /** enforce.auth.schemes includes sasl: a failed exchange is answered -124, not AuthFailed. */
  readonly saslRequired?: boolean;
  /** zookeeper.allowSaslFailedClients: a failed exchange keeps its connection (unless SASL is required). */
  readonly allowSaslFailedClients?: boolean;
}

/** What each request in flight needs for its reply: replies come back in request order. */
interface InFlight {
  readonly xid: number;
  readonly opcode: number;
  readonly multiOpcodes: readonly number[] | undefined;
  /** An answer the door gives itself (refused, unknown), sent when its turn comes. */
  readonly local: Buffer | undefined;
  /** Close the connection once this reply is out (closeSession, failed auth, unknown opcode). */
  readonly close: boolean;
}

const UNIMPLEMENTED = -6;
const AUTH_FAILED = -115;
const SESSION_CLOSED_REQUIRE_SASL_AUTH = -124;
const PING: Request["op"] = { $case: "ping", value: {} };
/** ZooKeeper's protocol carries no trace context. */
const NO_TRACE: Record<string, string> = {};
/** EventType DataWatchRemoved; ChildWatchRemoved and PersistentWatchRemoved follow it. */
const EVENT_DATA_WATCH_REMOVED = 5;
const SESSION_STATE_EXPIRED = 3;

/**
 * The ZooKeeper door for one socket: frames in, the ConnectRequest first, then requests submitted
 * in arrival order, one batch per chunk; replies, events and the handshake answer written back
 * once per event-loop turn. Bad input closes the connection and changes nothing; whatever handling
 * it throws closes this connection only (logged), except a broken invariant of our own.
 */
export class JuteConnection implements ReplySink {
  private readonly decoder: FrameDecoder;
  /** Made once: a closure per flush costs a rename under tsx on the hot path. */
  private readonly flushNow = (): void => this.flush();
  private readonly flushSoon = (): void => this.guard(this.flushNow);
  private readonly inFlight: InFlight[] = [];
  private connection: FrontConnection | undefined;
  private readOnlyByte: boolean | undefined;
  private handshake: "waiting" | "sent" | "answered" = "waiting";
  private out: Buffer[] = [];
  private scheduled = false;
  private closed = false;
  private connectTimer: ReturnType<typeof setTimeout> | undefined;
  private saslServer: DigestMd5Server | undefined;

  constructor(
    private readonly socket: Duplex,
    private readonly address: string,
    private readonly front: ClientFront,
    private readonly options: JuteConnectionOptions,
    /** Identities the transport established (a TLS client certificate's x509 id). */
    ids: readonly AuthId[] = [],
  ) {
    this.decoder = new FrameDecoder(options.frameBytesMax);
    try {
      this.connection = front.accept(address, this, ids);
    } catch (error) {
      // maxClientCnxns, as ZooKeeper: the connection is closed without an answer.
      options.log("warn", `closing ZooKeeper connection from ${address}: ${(error as Error).message}`);
      this.close();
      return;
    }
    this.connectTimer = setTimeout(() => this.fail("no ConnectRequest in time"), options.connectTimeoutMs);
    socket.on("data", (chunk: Buffer) => this.onDataGuarded(chunk));
    socket.on("error", () => this.close());
    socket.on("close", () => this.close());
  }

  /** Bytes the socket delivered before this connection was made (the sniffed prefix). */
  feed(chunk: Buffer): void {
    this.onDataGuarded(chunk);
  }

  send(message: ServerMessage): void {
    if (this.closed) return;
    const kind = message.kind;
    switch (kind?.$case) {
      case "connected": {
        const v = kind.value;
        this.handshake = "answered";
        this.answerConnect(v.timeoutMs, v.sessionId, v.password);
        this.sendLocalAnswers();
        return;
      }
      case "sessionEvent":
        // A refused resume of an expired or unknown session is answered as ZooKeeper answers it
        // (timeOut 0, session 0, zero password); any other refusal, and an expiry while
        // connected, just closes: the client reconnects and learns the session's fate.
        if (this.handshake === "sent" && kind.value.state === SESSION_STATE_EXPIRED) {
          this.answerConnect(0, 0n, Buffer.alloc(16));
        }
        this.end();
        return;
      case "event":
        // ZooKeeper's server never sends the *WatchRemoved events: its clients make them when
        // removeWatches succeeds (the Java client drops the connection on one from the wire).
        if (kind.value.type >= EVENT_DATA_WATCH_REMOVED) return;
        this.write(encodeEvent(kind.value.type, kind.value.path, kind.value.zxid));
        return;
      case "reply": {
        const reply = kind.value;
        const next = this.inFlight.shift();
        assert(next !== undefined && next.local === undefined, `reply ${reply.xid} with nothing in flight`);
        assert(next.xid === reply.xid, `reply ${reply.xid} where ${next.xid} was next`);
        const code = reply.error?.code ?? 0;
        // ZooKeeper answers auth with the request's own xid (-4 from most clients) and zxid 0.
        if (next.opcode === OpCode.auth) this.write(encodeHeaderOnly(next.xid, 0n, code));
        else this.write(encodeReply(next.opcode, reply, next.multiOpcodes));
        if (next.close || (next.opcode === OpCode.auth && code !== 0)) {
          this.end();
          return;
        }
        this.sendLocalAnswers();
        return;
      }
      default:
        return;
    }
  }

  /** A ConnectResponse; its readOnly byte only if the client sent one (Paddock is never read-only). */
  private answerConnect(timeOutMs: number, sessionId: bigint, passwd: Uint8Array): void {
    const readOnly = this.readOnlyByte === undefined ? undefined : false;
    this.write(encodeConnectResponse({ timeOutMs, sessionId, passwd, readOnly }));
  }

  /** The front ends the connection (session closed, expired or moved). */
  end(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.clearConnectTimer();
    this.socket.end();
    this.connection?.drop();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.clearConnectTimer();
    this.out = [];
    this.socket.destroy();
    this.connection?.drop();
  }

  private fail(why: string): void {
    if (this.closed) return;
    this.options.log("info", `closing ZooKeeper connection from ${this.address}: ${why}`);
    this.close();
  }

  /** What handling a chunk or a flush throws closes this connection only (a broken invariant still stops). */
  private guard(work: () => void): void {
    try {
      work();
    } catch (error) {
      this.failed(error);
    }
  }

  private onDataGuarded(chunk: Buffer): void {
    try {
      this.onData(chunk);
    } catch (error) {
      this.failed(error);
    }
  }

  private failed(error: unknown): void {
    if (error instanceof AssertionError) throw error;
    this.fail(error instanceof Error ? error.message : String(error));
  }

  private onData(chunk: Buffer): void {
    if (this.closed || this.connection === undefined) return;
    const frames = this.decoder.push(chunk);
    let batch: Request[] | undefined;
    for (const frame of frames) {
      if (this.closed) return;
      if (this.handshake === "waiting") {
        const connect = decodeConnectRequest(frame);
        this.readOnlyByte = connect.readOnly;
        this.handshake = "sent";
        this.clearConnectTimer();
        this.connection.connect(toPaddockConnect(connect));
        continue;
      }
      const request = this.translate(decodeRequest(frame));
      if (request === undefined) continue;
      batch ??= [];
      batch.push(request);
    }
    if (batch !== undefined && !this.closed) this.connection.submit(batch);
  }

  /** A decoded frame as a pipeline request, or an answer of the door's own (kept in order). */
  private translate(r: JuteRequest): Request | undefined {
    switch (r.kind) {
      case "op":
        return this.request(r.xid, r.opcode, r.op, r.multiOpcodes);
      case "ping":
        return this.request(r.xid, OpCode.ping, PING);
      case "auth":
        return this.request(r.xid, OpCode.auth, {
          $case: "addAuth",
          value: { scheme: r.scheme, auth: r.auth },
        });
      case "setWatches":
        return this.request(r.xid, r.opcode, { $case: "setWatches", value: r.watches });
      case "checkWatches":
        return this.request(r.xid, OpCode.checkWatches, {
          $case: "removeWatches",
          value: { path: r.path, type: r.type, checkOnly: true },
        });
      case "close":
        return this.request(r.xid, OpCode.closeSession, { $case: "close", value: {} });
      case "sasl":
        this.saslStep(r.xid, r.token);
        return undefined;
      case "refused":
        this.answerLocally(r.xid, r.code, r.close);
        return undefined;
      case "unknown":
        this.answerLocally(r.xid, UNIMPLEMENTED, true);
        return undefined;
    }
  }

  /** A pipeline request, remembered in flight with what its reply needs. */
  private request(xid: number, opcode: number, op: Request["op"], multiOpcodes?: number[]): Request {
    const close = opcode === OpCode.closeSession;
    this.inFlight.push({ xid, opcode, multiOpcodes, local: undefined, close });
    return { xid, timeoutMs: 0, trace: NO_TRACE, op };
  }

  /** A door's own answer leaves after every earlier reply, as ZooKeeper's would. */
  private answerLocally(xid: number, code: number, close: boolean, frame?: Buffer): void {
    const local = frame ?? encodeHeaderOnly(xid, BigInt(this.front.zxid), code);
    this.inFlight.push({ xid, opcode: 0, multiOpcodes: undefined, local, close });
    if (this.inFlight.length === 1) this.sendLocalAnswers();
  }

  /**
   * One SASL token, as ZooKeeper's processSasl: DIGEST-MD5 against the JAAS server section's users;
   * once complete the session holds sasl:<user> (and super for a zookeeper.superUser) for every
   * later request. A failed exchange, or SASL not configured, answers AuthFailed and closes.
   */
  private saslStep(xid: number, token: Buffer): void {
    const users = this.options.sasl;
    const server = users === undefined ? undefined : (this.saslServer ??= newSaslServer(users));
    try {
      if (server === undefined)
        throw new SaslError("SASL is not configured (java.security.auth.login.config)");
      const answer = server.evaluate(token);
      const user = server.authorizationId;
      if (user !== undefined && users !== undefined) {
        const ids: AuthId[] = [{ scheme: "sasl", id: user }];
        if (users.superUsers.includes(user)) ids.push({ scheme: "super", id: "" });
        this.connection?.addIds(ids);
      }
      this.answerLocally(xid, 0, false, encodeSaslReply(xid, 0, answer));
    } catch (error) {
      if (!(error instanceof SaslError)) throw error;
      this.options.log("warn", `client ${this.address} failed to SASL authenticate: ${error.message}`);
      if (this.options.allowSaslFailedClients === true && this.options.saslRequired !== true) {
        // As ZooKeeper's processSasl: answered OK with no token, the connection kept, no sasl id.
        this.options.log("warn", `client ${this.address} keeps its connection (allowSaslFailedClients)`);
        this.answerLocally(xid, 0, false, encodeSaslReply(xid, 0, null));
        return;
      }
      const code = this.options.saslRequired === true ? SESSION_CLOSED_REQUIRE_SASL_AUTH : AUTH_FAILED;
      this.answerLocally(xid, code, true, encodeSaslReply(xid, code, null));
    }
  }

  /** Local answers at the head leave, once the handshake is answered (ZooKeeper reads nothing before). */
  private sendLocalAnswers(): void {
    if (this.handshake !== "answered") return;
    while (!this.closed && this.inFlight[0]?.local !== undefined) {
      const next = this.inFlight.shift()!;
      this.write(next.local!);
      if (next.close) this.end();
    }
  }

  private write(frame: Buffer): void {
    if (this.closed) return;
    this.out.push(frame);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushSoon);
    }
  }

  private flush(): void {
    this.scheduled = false;
    if (this.out.length === 0 || this.closed) return;
    const bytes = this.out.length === 1 ? this.out[0]! : Buffer.concat(this.out);
    this.out = [];
    this.socket.write(bytes);
    if (this.socket.writableLength > this.options.outboundBytesMax) {
      // A slow consumer, as ZooKeeper treats one: the connection closes, the session survives.
      this.fail(
        `slow consumer: ${this.socket.writableLength} bytes queued exceed outboundBytesPerSessionMax ${this.options.outboundBytesMax}`,
      );
    }
  }

  private clearConnectTimer(): void {
    if (this.connectTimer !== undefined) clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
  }
}

function newSaslServer(users: SaslUsers): DigestMd5Server {
  return new DigestMd5Server({ password: (user) => users.passwords.get(user) });
}
