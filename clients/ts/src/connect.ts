/** connect(): options, their defaults and checks, and the first session of a Client. */

import { splitChroot } from "./chroot.js";
import { Client } from "./client.js";
import { nonNegative, positive, shuffled } from "./option-checks.js";
import type { SessionConfig } from "./session-config.js";
import { grpcTransport, parseServers, type TlsOptions, type Transport } from "./transport.js";
import { toBuffer } from "./types.js";

export interface ConnectOptions {
  /** Requested session timeout; the server clamps it. Default 30000. */
  sessionTimeoutMs?: number;
  /** Budget for the first connect (all servers, with retries). Default: the session timeout. */
  connectTimeoutMs?: number;
  /** Default deadline of each call; 0 for none. Default: the session timeout. */
  requestTimeoutMs?: number;
  auth?: { scheme: string; auth: string | Uint8Array }[];
  /** Resume an existing session (with its password). */
  sessionId?: bigint;
  password?: Uint8Array;
  /** Calls in flight at most (also bounded by the server's limit). Default 1000. */
  maxOutstanding?: number;
  /** Calls waiting for an in-flight slot at most; beyond, calls reject with ThrottledError. Default 10000. */
  maxQueued?: number;
  /**
   * Try the servers in a random order, as ZooKeeper's client does, so sessions spread over an
   * ensemble. Default true; false keeps the given order (the first server is tried first).
   */
  shuffleServers?: boolean;
  /** TLS to the servers' secureClientPort (and a client certificate for mTLS); default plaintext. */
  tls?: TlsOptions;
  /** Test seam: the stream transport (default: gRPC). */
  transport?: Transport;
}

export const defaults = {
  sessionTimeoutMs: 30_000,
  maxOutstanding: 1000,
  maxQueued: 10_000,
  envelopeBytesMax: 1 << 20,
} as const;

/** Connects and resolves once the session is established; "host:port,…/app" roots every path at /app. */
export async function connect(servers: string | string[], options: ConnectOptions = {}): Promise<Client> {
  const sessionTimeoutMs = positive(
    "sessionTimeoutMs",
    options.sessionTimeoutMs ?? defaults.sessionTimeoutMs,
  );
  const { servers: hosts, chroot } = splitChroot(typeof servers === "string" ? servers : servers.join(","));
  const config: SessionConfig = {
    servers: options.shuffleServers === false ? parseServers(hosts) : shuffled(parseServers(hosts)),
    sessionTimeoutMs,
    connectTimeoutMs: positive("connectTimeoutMs", options.connectTimeoutMs ?? sessionTimeoutMs),
    requestTimeoutMs: nonNegative("requestTimeoutMs", options.requestTimeoutMs ?? sessionTimeoutMs),
    auth: (options.auth ?? []).map((a) => ({ scheme: a.scheme, auth: toBuffer(a.auth) })),
    sessionId: options.sessionId ?? 0n,
    password: toBuffer(options.password),
    maxOutstanding: positive("maxOutstanding", options.maxOutstanding ?? defaults.maxOutstanding),
    maxQueued: nonNegative("maxQueued", options.maxQueued ?? defaults.maxQueued),
    envelopeBytesMax: defaults.envelopeBytesMax,
    chroot,
  };
  const client = new Client(config, options.transport ?? grpcTransport(options.tls));
  await client.start();
  return client;
}
