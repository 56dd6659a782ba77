import { type ClientDuplexStream, credentials } from "@grpc/grpc-js";
import {
  type ConnectRequest,
  type ConnectResponse,
  type Reply,
  type Request,
  type ServerMessage,
  type SessionRequest,
  type SessionResponse,
  SessionServiceClient,
} from "../../server/gen/paddock/v1/session.js";

type Op = NonNullable<Request["op"]>;

/**
 * The session stream spoken directly with generated stubs, for tests of the protocol itself
 * (ordering, batching, limits, bad input). Everything received is kept in arrival order.
 */
export class RawSession {
  readonly received: ServerMessage[] = [];
  private xid = 0;
  private waiters: (() => void)[] = [];
  ended = false;
  endError: Error | undefined;

  private constructor(
    private readonly client: SessionServiceClient,
    private readonly call: ClientDuplexStream<SessionRequest, SessionResponse>,
  ) {
    call.on("data", (envelope: SessionResponse) => {
      this.received.push(...envelope.messages);
      this.notify();
    });
    call.on("end", () => {
      this.ended = true;
      this.notify();
    });
    call.on("error", (error: Error) => {
      this.ended = true;
      this.endError = error;
      this.notify();
    });
  }

  static open(address: string): RawSession {
    const client = new SessionServiceClient(address, credentials.createInsecure());
    return new RawSession(client, client.session());
  }

  /** Opens a stream and a session; resolves with the ConnectResponse. */
  static async connect(address: string, connect: Partial<ConnectRequest> = {}): Promise<RawSession> {
    const session = RawSession.open(address);
    session.sendConnect(connect);
    await session.connected();
    return session;
  }

  sendConnect(connect: Partial<ConnectRequest>): void {
    this.call.write({
      messages: [
        {
          kind: {
            $case: "connect",
            value: {
              sessionId: 0n,
              password: Buffer.alloc(0),
              timeoutMs: 10_000,
              lastZxidSeen: 0n,
              auth: [],
              watches: undefined,
              ...connect,
            },
          },
        },
      ],
    });
  }

  async connected(): Promise<ConnectResponse> {
    const message = await this.waitFor(
      (m) => m.kind?.$case === "connected" || m.kind?.$case === "sessionEvent",
    );
    if (message.kind?.$case !== "connected")
      throw new Error(`connect refused: ${JSON.stringify(message.kind?.value, replacer)}`);
    return message.kind.value;
  }

  /** Sends ops in ONE envelope; returns their xids. */
  send(...ops: Op[]): number[] {
    const xids: number[] = [];
    const requests: Request[] = ops.map((op) => {
      const xid = ++this.xid;
      xids.push(xid);
      return { xid, timeoutMs: 0, trace: {}, op };
    });
    this.sendRequests(requests);
    return xids;
  }

  sendRequests(requests: Request[]): void {
    this.call.write({ messages: requests.map((value) => ({ kind: { $case: "request" as const, value } })) });
  }

  /** Sends one op and waits for its reply. */
  async call1(op: Op): Promise<Reply> {
    const [xid] = this.send(op);
    return this.reply(xid!);
  }

  async reply(xid: number): Promise<Reply> {
    const m = await this.waitFor((m) => m.kind?.$case === "reply" && m.kind.value.xid === xid);
    if (m.kind?.$case !== "reply") throw new Error("unreachable");
    return m.kind.value;
  }

  /** Waits until a message matching `match` has arrived (deadline, never a sleep). */
  waitFor(match: (m: ServerMessage) => boolean, timeoutMs = 10_000): Promise<ServerMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(
          new Error(
            `no matching message within ${timeoutMs} ms; got ${JSON.stringify(this.received, replacer)}`,
          ),
        );
      }, timeoutMs);
      const check = (): void => {
        const found = this.received.find(match);
        if (found) {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== check);
          resolve(found);
        } else if (this.ended) {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== check);
          reject(new Error(`stream ended (${this.endError?.message ?? "end"}) without a matching message`));
        }
      };
      this.waiters.push(check);
      check();
    });
  }

  /** Resolves once the stream has ended (by the server). */
  endedPromise(timeoutMs = 10_000): Promise<Error | undefined> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("stream did not end")), timeoutMs);
      const check = (): void => {
        if (this.ended) {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== check);
          resolve(this.endError);
        }
      };
      this.waiters.push(check);
      check();
    });
  }

  indexOf(match: (m: ServerMessage) => boolean): number {
    return this.received.findIndex(match);
  }

  /** Ends our side and drops the connection without closing the session. */
  drop(): void {
    this.call.cancel();
    this.client.close();
  }

  async close(): Promise<void> {
    if (!this.ended) {
      await this.call1({ $case: "close", value: {} });
      this.call.end();
    }
    this.client.close();
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }
}

export function replacer(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}

export const enc = (s: string): Buffer => Buffer.from(s, "utf8");
