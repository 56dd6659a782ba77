/** A Transport whose streams record what the client writes and let a test push server messages. */
import { EventEmitter } from "node:events";
import type {
  ClientMessage,
  EventType,
  Reply,
  Request,
  ServerMessage,
  SessionRequest,
  SessionResponse,
  SessionState,
} from "../../../clients/ts/gen/paddock/v1/session.js";
import type { SessionStream, Transport } from "../../../clients/ts/src/transport.js";

export class FakeStream extends EventEmitter implements SessionStream {
  readonly written: SessionRequest[] = [];
  ended = false;
  cancelled = false;

  constructor(readonly address: string) {
    super();
  }

  write(message: SessionRequest): boolean {
    this.written.push(message);
    return true;
  }
  end(): void {
    this.ended = true;
  }
  cancel(): void {
    this.cancelled = true;
  }

  /** The server sends one envelope. */
  send(...messages: ServerMessage[]): void {
    const response: SessionResponse = { messages };
    this.emit("data", response);
  }

  /** Every request written so far, across envelopes, in order. */
  requests(): Request[] {
    return this.written
      .flatMap((e) => e.messages)
      .flatMap((m: ClientMessage) => (m.kind?.$case === "request" ? [m.kind.value] : []));
  }

  /** Requests written since the connect, as [envelope][request]. */
  envelopes(): Request[][] {
    return this.written
      .map((e) => e.messages.flatMap((m) => (m.kind?.$case === "request" ? [m.kind.value] : [])))
      .filter((e) => e.length > 0);
  }
}

export class FakeTransport implements Transport {
  readonly streams: FakeStream[] = [];
  closed = 0;

  open(address: string): SessionStream {
    const stream = new FakeStream(address);
    this.streams.push(stream);
    return stream;
  }
  close(): void {
    this.closed++;
  }
  get last(): FakeStream {
    const s = this.streams[this.streams.length - 1];
    if (s === undefined) throw new Error("no stream opened");
    return s;
  }
}

export function connected(
  opts: { sessionId?: bigint; timeoutMs?: number; maxOutstanding?: number; zxid?: bigint } = {},
): ServerMessage {
  return {
    kind: {
      $case: "connected",
      value: {
        sessionId: opts.sessionId ?? 0x1234n,
        password: Buffer.from("secret"),
        timeoutMs: opts.timeoutMs ?? 30_000,
        zxid: opts.zxid ?? 0n,
        maxRequestBytes: 1 << 20,
        maxOutstandingRequests: opts.maxOutstanding ?? 1000,
      },
    },
  };
}

export function reply(
  xid: number,
  result: Reply["result"],
  opts: { zxid?: bigint; error?: { code: number; path?: string; message?: string } } = {},
): ServerMessage {
  const error = opts.error && {
    code: opts.error.code,
    path: opts.error.path ?? "",
    message: opts.error.message ?? "",
  };
  return { kind: { $case: "reply", value: { xid, zxid: opts.zxid ?? 0n, error, result } } };
}

export function event(type: EventType, path: string, zxid = 0n): ServerMessage {
  return { kind: { $case: "event", value: { type, path, zxid } } };
}

export function sessionEvent(state: SessionState, code = 0): ServerMessage {
  return { kind: { $case: "sessionEvent", value: { state, error: { code, path: "", message: "" } } } };
}
