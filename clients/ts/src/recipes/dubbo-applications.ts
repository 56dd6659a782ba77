/**
 * Dubbo 3's application-level discovery layout, as a Dubbo 3.3 provider writes it (read back in
 * test/clients/dubbo): an instance is `/services/<app>/<host:port>` (ephemeral) holding Curator
 * x-discovery ServiceInstance JSON whose payload is Dubbo's ZookeeperInstance (id, name and a
 * string metadata map), and `/dubbo/mapping/<interface>` (persistent, the interface name as is)
 * holds the comma-separated names of the applications that provide the interface. With
 * interfaces given, register also writes the application's metadata to Dubbo's metadata report
 * (`/dubbo/metadata/<app>/<revision>`, MetadataInfo JSON, the instance saying
 * `dubbo.metadata.storage-type=remote`), which a Dubbo 3 consumer reads to build the URLs it calls,
 * as it does for a provider with `metadata-type=remote`.
 */
import { createHash } from "node:crypto";
import type { Client } from "../client.js";
import { BadVersionError, NodeExistsError, NoNodeError, PaddockError } from "../errors.js";
import { readOp } from "../ops.js";
import { ensurePath, join } from "./nodes.js";

export interface DubboInstance {
  app: string;
  /** `<address>:<port>` unless given. */
  id: string;
  address: string;
  port: number;
  /** Dubbo's instance metadata (`dubbo.endpoints`, `dubbo.metadata.revision`, …), strings only. */
  metadata: Record<string, string>;
  registrationTimeUTC: number;
}

export interface DubboInstanceInput {
  app: string;
  address: string;
  port: number;
  id?: string;
  /** Added to the default `dubbo.endpoints` entry (`[{"port":<port>,"protocol":<protocol>}]`). */
  metadata?: Record<string, string>;
  protocol?: string;
}

const INSTANCE_CLASS = "org.apache.dubbo.registry.zookeeper.ZookeeperInstance";

/** A path segment must not hold `/`; the names are Java interface and application names. */
function segment(kind: string, name: string): string {
  if (name.length === 0 || name.includes("/"))
    throw new RangeError(`Dubbo ${kind} name '${name}' must be non-empty and hold no '/'`);
  return name;
}

export class DubboApplications {
  constructor(
    readonly client: Client,
    readonly servicesRoot = "/services",
    readonly mappingRoot = "/dubbo/mapping",
    readonly metadataRoot = "/dubbo/metadata",
  ) {}

  instancePath(app: string, id?: string): string {
    const base = join(this.servicesRoot, segment("application", app));
    return id === undefined ? base : join(base, segment("instance", id));
  }

  mappingPath(iface: string): string {
    return join(this.mappingRoot, segment("interface", iface));
  }

  /** Registers an instance (ephemeral) and maps each of `interfaces` to its application. */
  async register(input: DubboInstanceInput, interfaces: readonly string[] = []): Promise<DubboInstance> {
    const id = input.id ?? `${input.address}:${input.port}`;
    const protocol = input.protocol ?? "dubbo";
    const endpoints = JSON.stringify([{ port: input.port, protocol }]);
    const published =
      interfaces.length > 0 ? await this.publishMetadata(input.app, input.port, protocol, interfaces) : {};
    const metadata = { "dubbo.endpoints": endpoints, ...published, ...input.metadata };
    const registrationTimeUTC = Date.now();
    const json = {
      name: input.app,
      id,
      address: input.address,
      port: input.port,
      sslPort: null,
      payload: { "@class": INSTANCE_CLASS, id, name: input.app, metadata },
      registrationTimeUTC,
      serviceType: "DYNAMIC",
      uriSpec: null,
    };
    const path = this.instancePath(input.app, id);
    await ensurePath(this.client, path, "PERSISTENT", false);
    try {
      await this.client.create(path, JSON.stringify(json), { mode: "EPHEMERAL" });
    } catch (error) {
      if (error instanceof NodeExistsError)
        throw new NodeExistsError(path, `instance ${id} of application ${input.app} is already registered`);
      throw error;
    }
    for (const iface of interfaces) await this.map(iface, input.app);
    return { app: input.app, id, address: input.address, port: input.port, metadata, registrationTimeUTC };
  }

  /**
   * Writes the application's MetadataInfo (one service per interface) under its revision, an MD5
   * of what the content is made of (Dubbo's consumers look it up by the revision and do not
   * recompute it), and
   * returns the instance metadata that points to it.
   */
  private async publishMetadata(
    app: string,
    port: number,
    protocol: string,
    interfaces: readonly string[],
  ): Promise<Record<string, string>> {
    const services: Record<string, unknown> = {};
    for (const iface of [...interfaces].sort()) {
      const params = { side: "provider", interface: iface, application: app, dubbo: "2.0.2" };
      services[`${segment("interface", iface)}:${protocol}`] = {
        name: iface,
        params,
        path: iface,
        port,
        protocol,
      };
    }
    // One canonical string in every client, so the same registration has the same revision.
    const canonical = `${app}|${port}|${protocol}|${[...interfaces].sort().join(",")}`;
    const revision = createHash("md5").update(canonical).digest("hex");
    const path = join(join(this.metadataRoot, segment("application", app)), revision);
    await ensurePath(this.client, path, "PERSISTENT", false);
    try {
      await this.client.create(path, JSON.stringify({ app, revision, services }), { mode: "PERSISTENT" });
    } catch (error) {
      if (!(error instanceof NodeExistsError)) throw error; // the same content under the same hash
    }
    return { "dubbo.metadata.revision": revision, "dubbo.metadata.storage-type": "remote" };
  }

  async unregister(app: string, id: string): Promise<void> {
    await this.client.delete(this.instancePath(app, id)).catch((error: unknown) => {
      if (!(error instanceof NoNodeError)) throw error;
    });
  }

  /** Adds `app` to the interface's mapping: compare-and-set on the node's version, as Dubbo does. */
  async map(iface: string, app: string): Promise<void> {
    const path = this.mappingPath(iface);
    segment("application", app);
    for (;;) {
      try {
        const { data, stat } = await this.client.getData(path);
        const apps = splitApps(data);
        if (apps.includes(app)) return;
        await this.client.setData(path, [...apps, app].join(","), stat.version);
        return;
      } catch (error) {
        if (error instanceof BadVersionError) continue; // another writer came first: read again
        if (!(error instanceof NoNodeError)) throw error;
      }
      await ensurePath(this.client, path, "PERSISTENT", false);
      try {
        await this.client.create(path, app, { mode: "PERSISTENT" });
        return;
      } catch (error) {
        if (!(error instanceof NodeExistsError)) throw error;
      }
    }
  }

  /** The applications mapped to an interface; `watch` fires once on the mapping's next change. */
  async applicationsOf(iface: string, watch?: () => void): Promise<string[]> {
    const path = this.mappingPath(iface);
    try {
      return splitApps((await this.client.getData(path, watch ? { watch } : {})).data);
    } catch (error) {
      if (!(error instanceof NoNodeError)) throw error;
      if (watch !== undefined && (await this.client.exists(path, { watch })) !== null)
        return this.applicationsOf(iface, watch);
      return [];
    }
  }

  /** Every instance of an application, sorted by id; `watch` fires once on the next change. */
  async instances(app: string, watch?: () => void): Promise<DubboInstance[]> {
    const base = this.instancePath(app);
    let ids: string[];
    try {
      ids = (await this.client.getChildren(base, watch ? { watch } : {})).children;
    } catch (error) {
      if (!(error instanceof NoNodeError)) throw error;
      if (watch !== undefined && (await this.client.exists(base, { watch })) !== null)
        return this.instances(app, watch);
      return [];
    }
    const reads = await this.client.multiRead(ids.map((id) => readOp.getData(join(base, id))));
    const out: DubboInstance[] = [];
    reads.forEach((r, i) => {
      if (r.type === "getData") out.push(parseDubboInstance(r.data, join(base, ids[i]!)));
    });
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** The instances of every application mapped to an interface. */
  async providersOf(iface: string): Promise<DubboInstance[]> {
    const out: DubboInstance[] = [];
    for (const app of await this.applicationsOf(iface)) out.push(...(await this.instances(app)));
    return out;
  }
}

function splitApps(data: Uint8Array): string[] {
  return Buffer.from(data)
    .toString("utf8")
    .split(",")
    .map((a) => a.trim())
    .filter((a) => a.length > 0);
}

export function parseDubboInstance(data: Uint8Array, path: string): DubboInstance {
  let json: {
    name?: unknown;
    id?: unknown;
    address?: unknown;
    port?: unknown;
    registrationTimeUTC?: unknown;
    payload?: { metadata?: unknown } | null;
  };
  try {
    json = JSON.parse(Buffer.from(data).toString("utf8"));
  } catch (error) {
    throw new PaddockError(-5, path, `Dubbo instance ${path} is not JSON`, { cause: error });
  }
  if (typeof json.name !== "string" || typeof json.address !== "string" || typeof json.port !== "number")
    throw new PaddockError(-5, path, `Dubbo instance ${path} lacks name, address or port`);
  const metadata = json.payload?.metadata;
  return {
    app: json.name,
    id: typeof json.id === "string" ? json.id : `${json.address}:${json.port}`,
    address: json.address,
    port: json.port,
    metadata: typeof metadata === "object" && metadata !== null ? (metadata as Record<string, string>) : {},
    registrationTimeUTC: typeof json.registrationTimeUTC === "number" ? json.registrationTimeUTC : 0,
  };
}
