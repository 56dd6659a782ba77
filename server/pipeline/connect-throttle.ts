/**
 * ZooKeeper's connection throttle (zookeeper.connection_throttle_*): a token bucket that every
 * new or resumed session's ConnectRequest takes one token from; an empty bucket refuses the
 * connect, so a reconnect storm after an election or a restart is spread over time instead of
 * arriving at the leader all at once. ZooKeeper's BLUE random-drop extension is not implemented.
 */
export interface ConnectThrottleOptions {
  /** connection_throttle_tokens: the bucket's size, and what it holds at start; 0 disables it. */
  readonly tokens: number;
  /** connection_throttle_fill_time: ms per refill step. */
  readonly fillTimeMs: number;
  /** connection_throttle_fill_count: tokens added per step. */
  readonly fillCount: number;
}

export class ConnectThrottle {
  private tokens: number;
  private lastFillMs: number;
  /** Connects refused since start (counted in connection_rejected). */
  refused = 0;

  constructor(
    readonly options: ConnectThrottleOptions,
    private readonly now: () => number,
  ) {
    this.tokens = options.tokens;
    this.lastFillMs = now();
  }

  get enabled(): boolean {
    return this.options.tokens > 0;
  }

  /** Takes a token; false (and counted) when the bucket is empty. */
  take(): boolean {
    if (!this.enabled) return true;
    const now = this.now();
    const steps = Math.floor((now - this.lastFillMs) / this.options.fillTimeMs);
    if (steps > 0) {
      this.tokens = Math.min(this.options.tokens, this.tokens + steps * this.options.fillCount);
      this.lastFillMs += steps * this.options.fillTimeMs;
    }
    if (this.tokens < 1) {
      this.refused++;
      return false;
    }
    this.tokens--;
    return true;
  }
}
