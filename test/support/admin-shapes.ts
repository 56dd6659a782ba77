import { mntrKeysLeftOut } from "../../server/admin/mntr.js";

/** GET a URL's body, parsed as JSON when asked. */
export async function httpGet(url: string): Promise<string> {
  const response = await fetch(url);
  return response.text();
}

export async function adminJson(port: number, command: string): Promise<Record<string, unknown>> {
  return JSON.parse(await httpGet(`http://127.0.0.1:${port}/commands/${command}`)) as Record<string, unknown>;
}

/** A JSON value with every leaf replaced by its type: same keys and kinds, values normalised. */
export function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 0 ? [] : [shape(value[0])];
  if (value === null) return "null";
  if (typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value as object).sort())
      out[key] = shape((value as Record<string, unknown>)[key]);
    return out;
  }
  return typeof value;
}

const summaryPrefix = /^(avg|min|max|cnt|sum|p50|p95|p99|p999)_/;

/** The family a mntr key belongs to: `avg_fsynctime` → `fsynctime`; plain keys stand for themselves. */
export function mntrFamily(key: string): string {
  return key.replace(summaryPrefix, "");
}

/**
 * ZooKeeper's own mntr keys: with the Prometheus provider on, its mntr also lists the provider's
 * samples (`name{quantile=...}`, `name_count`, `name_sum`, jvm_*, process_*), which are not keys.
 */
export function zookeeperMntrKeys(keys: readonly string[]): string[] {
  const sampled = new Set(keys.filter((k) => k.includes("{")).map((k) => k.slice(0, k.indexOf("{"))));
  return keys.filter(
    (k) =>
      !k.includes("{") &&
      !/^(jvm|process)_/.test(k) &&
      !(/_(count|sum)$/.test(k) && sampled.has(k.replace(/_(count|sum)$/, ""))),
  );
}

/** ZooKeeper's mntr keys that Paddock neither shows nor lists as left out (should be none). */
export function unexplainedKeys(zookeeper: readonly string[], paddock: readonly string[]): string[] {
  const shown = new Set(paddock);
  return zookeeperMntrKeys(zookeeper).filter(
    (k) =>
      !shown.has(k) &&
      mntrKeysLeftOut[k] === undefined &&
      mntrKeysLeftOut[mntrFamily(k)] === undefined &&
      !["command", "error"].includes(k),
  );
}

/** Metric name → TYPE from Prometheus text. */
export function metricTypes(text: string): Map<string, string> {
  const types = new Map<string, string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) types.set(m[1]!, m[2]!);
  return types;
}
