/**
 * Dubbo's ZooKeeper registry layout (interface level): a URL is registered as
 * `<root>/<encoded interface>/<category>/<encoded URL>` with category providers, consumers,
 * configurators or routers; providers and consumers are ephemeral (dynamic), the others
 * persistent. The encoding is Java's URLEncoder (UTF-8), which Dubbo uses, so Dubbo consumers
 * find a Node provider registered here and a Node consumer sees Dubbo providers.
 */
import type { Client } from "../client.js";
import { NodeExistsError, NoNodeError } from "../errors.js";
import { ensurePath, join } from "./nodes.js";

export type DubboCategory = "providers" | "consumers" | "configurators" | "routers";

/** java.net.URLEncoder.encode(s, "UTF-8"): letters, digits and `.-*_` stay, space is `+`. */
export function javaUrlEncode(text: string): string {
  let out = "";
  for (const byte of Buffer.from(text, "utf8")) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9.\-*_]/.test(c)) out += c;
    else if (byte === 0x20) out += "+";
    else out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

export function javaUrlDecode(text: string): string {
  return decodeURIComponent(text.replace(/\+/g, " "));
}

/** The interface (path) and category of a Dubbo URL, as Dubbo's ZookeeperRegistry derives them. */
export function dubboPlace(url: string): { service: string; category: DubboCategory } {
  const parsed = new URL(url);
  const service = parsed.searchParams.get("interface") ?? parsed.pathname.replace(/^\//, "");
  if (service.length === 0) throw new RangeError(`Dubbo URL ${url} names no interface`);
  const given = parsed.searchParams.get("category");
  const category: DubboCategory =
    given === "consumers" || given === "configurators" || given === "routers" || given === "providers"
      ? given
      : parsed.protocol === "consumer:"
        ? "consumers"
        : "providers";
  return { service, category };
}

export class DubboRegistry {
  constructor(
    readonly client: Client,
    readonly root = "/dubbo",
  ) {}

  pathOf(url: string): string {
    const { service, category } = dubboPlace(url);
    return join(join(join(this.root, javaUrlEncode(service)), category), javaUrlEncode(url));
  }

  /** Registers a URL: ephemeral unless it says `dynamic=false` (Dubbo's rule). */
  async register(url: string): Promise<string> {
    const path = this.pathOf(url);
    const dynamic = new URL(url).searchParams.get("dynamic") !== "false";
    await ensurePath(this.client, path, "PERSISTENT", false);
    try {
      await this.client.create(path, undefined, { mode: dynamic ? "EPHEMERAL" : "PERSISTENT" });
    } catch (error) {
      if (!(error instanceof NodeExistsError)) throw error;
    }
    return path;
  }

  async unregister(url: string): Promise<void> {
    await this.client.delete(this.pathOf(url)).catch((error: unknown) => {
      if (!(error instanceof NoNodeError)) throw error;
    });
  }

  /** The decoded URLs of one interface's category; `watch` fires once on the next change. */
  async lookup(
    service: string,
    category: DubboCategory = "providers",
    watch?: () => void,
  ): Promise<string[]> {
    const path = join(join(this.root, javaUrlEncode(service)), category);
    try {
      const { children } = await this.client.getChildren(path, watch ? { watch } : {});
      return children.map(javaUrlDecode).sort();
    } catch (error) {
      if (!(error instanceof NoNodeError)) throw error;
      if (watch !== undefined && (await this.client.exists(path, { watch })) !== null)
        return this.lookup(service, category, watch);
      return [];
    }
  }
}
