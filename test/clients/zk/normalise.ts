/**
 * Normalises one scenario's transcript (runner lines, see README.md) so that two servers can be
 * compared. It replaces only what a server may choose freely:
 * - zxids (czxid, mzxid, pzxid): by rank among the transcript's non-zero zxids, so equality and
 *   order survive ("zxid#1" < "zxid#2"; a multi's ops sharing one zxid still share one rank);
 * - times (ctime, mtime): non-zero values become "<time>";
 * - session ids: the ids a runner printed at connect become "session#N" in connect order, and an
 *   ephemeralOwner equal to one of them becomes that label (any other owner stays as it is);
 * - children and getEphemerals lists are sorted: ZooKeeper promises no order for them.
 * Nothing else is touched: line order, event order and error names are compared as printed.
 * Session passwords are never printed by the runners.
 */
export type Line = Record<string, unknown>;

const zxidKeys = new Set(["czxid", "mzxid", "pzxid"]);
const timeKeys = new Set(["ctime", "mtime"]);
const unorderedKeys = new Set(["children", "ephemerals"]);

function walk(value: unknown, visit: (key: string, v: unknown) => unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => walk(v, visit));
  if (value !== null && typeof value === "object") {
    const out: Line = {};
    for (const [k, v] of Object.entries(value)) out[k] = visit(k, walk(v, visit));
    return out;
  }
  return value;
}

function sessionIds(lines: readonly Line[]): Map<string, string> {
  const labels = new Map<string, string>();
  for (const line of lines) {
    const ok = line.ok as Line | undefined;
    if (line.op === "connect" && ok && typeof ok.session === "string" && !labels.has(ok.session))
      labels.set(ok.session, `session#${labels.size + 1}`);
  }
  return labels;
}

function zxidRanks(lines: readonly Line[]): Map<string, string> {
  const seen = new Set<string>();
  walk(lines, (k, v) => {
    if (zxidKeys.has(k) && typeof v === "string" && v !== "0") seen.add(v);
    return v;
  });
  const sorted = [...seen].sort((a, b) => {
    const d = BigInt(a) - BigInt(b);
    return d < 0n ? -1 : d > 0n ? 1 : 0;
  });
  return new Map(sorted.map((z, i) => [z, `zxid#${i + 1}`]));
}

export function normalise(lines: readonly Line[]): Line[] {
  const sessions = sessionIds(lines);
  const zxids = zxidRanks(lines);
  return walk(lines, (k, v) => {
    if (zxidKeys.has(k) && typeof v === "string") return zxids.get(v) ?? v;
    if (timeKeys.has(k) && typeof v === "number") return v === 0 ? 0 : "<time>";
    if ((k === "ephemeralOwner" || k === "session") && typeof v === "string") return sessions.get(v) ?? v;
    if (unorderedKeys.has(k) && Array.isArray(v)) return [...v].sort();
    return v;
  }) as Line[];
}

/** Splits a runner's stdout into scenario name → normalised lines (a `{"scenario"}` line opens each). */
export function transcripts(stdout: string): Map<string, Line[]> {
  const raw = new Map<string, Line[]>();
  let current: Line[] | undefined;
  for (const text of stdout.split("\n")) {
    if (text.trim() === "") continue;
    const line = JSON.parse(text) as Line;
    if (typeof line.scenario === "string") {
      current = [line];
      raw.set(line.scenario, current);
    } else if (current) current.push(line);
    else throw new Error(`line before any scenario: ${text}`);
  }
  return new Map([...raw].map(([name, lines]) => [name, normalise(lines)]));
}
