import type { SnapshotNodeRecord } from "../util/snapshot-node-record.js";
import { dataField, showData } from "./data-text.js";
import { hex } from "./dump.js";
import { type FileLayer, nodeFiles } from "./file-layer.js";
import { type LoadedSnapshot, readSnapshot } from "./snapshot.js";

export interface InspectOptions {
  /** Every node: path, stat summary and a data preview. */
  readonly tree?: boolean;
  /** Data previews always as hex. */
  readonly hex?: boolean;
  /** The digest recomputed from the nodes (the tree computes it; persistence only reads files). */
  readonly computedDigest?: bigint;
}

/** Bytes of data a tree line shows: enough to recognise a value, short enough for one line. */
export const PREVIEW_BYTES = 48;

function nodeFields(node: SnapshotNodeRecord, children: number, options: InspectOptions) {
  const shown = node.dataNull ? undefined : showData(node.data, { hex: options.hex, limit: PREVIEW_BYTES });
  return {
    path: node.path,
    czxid: hex(node.czxid),
    mzxid: hex(node.mzxid),
    pzxid: hex(node.pzxid),
    ctime: new Date(Number(node.ctime)).toISOString(),
    mtime: new Date(Number(node.mtime)).toISOString(),
    version: node.version,
    cversion: node.cversion,
    aversion: node.aversion,
    ephemeralOwner: hex(node.ephemeralOwner),
    dataLength: node.data.length,
    numChildren: children,
    data: shown === undefined ? null : shown.value,
    encoding: shown?.encoding ?? null,
    dataOmitted: shown?.omitted ?? 0,
  };
}

function childCounts(nodes: readonly SnapshotNodeRecord[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { path } of nodes) {
    if (path === "/") continue;
    const parent = path.slice(0, Math.max(1, path.lastIndexOf("/")));
    counts.set(parent, (counts.get(parent) ?? 0) + 1);
  }
  return counts;
}

const byPath = (a: SnapshotNodeRecord, b: SnapshotNodeRecord): number =>
  a.path < b.path ? -1 : a.path > b.path ? 1 : 0;

/** Everything `snapshot inspect --json` prints: header, digest, sessions, and the nodes with --tree. */
export function snapshotReport(snap: LoadedSnapshot, options: InspectOptions = {}) {
  const h = snap.header;
  const counts = childCounts(snap.nodes);
  return {
    file: snap.file,
    formatVersion: h.formatVersion,
    zxid: hex(h.zxid),
    nodeCount: snap.nodes.length,
    headerNodeCount: Number(h.nodeCount),
    acls: snap.acls.length,
    digest: hex(h.digest),
    computedDigest: options.computedDigest === undefined ? null : hex(options.computedDigest),
    digestMatches: options.computedDigest === undefined ? null : options.computedDigest === h.digest,
    sessions: snap.sessions.map((s) => ({ id: hex(s.sessionId), timeoutMs: s.timeoutMs })),
    ...(options.tree
      ? { nodes: [...snap.nodes].sort(byPath).map((n) => nodeFields(n, counts.get(n.path) ?? 0, options)) }
      : {}),
  };
}

/** The report as lines: the header block, then with --tree one line per node in path order. */
export function snapshotLines(snap: LoadedSnapshot, options: InspectOptions = {}): string[] {
  const r = snapshotReport(snap, options);
  const digest =
    r.computedDigest === null
      ? `digest ${r.digest}`
      : `digest ${r.digest} (recomputed from the nodes: ${r.digestMatches ? "matches" : `MISMATCH, ${r.computedDigest}`})`;
  const lines = [
    `snapshot ${r.file}`,
    `format version ${r.formatVersion}`,
    `zxid ${r.zxid}`,
    `nodes ${r.nodeCount} (header: ${r.headerNodeCount})`,
    `acls ${r.acls}`,
    digest,
    `sessions ${r.sessions.length}`,
    ...r.sessions.map((s) => `  session ${s.id} timeout ${s.timeoutMs} ms`),
  ];
  if (r.nodes !== undefined) {
    lines.push(`tree (${r.nodes.length} nodes; data previews up to ${PREVIEW_BYTES} bytes)`);
    for (const n of r.nodes) {
      const data =
        n.data === null
          ? "null"
          : dataField({ encoding: n.encoding ?? "hex", value: n.data, omitted: n.dataOmitted });
      lines.push(
        `  ${n.path} version=${n.version} cversion=${n.cversion} aversion=${n.aversion} ` +
          `owner=${n.ephemeralOwner} children=${n.numChildren} mzxid=${n.mzxid} length=${n.dataLength} data=${data}`,
      );
    }
  }
  return lines;
}

/** `paddock snapshot inspect <file>`: zxid, counts, digest and the sessions (and the tree). */
export async function inspectSnapshot(
  file: string,
  files: FileLayer = nodeFiles,
  options: InspectOptions = {},
): Promise<string> {
  return snapshotLines(await readSnapshot(file, files), options).join("\n");
}
