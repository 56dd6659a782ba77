/** CPU time and resident memory of a process, read from /proc (Linux only). */
import { readFileSync } from "node:fs";

const clockTicksPerSecond = 100; // USER_HZ is 100 on every Linux that matters here

/** utime + stime of `pid` in seconds, or null if the process is gone or /proc is missing. */
export function processCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may contain spaces and parentheses: split after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return (utime + stime) / clockTicksPerSecond;
  } catch {
    return null;
  }
}

/** VmRSS of `pid` in bytes, or null. */
export function processRssBytes(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/**
 * Sums a per-process figure over a deployment's processes (the members of an ensemble): null when
 * there are none or any one is gone, so a partial sum never passes for the whole.
 */
function sumOver(pids: readonly number[], read: (pid: number) => number | null): number | null {
  if (pids.length === 0) return null;
  let total = 0;
  for (const pid of pids) {
    const v = read(pid);
    if (v === null) return null;
    total += v;
  }
  return total;
}

/** utime + stime summed over `pids`, in seconds, or null (see sumOver). */
export function totalCpuSeconds(pids: readonly number[]): number | null {
  return sumOver(pids, processCpuSeconds);
}

/** VmRSS summed over `pids`, in bytes, or null. */
export function totalRssBytes(pids: readonly number[]): number | null {
  return sumOver(pids, processRssBytes);
}

/** CPU seconds used between two readings, null if either is missing. */
export function cpuDelta(before: number | null, after: number | null): number | null {
  return before === null || after === null ? null : Math.max(0, after - before);
}
