/**
 * Leader election as Curator's LeaderSelector: the participants queue on an exclusive lock
 * (`<path>/_c_<uuid>-lock-<seq>`, data = the participant id, the Lock recipe's layout); the holder
 * runs `takeLeadership`. Leadership ends when the callback returns (the lock is released and, with
 * `autoRequeue`, the participant queues again) or at once when the session is suspended or lost:
 * the callback's signal is aborted and the event is emitted (Curator interrupts the thread).
 */
import { EventEmitter } from "node:events";
import type { Client } from "../client.js";
import { NoNodeError, PaddockError } from "../errors.js";
import { type ConnectionEvent, followSession, isLost } from "./connection.js";
import { type FencingToken, Lock } from "./lock.js";
import { sortBySequence } from "./nodes.js";

/** What the leader's callback gets: aborted when leadership is taken away (suspended, lost, close). */
export interface Leadership {
  signal: AbortSignal;
  token: FencingToken;
}

export interface Participant {
  id: string;
  isLeader: boolean;
}

export interface LeaderSelectorOptions {
  /** Stored in the lock node and shown by participants(). */
  id?: string;
  /** Queue again each time leadership ends (Curator's autoRequeue()). */
  autoRequeue?: boolean;
}

type SelectorEvents = Record<ConnectionEvent | "isLeader" | "notLeader", []> & {
  /** The callback threw, or queueing failed; Node's "error" would throw without a listener. */
  failure: [unknown];
};

/** Participants queue on the lock; the holder leads until its callback returns. */
export class LeaderSelector extends EventEmitter<SelectorEvents> {
  readonly id: string;
  private readonly autoRequeue: boolean;
  private leading: AbortController | undefined;
  private leader = false;
  private queued = false;
  private closed = false;
  private running: Promise<void> = Promise.resolve();
  private unfollow: (() => void) | undefined;

  constructor(
    readonly client: Client,
    readonly path: string,
    private readonly takeLeadership: (leadership: Leadership) => Promise<void>,
    options: LeaderSelectorOptions = {},
  ) {
    super();
    this.id = options.id ?? "";
    this.autoRequeue = options.autoRequeue ?? false;
  }

  /** True from "isLeader" until the callback returns or leadership is taken away. */
  get hasLeadership(): boolean {
    return this.leader;
  }

  /** Joins the queue (Curator's start). */
  start(): void {
    if (this.closed) throw new PaddockError(-8, this.path, `leader selector on ${this.path} is closed`);
    this.follow();
    this.requeue();
  }

  /** Queues again if not queued or leading; false when already there (Curator's requeue). */
  requeue(): boolean {
    if (this.queued || this.closed) return false;
    this.follow();
    this.queued = true;
    this.running = this.running.then(() => this.turns());
    return true;
  }

  /** Leaves: aborts a running callback, waits for it, and deletes this participant's node. */
  async close(): Promise<void> {
    this.closed = true;
    this.leading?.abort(new PaddockError(-8, this.path, `leader selector on ${this.path} closed`));
    await this.running;
    this.unfollow?.();
  }

  /** The queue in order with the leader (first) flagged (Curator's getParticipants). */
  async participants(): Promise<Participant[]> {
    let children: string[];
    try {
      ({ children } = await this.client.getChildren(this.path));
    } catch (error) {
      // The lock's parent is a container: the server removes it once the queue is empty.
      if (error instanceof NoNodeError) return [];
      throw error;
    }
    const result: Participant[] = [];
    for (const name of sortBySequence(children, ["lock-"])) {
      try {
        const { data } = await this.client.getData(`${this.path}/${name}`);
        result.push({ id: Buffer.from(data).toString("utf8"), isLeader: result.length === 0 });
      } catch {
        // gone between the listing and the read
      }
    }
    return result;
  }

  /** Session events for the selector's lifetime; suspended or lost ends a leadership at once. */
  private follow(): void {
    this.unfollow ??= followSession(this.client, (event) => {
      if (event !== "reconnected")
        this.leading?.abort(new PaddockError(-4, this.path, `leadership of ${this.path}: session ${event}`));
      this.emit(event);
    });
  }

  private async turns(): Promise<void> {
    while (this.queued && !this.closed && !isLost(this.client)) {
      try {
        await this.turn();
      } catch (error) {
        // Queueing failed (a lost session while waiting, a refused create): tell the user.
        if (!this.closed && !isLost(this.client)) this.emit("failure", error);
      }
      if (!this.autoRequeue) break;
    }
    this.queued = false;
  }

  private async turn(): Promise<void> {
    const lock = new Lock(this.client, this.path, { data: this.id });
    const leading = new AbortController();
    this.leading = leading;
    try {
      if (!(await lock.acquire(undefined, leading.signal)) || leading.signal.aborted) return;
      this.leader = true;
      this.emit("isLeader");
      const aborted = new Promise<void>((resolve) =>
        leading.signal.addEventListener(
          "abort",
          () => {
            this.leader = false;
            resolve();
          },
          { once: true },
        ),
      );
      // Leadership ends the moment the signal aborts; a callback that ignores it still finishes
      // before the next turn, so one selector never runs two callbacks at once.
      const callback = this.takeLeadership({ signal: leading.signal, token: lock.token! }).then(
        () => undefined,
        (error: unknown) => error,
      );
      await Promise.race([callback, aborted]);
      leading.abort();
      this.emit("notLeader");
      const failed = await callback;
      if (failed !== undefined && !(failed instanceof Error && failed === leading.signal.reason))
        this.emit("failure", failed);
    } finally {
      this.leading = undefined;
      if (lock.isHeld) await lock.release().catch(() => undefined);
    }
  }
}
