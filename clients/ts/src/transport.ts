/**
 * The session stream as the client core sees it: the subset of grpc-js's ClientDuplexStream it
 * uses, so unit tests can hand the core a fake stream and the real one is one small adapter.
 */
import { type ChannelCredentials, credentials, Metadata } from "@grpc/grpc-js";
import type { SessionRequest, SessionResponse } from "../gen/paddock/v1/session.js";
import { SessionServiceClient } from "../gen/paddock/v1/session.js";
import {
  WatchServiceClient,
  type WatchStreamRequest,
  type WatchStreamResponse,
} from "../gen/paddock/v1/watch.js";

export interface SessionStream {
  write(message: SessionRequest): boolean;
  end(): void;
  cancel(): void;
  on(event: "data", listener: (message: SessionResponse) => void): this;
  on(event: "error", listener: (error: Error) => void): this;
  on(event: "end", listener: () => void): this;
}

/** A WatchService/Watch call as watch-stream.ts uses it. */
export interface WatchCall {
  cancel(): void;
  pause(): void;
  resume(): void;
  on(event: "data", listener: (message: WatchStreamResponse) => void): this;
  on(event: "error", listener: (error: Error) => void): this;
  on(event: "end", listener: () => void): this;
}

export interface Transport {
  /** Opens a new session stream to one server ("host:port"). */
  open(address: string): SessionStream;
  /** Opens a resumable watch stream (client.watchStream) with `paddock-auth` credentials. */
  watch?(address: string, request: WatchStreamRequest, auth: readonly string[]): WatchCall;
  /** Releases every channel. */
  close(): void;
}

/** Replies (getData, multiRead) may be large; the server bounds what it sends. */
const receiveBytesMax = 64 * 1024 * 1024;

/** TLS to the server's secureClientPort: PEM text or bytes. */
export interface TlsOptions {
  /** CA certificates that sign the server's certificate; default: the system's roots. */
  ca?: string | Uint8Array;
  /** A client certificate (chain) and its private key, for mTLS (ssl.clientAuth=want|need). */
  cert?: string | Uint8Array;
  key?: string | Uint8Array;
}

function pem(value: string | Uint8Array | undefined): Buffer | null {
  return value === undefined ? null : Buffer.from(value);
}

/** Channel credentials: plaintext, or TLS (with a client certificate when cert and key are set). */
export function channelCredentials(tls: TlsOptions | undefined): ChannelCredentials {
  if (tls === undefined) return credentials.createInsecure();
  if ((tls.cert === undefined) !== (tls.key === undefined))
    throw new RangeError("tls.cert and tls.key go together (a client certificate and its key)");
  return credentials.createSsl(pem(tls.ca), pem(tls.key), pem(tls.cert));
}

/** gRPC transport: one channel per server address, created on first use; TLS when `tls` is set. */
export function grpcTransport(tls?: TlsOptions): Transport {
  const clients = new Map<string, SessionServiceClient>();
  const watchers = new Map<string, WatchServiceClient>();
  const channel = channelCredentials(tls);
  const options = {
    "grpc.max_receive_message_length": receiveBytesMax,
    // Fail fast when the server is down: the session logic does its own retries.
    "grpc.initial_reconnect_backoff_ms": 100,
    "grpc.max_reconnect_backoff_ms": 1000,
  };
  return {
    open(address: string): SessionStream {
      let client = clients.get(address);
      if (client === undefined) {
        client = new SessionServiceClient(address, channel, options);
        clients.set(address, client);
      }
      return client.session();
    },
    watch(address: string, request: WatchStreamRequest, auth: readonly string[]): WatchCall {
      let client = watchers.get(address);
      if (client === undefined) {
        client = new WatchServiceClient(address, channel, options);
        watchers.set(address, client);
      }
      const metadata = new Metadata();
      for (const value of auth) metadata.add("paddock-auth", value);
      return client.watch(request, metadata);
    },
    close(): void {
      for (const client of [...clients.values(), ...watchers.values()]) client.close();
      clients.clear();
      watchers.clear();
    },
  };
}

/** "h1:1,h2:2" or ["h1:1", "h2:2"] → ["h1:1", "h2:2"]; a trailing /chroot is refused. */
export function parseServers(servers: string | readonly string[]): string[] {
  const list = (typeof servers === "string" ? servers.split(",") : [...servers])
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (list.length === 0) throw new RangeError("no server address given");
  for (const s of list) {
    if (s.includes("/")) throw new RangeError(`chroot paths are not supported: ${s}`);
  }
  return list;
}
