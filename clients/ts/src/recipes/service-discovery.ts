/**
 * Service discovery in Curator x-discovery's layout: an instance is `<base>/<service>/<id>`
 * (ephemeral) holding ServiceInstance JSON (name, id, address, port, sslPort, payload,
 * registrationTimeUTC, serviceType, uriSpec, enabled), so Curator's ServiceDiscovery finds what
 * this registers and the other way round.
 */
import { randomUUID } from "node:crypto";
import type { Client } from "../client.js";
import { NodeExistsError, NoNodeError, PaddockError } from "../errors.js";
import { readOp } from "../ops.js";
import { ensurePath, join } from "./nodes.js";

export interface ServiceInstance {
  name: string;
  id: string;
  address: string | null;
  port: number | null;
  sslPort: number | null;
  /** Any JSON value (Curator writes typed payloads with Jackson's class info; null is portable). */
  payload: unknown;
  registrationTimeUTC: number;
  serviceType: "DYNAMIC" | "STATIC" | "PERMANENT" | "DYNAMIC_SEQUENTIAL";
  uriSpec: unknown;
  enabled: boolean;
}

export type InstanceInput = Pick<ServiceInstance, "name"> & Partial<Omit<ServiceInstance, "name">>;

export function serviceInstance(input: InstanceInput): ServiceInstance {
  return {
    name: input.name,
    id: input.id ?? randomUUID(),
    address: input.address ?? null,
    port: input.port ?? null,
    sslPort: input.sslPort ?? null,
    payload: input.payload ?? null,
    registrationTimeUTC: input.registrationTimeUTC ?? Date.now(),
    serviceType: input.serviceType ?? "DYNAMIC",
    uriSpec: input.uriSpec ?? null,
    enabled: input.enabled ?? true,
  };
}

export function parseInstance(data: Uint8Array, path: string): ServiceInstance {
  try {
    return JSON.parse(Buffer.from(data).toString("utf8")) as ServiceInstance;
  } catch (error) {
    throw new PaddockError(-5, path, `service instance ${path} is not JSON`, { cause: error });
  }
}

export class ServiceDiscovery {
  private readonly registered = new Map<string, ServiceInstance>();

  constructor(
    readonly client: Client,
    readonly basePath: string,
  ) {}

  pathOf(name: string, id?: string): string {
    const service = join(this.basePath, name);
    return id === undefined ? service : join(service, id);
  }

  /** Registers an instance (ephemeral: it goes with this session). */
  async register(input: InstanceInput): Promise<ServiceInstance> {
    const instance = serviceInstance(input);
    const path = this.pathOf(instance.name, instance.id);
    const mode = instance.serviceType === "DYNAMIC" ? "EPHEMERAL" : "PERSISTENT";
    await ensurePath(this.client, this.pathOf(instance.name), "CONTAINER");
    try {
      await this.client.create(path, JSON.stringify(instance), { mode });
    } catch (error) {
      if (error instanceof NodeExistsError)
        throw new NodeExistsError(path, `instance ${instance.id} of ${instance.name} is already registered`);
      throw error;
    }
    this.registered.set(instance.id, instance);
    return instance;
  }

  async unregister(instance: Pick<ServiceInstance, "name" | "id">): Promise<void> {
    this.registered.delete(instance.id);
    await this.client.delete(this.pathOf(instance.name, instance.id)).catch((error: unknown) => {
      if (!(error instanceof NoNodeError)) throw error;
    });
  }

  async queryForNames(): Promise<string[]> {
    try {
      return (await this.client.getChildren(this.basePath)).children.sort();
    } catch (error) {
      if (error instanceof NoNodeError) return [];
      throw error;
    }
  }

  /** Every instance of a service, read in one multiRead. */
  async queryForInstances(name: string, watch?: () => void): Promise<ServiceInstance[]> {
    let children: string[];
    try {
      children = (await this.client.getChildren(this.pathOf(name), watch ? { watch } : {})).children;
    } catch (error) {
      if (!(error instanceof NoNodeError)) throw error;
      // No instance yet: watch for the service node's creation instead.
      if (watch !== undefined && (await this.client.exists(this.pathOf(name), { watch })) !== null)
        return this.queryForInstances(name, watch);
      return [];
    }
    const reads = await this.client.multiRead(children.map((id) => readOp.getData(this.pathOf(name, id))));
    const out: ServiceInstance[] = [];
    reads.forEach((r, i) => {
      if (r.type === "getData") out.push(parseInstance(r.data, this.pathOf(name, children[i]!)));
    });
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
}
