/**
 * Live heap after a forced full GC, the memory figure that counts neither garbage nor what an
 * allocator or collector keeps committed: ZooKeeper's through `jcmd <pid> GC.run` and `jcmd <pid>
 * GC.heap_info`, Paddock's through its `heap` admin command (over the gRPC AdminService on the
 * client port: server/admin/heap-command.ts), which does the same inside the server.
 */
import { execFileSync } from "node:child_process";

/** One server's heap after a full GC, in bytes. */
export interface HeapReading {
  /** The collector's used heap: Java's heap "used", V8's heapUsed. */
  used: number;
  /** Outside the collected heap but live: V8's external memory (Buffers, typed arrays); 0 for a JVM. */
  external: number;
  /** used + external: the figure compared across servers. */
  live: number;
  /** Milliseconds the forced collections took, when the server says. */
  gcMs?: number;
}

const unit: Record<string, number> = { K: 2 ** 10, M: 2 ** 20, G: 2 ** 30 };

/**
 * The used Java heap in a `jcmd <pid> GC.heap_info` answer (JDK 17), in bytes, or null. G1 prints
 * one `garbage-first heap total NK, used NK` line; Serial and Parallel one line per generation
 * (summed); ZGC `ZHeap used NM, ...`; Shenandoah `NK used` under its heading. Metaspace and class
 * space are not heap and are skipped.
 */
export function parseJcmdHeapUsed(text: string): number | null {
  let total = 0;
  let found = false;
  for (const line of text.split("\n")) {
    if (/^\s*(Metaspace|class space)\b/.test(line)) continue;
    const m =
      /\btotal \d+[KMG], used (\d+)([KMG])/.exec(line) ??
      /^\s*ZHeap\s+used (\d+)([KMG])/.exec(line) ??
      /committed, (\d+)([KMG]) used/.exec(line);
    if (m === null) continue;
    total += Number(m[1]) * unit[m[2]!]!;
    found = true;
  }
  return found ? total : null;
}

/** Live Java heap of `pid` after a full GC (jcmd GC.run, then GC.heap_info), or null without jcmd. */
export function javaHeapAfterGc(pid: number): HeapReading | null {
  try {
    execFileSync("jcmd", [String(pid), "GC.run"], { stdio: "ignore", timeout: 60_000 });
    const info = execFileSync("jcmd", [String(pid), "GC.heap_info"], { encoding: "utf8", timeout: 20_000 });
    const used = parseJcmdHeapUsed(info);
    return used === null ? null : { used, external: 0, live: used };
  } catch {
    return null;
  }
}

/** The reading in the JSON of Paddock's `heap` command, or null if it is not one. */
export function parsePaddockHeap(output: string): HeapReading | null {
  try {
    const json = JSON.parse(output) as Record<string, unknown>;
    const used = json.heap_used;
    const external = json.external;
    if (typeof used !== "number" || typeof external !== "number" || json.error !== null) return null;
    return {
      used,
      external,
      live: used + external,
      ...(typeof json.gc_ms === "number" ? { gcMs: json.gc_ms } : {}),
    };
  } catch {
    return null;
  }
}

/** Runs Paddock's `heap` command on the member at `address` (host:port) over the gRPC AdminService. */
export async function paddockHeapAfterGc(address: string): Promise<HeapReading | null> {
  const [{ AdminServiceClient }, { grpc }] = await Promise.all([
    import("../clients/ts/gen/paddock/v1/admin.js"),
    import("./targets/root-grpc.js"),
  ]);
  const client = new AdminServiceClient(address, grpc.credentials.createInsecure());
  try {
    const output = await new Promise<string | undefined>((done) =>
      client.command({ command: "heap" }, new grpc.Metadata(), { deadline: Date.now() + 60_000 }, (e, res) =>
        done(e || res === undefined ? undefined : res.output),
      ),
    );
    return output === undefined ? null : parsePaddockHeap(output);
  } finally {
    client.close();
  }
}

/**
 * Each server's heap after a full GC, summed (every member of an ensemble holds every znode), or
 * null when a target has no such reading (etcd) or any one member does not answer. Paddock's
 * members are the connect string's addresses; ZooKeeper's are its JVMs' pids.
 */
export async function heapAfterGc(
  target: string,
  address: string,
  pids: readonly number[],
): Promise<HeapReading | null> {
  let readings: (HeapReading | null)[];
  if (target === "zookeeper") readings = pids.map(javaHeapAfterGc);
  else if (target === "paddock") readings = await Promise.all(address.split(",").map(paddockHeapAfterGc));
  else return null;
  if (readings.length === 0 || readings.some((r) => r === null)) return null;
  const sum = (f: (r: HeapReading) => number) => readings.reduce((s, r) => s + f(r!), 0);
  const gcMs = readings.every((r) => r!.gcMs !== undefined) ? sum((r) => r.gcMs!) : undefined;
  return {
    used: sum((r) => r.used),
    external: sum((r) => r.external),
    live: sum((r) => r.live),
    ...(gcMs === undefined ? {} : { gcMs }),
  };
}
