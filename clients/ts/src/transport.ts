/**
 * The session stream as the client core sees it: the subset of grpc-js's ClientDuplexStream it
 * uses, so unit tests can hand the core a fake stream and the real one is one small adapter.
 */
import { type ChannelCredentials, credentials, Metadata } from "@grpc/grpc-js";
import { type DataChunk, DataServiceClient, type GetDataChunksRequest } from "../gen/paddock/v1/data.js";
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

/** A GetDataChunks call as data-chunks.ts uses it: the pieces in order, and cancel. */
export interface ChunkCall extends AsyncIterable<DataChunk> {
  cancel(): void;
}

export interface Transport {
  /** Opens a new session stream to one server ("host:port"). */
  open(address: string): SessionStream;
  /** Opens a resumable watch stream (client.watchStream) with `paddock-auth` credentials. */
  watch?(address: string, request: WatchStreamRequest, auth: readonly string[]): WatchCall;
  /** Drops the watch streams' connection to `address` (half-open): the next watch opens a new one. */
  resetWatch?(address: string): void;
  /** DataService/GetDataChunks (client.getDataChunks) with `paddock-auth` credentials and a deadline. */
  dataChunks?(
    address: string,
    request: GetDataChunksRequest,
    auth: readonly string[],
    timeoutMs?: number,
  ): ChunkCall;
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
  const readers = new Map<string, DataServiceClient>();
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
        // A connection of its own (not shared with the session's), so that resetWatch can drop it.
        client = new WatchServiceClient(address, channel, {
          ...options,
          "grpc.use_local_subchannel_pool": 1,
        });
        watchers.set(address, client);
      }
      const metadata = new Metadata();
      for (const value of auth) metadata.add("paddock-auth", value);
      return client.watch(request, metadata);
    },
    resetWatch(address: string): void {
      watchers.get(address)?.close();
      watchers.delete(address);
    },
    dataChunks(address, request, auth, timeoutMs): ChunkCall {
      let client = readers.get(address);
      if (client === undefined) {
        client = new DataServiceClient(address, channel, options);
        readers.set(address, client);
      }
      const metadata = new Metadata();
      for (const value of auth) metadata.add("paddock-auth", value);
      return client.getDataChunks(request, metadata, timeoutMs ? { deadline: Date.now() + timeoutMs } : {});
    },
    close(): void {
      for (const client of [...clients.values(), ...watchers.values(), ...readers.values()]) client.close();
      clients.clear();
      watchers.clear();
      readers.clear();
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
