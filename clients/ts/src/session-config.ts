/** The session core's configuration, hooks and state names (see session.ts). */
import type { Reply } from "../gen/paddock/v1/session.js";
import type { WatchEvent, Watcher } from "./types.js";

export type SessionStateName =
  | "connecting"
  | "connected"
  | "disconnected"
  | "expired"
  | "closed"
  | "authFailed";

export interface SessionConfig {
  servers: string[];
  sessionTimeoutMs: number;
  /** Budget for the first successful connect. */
  connectTimeoutMs: number;
  /** Default deadline of each call; 0 for none. */
  requestTimeoutMs: number;
  auth: { scheme: string; auth: Buffer }[];
  sessionId: bigint;
  password: Buffer;
  /** Calls in flight at most (also bounded by the server's maxOutstandingRequests). */
  maxOutstanding: number;
  /** Calls waiting for a slot at most; past it calls reject with ThrottledError at once. */
  maxQueued: number;
  /** Soft bound on one envelope's size; a single larger request still goes alone. */
  envelopeBytesMax: number;
  /** The connect string's chroot ("/app"), or "" for none: see chroot.ts. */
  chroot: string;
}

export interface SessionHooks {
  state(state: SessionStateName): void;
  fire(watchers: Iterable<Watcher>, event: WatchEvent): void;
}

export interface SubmitOptions {
  timeoutMs?: number;
  trace?: Record<string, string>;
  bytes?: number;
  onReply?: (reply: Reply) => void;
}
