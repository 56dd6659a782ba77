/**
 * Paddock over its gRPC session stream, written against the generated stubs until the TypeScript
 * client lands: every request issued in one event-loop turn goes out in one envelope, as
 * PROTOCOL.md asks. The no-op echo target speaks the same protocol, so it reuses this adapter.
 */
import type { ClientDuplexStream } from "@grpc/grpc-js";
import { CreateMode } from "../../clients/ts/gen/paddock/v1/data.js";
import {
  type ClientMessage,
  type Reply,
  type Request,
  type SessionRequest,
  type SessionResponse,
  SessionServiceClient,
} from "../../clients/ts/gen/paddock/v1/session.js";
import type { Topology } from "../args.js";
import { grpc } from "./root-grpc.js";
import { type BenchClient, BenchError, type CreateKind, type TargetDriver } from "./target.js";

const nodeExistsCode = -110;
const messageBytesMax = 64 * 2 ** 20;
/** Requests per envelope when the server announced no byte limit (it always should). */
const envelopeRequestsMax = 1000;

type Op = NonNullable<Request["op"]>;

/**
 * Multiplexed: the sessions of one process share a channel (one HTTP/2 connection, a stream per
 * session). Independent: each session its own channel in a local subchannel pool (grpc-js would
 * otherwise put every channel of the process to one address on the same connection).
 */
const channels = new Map<string, { client: SessionServiceClient; refs: number }>();
const channelOptions = {
  "grpc.max_receive_message_length": messageBytesMax,
  "grpc.max_send_message_length": messageBytesMax,
};

function acquireChannel(
  address: string,
  topology: Topology,
): { client: SessionServiceClient; release: () => void } {
  if (topology === "independent") {
    const client = new SessionServiceClient(address, grpc.credentials.createInsecure(), {
      ...channelOptions,
      "grpc.use_local_subchannel_pool": 1,
    });
    return { client, release: () => client.close() };
  }
  let entry = channels.get(address);
  if (entry === undefined) {
    const client = new SessionServiceClient(address, grpc.credentials.createInsecure(), channelOptions);
    entry = { client, refs: 0 };
    channels.set(address, entry);
  }
  entry.refs++;
  return { client: entry.client, release: () => releaseChannel(address) };
}

function releaseChannel(address: string): void {
  const entry = channels.get(address);
  if (entry === undefined) return;
  if (--entry.refs === 0) {
    channels.delete(address);
    entry.client.close();
  }
}

interface Pending {
  resolve: (reply: Reply) => void;
  reject: (error: Error) => void;
}

const modes: Record<CreateKind, CreateMode> = {
  persistent: CreateMode.CREATE_MODE_PERSISTENT,
  sequential: CreateMode.CREATE_MODE_PERSISTENT_SEQUENTIAL,
  ephemeral: CreateMode.CREATE_MODE_EPHEMERAL,
};

export class PaddockSession implements BenchClient {
  private readonly grpc: SessionServiceClient;
  private readonly releaseChannel: () => void;
  private readonly stream: ClientDuplexStream<SessionRequest, SessionResponse>;
  private readonly pending = new Map<number, Pending>();
  private readonly watches = new Map<string, (() => void)[]>();
  private outbox: ClientMessage[] = [];
  private flushScheduled = false;
  private xid = 0;
  private failed: Error | undefined;
  private lastSendMs = Date.now();
  private pingTimer: NodeJS.Timeout | undefined;
  private maxRequestBytes = 0;
  /** The server's max_outstanding_requests; senders beyond it wait for a reply. */
  private outstandingMax = Number.POSITIVE_INFINITY;
  private readonly waiting: (() => void)[] = [];
  private onConnected: ((error?: Error) => void) | undefined;

  private constructor(address: string, topology: Topology) {
    const channel = acquireChannel(address, topology);
    this.grpc = channel.client;
    this.releaseChannel = channel.release;
    this.stream = this.grpc.session();
    this.stream.on("data", (response: SessionResponse) => this.receive(response));
    this.stream.on("error", (e: Error) => this.fail(new BenchError(`session stream: ${e.message}`)));
    this.stream.on("end", () => this.fail(new BenchError("session stream ended by the server")));
  }

  static async open(
    connectString: string,
    sessionTimeoutMs: number,
    topology: Topology,
  ): Promise<PaddockSession> {
    // An ensemble's connect string: each session picks one member at random, as the clients
    // spread sessions (this adapter does not reconnect, so it never moves).
    const members = connectString.split(",");
    const address = members[Math.floor(Math.random() * members.length)]!;
    const s = new PaddockSession(address, topology);
    const connected = new Promise<void>((resolve, reject) => {
      s.onConnected = (error) => (error ? reject(error) : resolve());
    });
    s.stream.write({
      messages: [
        {
          kind: {
            $case: "connect",
            value: {
              sessionId: 0n,
              password: Buffer.alloc(0),
              timeoutMs: sessionTimeoutMs,
              lastZxidSeen: 0n,
              auth: [],
              watches: undefined,
            },
          },
        },
      ],
    });
    try {
      await connected;
    } catch (e) {
      s.stream.cancel();
      s.releaseChannel();
      throw e;
    }
    return s;
  }

  private receive(response: SessionResponse): void {
    for (const m of response.messages) {
      const kind = m.kind;
      if (kind === undefined) continue;
      switch (kind.$case) {
        case "connected": {
          this.maxRequestBytes = kind.value.maxRequestBytes;
          if (kind.value.maxOutstandingRequests > 0) this.outstandingMax = kind.value.maxOutstandingRequests;
          // Heartbeat at a third of the negotiated timeout when idle (PROTOCOL.md).
          const every = Math.max(50, Math.floor(kind.value.timeoutMs / 3));
          this.pingTimer = setInterval(() => {
            if (Date.now() - this.lastSendMs >= every)
              this.send({ $case: "ping", value: {} }).catch(() => {});
          }, every);
          this.pingTimer.unref();
          this.onConnected?.();
          this.onConnected = undefined;
          break;
        }
        case "reply": {
          const p = this.pending.get(kind.value.xid);
          if (p === undefined) break;
          this.pending.delete(kind.value.xid);
          this.waiting.shift()?.();
          p.resolve(kind.value);
          break;
        }
        case "event": {
          const callbacks = this.watches.get(kind.value.path);
          if (callbacks === undefined) break;
          this.watches.delete(kind.value.path); // one-time watch
          for (const cb of callbacks) cb();
          break;
        }
        case "sessionEvent": {
          const code = kind.value.error?.code;
          this.fail(new BenchError(`session event state ${kind.value.state} code ${code ?? "-"}`));
          break;
        }
      }
    }
  }

  private fail(error: Error): void {
    if (this.failed !== undefined) return;
    this.failed = error;
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.onConnected?.(error);
    this.onConnected = undefined;
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
    for (const wake of this.waiting.splice(0)) wake();
  }

  private async send(op: Op): Promise<Reply> {
    while (this.pending.size >= this.outstandingMax && this.failed === undefined)
      await new Promise<void>((wake) => this.waiting.push(wake));
    if (this.failed !== undefined) throw this.failed;
    const xid = ++this.xid;
    this.outbox.push({ kind: { $case: "request", value: { xid, timeoutMs: 0, trace: {}, op } } });
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
    return new Promise<Reply>((resolve, reject) => this.pending.set(xid, { resolve, reject }));
  }

  /** Writes everything queued this turn, split so each envelope stays under the server's limit. */
  private flush(): void {
    this.flushScheduled = false;
    if (this.outbox.length === 0 || this.failed !== undefined) return;
    const all = this.outbox;
    this.outbox = [];
    this.lastSendMs = Date.now();
    const perRequest = 64; // envelope overhead estimate; values are added below
    let batch: ClientMessage[] = [];
    let bytes = 0;
    for (const m of all) {
      const size = perRequest + requestPayloadBytes(m);
      const limit = this.maxRequestBytes > 0 ? this.maxRequestBytes : Number.POSITIVE_INFINITY;
      if (batch.length > 0 && (bytes + size > limit || batch.length >= envelopeRequestsMax)) {
        this.stream.write({ messages: batch });
        batch = [];
        bytes = 0;
      }
      batch.push(m);
      bytes += size;
    }
    if (batch.length > 0) this.stream.write({ messages: batch });
  }

  private async call(op: Op): Promise<Reply> {
    const reply = await this.send(op);
    if (reply.error !== undefined && reply.error.code !== 0) {
      const e = reply.error;
      throw new BenchError(`${op.$case} ${e.path}: code ${e.code} ${e.message}`, e.code === nodeExistsCode);
    }
    return reply;
  }

  async create(path: string, data: Uint8Array, kind: CreateKind): Promise<void> {
    await this.call({
      $case: "create",
      value: { path, data: Buffer.from(data), acl: [], mode: modes[kind], ttl: 0n },
    });
  }

  async setData(path: string, data: Uint8Array): Promise<void> {
    await this.call({ $case: "setData", value: { path, data: Buffer.from(data), version: undefined } });
  }

  async getData(path: string): Promise<Uint8Array> {
    const reply = await this.call({ $case: "getData", value: { path, watch: false, consistency: 0 } });
    return reply.result?.$case === "getData" ? reply.result.value.data : new Uint8Array(0);
  }

  async watchData(path: string, onChange: () => void): Promise<void> {
    // Registered before the request leaves, so an event that overtakes the reply still finds it.
    const list = this.watches.get(path) ?? [];
    list.push(onChange);
    this.watches.set(path, list);
    await this.call({ $case: "getData", value: { path, watch: true, consistency: 0 } });
  }

  async close(): Promise<void> {
    if (this.failed === undefined) {
      await this.send({ $case: "close", value: {} }).catch(() => {});
    }
    this.fail(new BenchError("closed"));
    this.stream.end();
    this.releaseChannel();
  }
}

function requestPayloadBytes(m: ClientMessage): number {
  if (m.kind?.$case !== "request") return 0;
  const op = m.kind.value.op;
  if (op === undefined) return 0;
  const v = op.value as { path?: string; data?: Uint8Array };
  return (v.path?.length ?? 0) + (v.data?.length ?? 0);
}

export const paddockDriverFor = (topology: Topology): TargetDriver => ({
  name: "paddock",
  connect: (address, sessionTimeoutMs) => PaddockSession.open(address, sessionTimeoutMs, topology),
});
