import { getHeapSpaceStatistics, getHeapStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/**
 * The `heap` admin command, Paddock's own (ZooKeeper has none; its operators run `jcmd <pid>
 * GC.run` and `jcmd <pid> GC.heap_info`): a full garbage collection, then what is live. Znode data
 * up to 1 KiB is a string on V8's heap; larger data, the stat slab and every Buffer are outside it
 * (`external`, of which `array_buffers`), so `live` counts both.
 */
export type HeapFigures = {
  /** Milliseconds the forced collections took (the server answers nothing meanwhile). */
  gc_ms: number;
  /** V8's used heap after the collections (process.memoryUsage().heapUsed). */
  heap_used: number;
  /** V8's heap as committed (heapTotal): used plus free space V8 keeps. */
  heap_total: number;
  heap_limit: number;
  /** Memory outside V8's heap that V8 accounts for: ArrayBuffers (every Buffer) and native objects. */
  external: number;
  /** The part of `external` that is ArrayBuffer backing stores. */
  array_buffers: number;
  /** heap_used + external: the figure to set beside a JVM's used heap after a full GC. */
  live: number;
  /** Resident set size right after the collections. */
  rss: number;
  /** Memory V8 itself has malloc'd (its own tables, not the heap). */
  malloced: number;
  /** Used and committed bytes per V8 heap space. */
  spaces: Record<string, { used: number; size: number }>;
};

type Gc = () => void;

let gc: Gc | undefined;

/**
 * V8's gc(): the global one when the process runs with --expose-gc, else one taken from a fresh
 * context created while the flag is briefly on (the flag only decides whether new contexts get it).
 */
function fullGc(): Gc {
  if (gc !== undefined) return gc;
  const global = (globalThis as { gc?: Gc }).gc;
  if (typeof global === "function") {
    gc = global;
    return gc;
  }
  setFlagsFromString("--expose-gc");
  try {
    gc = runInNewContext("gc") as Gc;
  } finally {
    setFlagsFromString("--no-expose-gc");
  }
  return gc;
}

/** One full, stop-the-world collection now; the milliseconds it took. */
export function collectGarbage(): number {
  const collect = fullGc();
  const t0 = performance.now();
  collect();
  return performance.now() - t0;
}

/** Forces full collections (two: the second takes what the first's finalizers released) and measures. */
export function heapAfterGc(): HeapFigures {
  const gcMs = collectGarbage() + collectGarbage();
  const usage = process.memoryUsage();
  const stats = getHeapStatistics();
  const spaces: HeapFigures["spaces"] = {};
  for (const s of getHeapSpaceStatistics())
    spaces[s.space_name] = { used: s.space_used_size, size: s.space_size };
  return {
    gc_ms: Math.round(gcMs * 1000) / 1000,
    heap_used: usage.heapUsed,
    heap_total: usage.heapTotal,
    heap_limit: stats.heap_size_limit,
    external: usage.external,
    array_buffers: usage.arrayBuffers,
    live: usage.heapUsed + usage.external,
    rss: usage.rss,
    malloced: stats.malloced_memory,
    spaces,
  };
}
