/**
 * A cached view of one service's instances (re-read on every children change and on reconnect)
 * with a load-balancing strategy, as Curator's ServiceProvider: round robin, random, or sticky
 * (the same instance until it leaves, then the next by round robin).
 */
import { EventEmitter } from "node:events";
import type { Client } from "../client.js";
import { followSession, isLost } from "./connection.js";
import type { ServiceDiscovery, ServiceInstance } from "./service-discovery.js";

export type Strategy = "roundRobin" | "random" | "sticky";

export class ServiceProvider extends EventEmitter<{ change: [ServiceInstance[]] }> {
  private instances: ServiceInstance[] = [];
  private next = 0;
  private stuck: string | undefined;
  private unfollow: (() => void) | undefined;
  private closed = false;
  private readonly onChange = (): void => void this.refresh();

  constructor(
    readonly discovery: ServiceDiscovery,
    readonly name: string,
    readonly strategy: Strategy = "roundRobin",
  ) {
    super();
  }

  private get client(): Client {
    return this.discovery.client;
  }

  async start(): Promise<void> {
    this.unfollow = followSession(this.client, (event) => {
      if (event === "reconnected") void this.refresh();
    });
    await this.refresh();
  }

  close(): void {
    this.closed = true;
    this.unfollow?.();
  }

  /** The enabled instances in the cache. */
  get all(): readonly ServiceInstance[] {
    return this.instances;
  }

  /** One instance by the strategy, or undefined when none is registered. */
  getInstance(): ServiceInstance | undefined {
    const list = this.instances;
    if (list.length === 0) return undefined;
    if (this.strategy === "random") return list[Math.floor(Math.random() * list.length)];
    if (this.strategy === "sticky") {
      const current = list.find((i) => i.id === this.stuck);
      if (current !== undefined) return current;
    }
    const chosen = list[this.next++ % list.length]!;
    this.stuck = chosen.id;
    return chosen;
  }

  private async refresh(): Promise<void> {
    if (this.closed || isLost(this.client)) return;
    try {
      this.instances = (await this.discovery.queryForInstances(this.name, this.onChange)).filter(
        (i) => i.enabled,
      );
      this.emit("change", this.instances);
    } catch {
      // Connection loss: "reconnected" refreshes again.
    }
  }
}
