import { join } from "node:path";
import {
  SnapshotAcl,
  SnapshotHeader,
  type SnapshotNode,
  SnapshotSession,
} from "../gen/paddock/internal/v1/snapshot.js";
import { assert } from "../util/assert.js";
import type { SnapshotNodeRecord } from "../util/snapshot-node-record.js";
import { zxidFromWire, zxidToWire } from "../util/zxid.js";
import { crc32c } from "./crc32c.js";
import { type FileLayer, nodeFiles, writeFully } from "./file-layer.js";
import { FormatTooNewError } from "./format-version.js";
import { readU64, writeU64 } from "./log-format.js";
import { type SnapshotNodeFields, snapshotNodeSize, writeSnapshotNode } from "./snapshot-node-codec.js";
import { decodeSnapshotNode } from "./snapshot-node-decode.js";
import { StorageCorruptionError } from "./storage-error.js";

export type { SnapshotAcl, SnapshotHeader, SnapshotNode, SnapshotSession };

/**
 * Snapshot file `snapshot.<hex zxid>`:
 *   file header (16 bytes): magic "PDKS", format version u32 LE, 8 reserved zero bytes
 *   frames: [payload length u32 LE][crc32c u32 LE][kind u32 LE][payload], CRC over kind + payload
 *   order: HEADER, ACL*, NODE* (parents before children), SESSION*, END (three u64 counts)
 * The END frame proves the file is complete; nothing may follow it.
 */
export const SNAPSHOT_MAGIC = 0x534b4450; // "PDKS" read as u32 LE
export const SNAPSHOT_FORMAT_VERSION = 1;
const FILE_HEADER_BYTES = 16;
const FRAME_HEADER_BYTES = 12;
/** Encode this much, write it, then yield to the event loop. */
const CHUNK_BYTES = 256 * 1024;
/** ... or this many records, whichever comes first. */
const CHUNK_RECORDS = 4096;
const FRAME_BYTES_MAX = 64 * 1024 * 1024;
/**
 * Written bytes are made durable every this many, not all at the end: one fsync of a large
 * snapshot's whole file kept the disk busy long enough to hold the log's group commits behind it
 * (a 76 ms fsync under load at 1M znodes).
 */
const SYNC_EVERY_BYTES = 8 * 1024 * 1024;

enum Kind {
  Header = 1,
  Acl = 2,
  Node = 3,
  Session = 4,
  End = 5,
}

const PREFIX = "snapshot.";
const TEMP_SUFFIX = ".tmp";

export function snapshotName(zxid: number): string {
  return PREFIX + zxid.toString(16);
}

/** The zxid of a snapshot file name; undefined for other names (including temp files). */
export function parseSnapshotName(name: string): number | undefined {
  if (!name.startsWith(PREFIX)) return undefined;
  const hex = name.slice(PREFIX.length);
  if (!/^[0-9a-f]{1,14}$/.test(hex)) return undefined;
  return Number.parseInt(hex, 16);
}

/** Snapshots in `dataDir`, newest first. */
export function listSnapshots(
  dataDir: string,
  files: FileLayer = nodeFiles,
): { file: string; zxid: number }[] {
  const out: { file: string; zxid: number }[] = [];
  for (const name of files.readdir(dataDir)) {
    const zxid = parseSnapshotName(name);
    if (zxid !== undefined) out.push({ file: join(dataDir, name), zxid });
  }
  return out.sort((a, b) => b.zxid - a.zxid);
}

/** Temp files left by snapshots that never completed: `snapshot.<hex>.tmp`. */
export function listSnapshotTemps(
  dataDir: string,
  files: FileLayer = nodeFiles,
): { file: string; zxid: number }[] {
  const out: { file: string; zxid: number }[] = [];
  for (const name of files.readdir(dataDir)) {
    if (!name.endsWith(TEMP_SUFFIX)) continue;
    const zxid = parseSnapshotName(name.slice(0, -TEMP_SUFFIX.length));
    if (zxid !== undefined) out.push({ file: join(dataDir, name), zxid });
  }
  return out;
}

export interface SnapshotInput {
  /** Last zxid applied before the snapshot started (fuzzy: replay from zxid+1 is idempotent). */
  zxid: number;
  digest: bigint;
  acls: Iterable<SnapshotAcl>;
  /** Parents before children. May be a live, lazy walk of the tree. */
  nodes: Iterable<SnapshotNodeFields>;
  sessions: Iterable<SnapshotSession>;
  /** Node count when the snapshot started (the header's; the END frame has the written count). */
  nodeCount: number;
}

export interface LoadedSnapshot {
  header: SnapshotHeader;
  acls: SnapshotAcl[];
  /** The tree's restore shape (numbers for zxids and times), decoded without the generated code. */
  nodes: SnapshotNodeRecord[];
  sessions: SnapshotSession[];
  file: string;
}

const yieldTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Frames accumulated in a chunk buffer and written with plain writes (page cache). */
class ChunkWriter {
  private buf = Buffer.allocUnsafe(CHUNK_BYTES * 2);
  private used = 0;
  private records = 0;
  private position = 0;
  constructor(private readonly sink: (bytes: Uint8Array, position: number) => void) {}

  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.used);
    this.used += bytes.length;
  }

  frame(kind: Kind, payload: Uint8Array): void {
    this.ensure(FRAME_HEADER_BYTES + payload.length);
    const at = this.used;
    const view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    view.setUint32(at, payload.length, true);
    view.setUint32(at + 8, kind, true);
    this.buf.set(payload, at + FRAME_HEADER_BYTES);
    view.setUint32(at + 4, crc32c(this.buf, 0, at + 8, at + FRAME_HEADER_BYTES + payload.length), true);
    this.used += FRAME_HEADER_BYTES + payload.length;
    this.records++;
  }

  /** One item of snapshotFrames: the raw file header, a node, or an encoded frame. */
  put([kind, payload]: [Kind | 0, Uint8Array] | [Kind.Node, SnapshotNodeFields]): void {
    if (kind === 0) this.raw(payload as Uint8Array);
    else if (payload instanceof Uint8Array) this.frame(kind, payload);
    else this.node(payload);
  }

  /** A NODE frame, its payload encoded in place (the snapshot's hot path). */
  node(n: SnapshotNodeFields): void {
    const pathBytes = Buffer.byteLength(n.path, "utf8");
    const size = snapshotNodeSize(n, pathBytes);
    this.ensure(FRAME_HEADER_BYTES + size);
    const at = this.used;
    const end = writeSnapshotNode(this.buf, at + FRAME_HEADER_BYTES, n, pathBytes);
    assert(end === at + FRAME_HEADER_BYTES + size, "snapshot node size mismatch");
    this.buf.writeUInt32LE(size, at);
    this.buf.writeUInt32LE(Kind.Node, at + 8);
    this.buf.writeUInt32LE(crc32c(this.buf, 0, at + 8, end), at + 4);
    this.used = end;
    this.records++;
  }

  /** True when a chunk is full: the caller writes it and yields. */
  get full(): boolean {
    return this.used >= CHUNK_BYTES || this.records >= CHUNK_RECORDS;
  }

  /** Writes the chunk; returns its size. */
  flush(): number {
    const size = this.used;
    this.sink(this.buf.subarray(0, size), this.position);
    this.position += size;
    this.used = 0;
    this.records = 0;
    return size;
  }

  /** Everything not flushed yet (all of it, for an in-memory encoding). */
  get pending(): Uint8Array {
    return this.buf.subarray(0, this.used);
  }

  private ensure(bytes: number): void {
    if (this.used + bytes <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.used + bytes));
    grown.set(this.buf.subarray(0, this.used));
    this.buf = grown;
  }
}

/** The file header, then every frame in file order; kind 0 marks the raw file header. */
function* snapshotFrames(
  input: SnapshotInput,
  sessions: SnapshotSession[],
): Generator<[Kind | 0, Uint8Array] | [Kind.Node, SnapshotNodeFields]> {
  const fileHeader = new Uint8Array(FILE_HEADER_BYTES);
  new DataView(fileHeader.buffer).setUint32(0, SNAPSHOT_MAGIC, true);
  new DataView(fileHeader.buffer).setUint32(4, SNAPSHOT_FORMAT_VERSION, true);
  yield [0, fileHeader];
  const header: SnapshotHeader = {
    formatVersion: SNAPSHOT_FORMAT_VERSION,
    zxid: zxidToWire(input.zxid),
    nodeCount: BigInt(input.nodeCount),
    digest: input.digest,
    sessionCount: BigInt(sessions.length),
  };
  yield [Kind.Header, SnapshotHeader.encode(header).finish()];
  const counts = [0, 0, 0];
  for (const acl of input.acls) {
    counts[0]!++;
    yield [Kind.Acl, SnapshotAcl.encode(acl).finish()];
  }
  for (const node of input.nodes) {
    counts[1]!++;
    yield [Kind.Node, node];
  }
  for (const session of sessions) {
    counts[2]!++;
    yield [Kind.Session, SnapshotSession.encode(session).finish()];
  }
  const end = new Uint8Array(24);
  const endView = new DataView(end.buffer);
  for (let i = 0; i < 3; i++) writeU64(endView, i * 8, counts[i]!);
  yield [Kind.End, end];
}

/**
 * A snapshot in memory, synchronously, in the file format: the leader's applied state for a
 * learner's SNAP. The caller copies the input at one zxid first (the tree keeps changing).
 */
export function encodeSnapshot(input: SnapshotInput): Uint8Array {
  const out = new ChunkWriter(() => assert(false, "an in-memory snapshot is never flushed"));
  for (const item of snapshotFrames(input, [...input.sessions])) out.put(item);
  return out.pending;
}

/**
 * encodeSnapshot without holding the event loop (a leader's SNAP of a large tree): a chunk at a
 * time, a turn between chunks; with a cursor as its nodes, writes go on meanwhile.
 */
export async function encodeSnapshotAsync(input: SnapshotInput): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  // A copy of each chunk: the writer reuses its buffer.
  const out = new ChunkWriter((bytes) => chunks.push(Uint8Array.from(bytes)));
  for (const item of snapshotFrames(input, [...input.sessions])) {
    out.put(item);
    if (out.full) {
      out.flush();
      await yieldTurn();
    }
  }
  out.flush();
  return Buffer.concat(chunks);
}

/**
 * A learner's SNAP: checks the leader's bytes (a damaged transfer throws and writes nothing),
 * then writes them durably as snapshot.<hex zxid> (temp file, fsync, rename, directory fsync).
 */
export async function installSnapshotBytes(
  dataDir: string,
  zxid: number,
  bytes: Uint8Array,
  files: FileLayer = nodeFiles,
): Promise<{ file: string; snapshot: LoadedSnapshot }> {
  files.mkdir(dataDir);
  const final = join(dataDir, snapshotName(zxid));
  const snapshot = parseSnapshot(final, bytes);
  if (zxidFromWire(snapshot.header.zxid) !== zxid) {
    throw new StorageCorruptionError(
      final,
      0,
      `SNAP for ${zxid.toString(16)} holds the state at ${snapshot.header.zxid.toString(16)}`,
    );
  }
  const temp = final + TEMP_SUFFIX;
  const fd = files.open(temp, "w");
  try {
    writeFully(files, fd, bytes, 0, bytes.length, 0);
    await files.fsyncAsync(fd);
  } finally {
    files.close(fd);
  }
  files.rename(temp, final);
  files.fsyncDir(dataDir);
  return { file: final, snapshot };
}

/**
 * Writes a snapshot to a temp file, fsyncs it, renames it to snapshot.<hex zxid> and fsyncs the
 * directory. Encodes in chunks and yields between them so appends keep flowing while the tree is
 * walked. Returns the final path.
 */
export async function writeSnapshot(
  dataDir: string,
  input: SnapshotInput,
  files: FileLayer = nodeFiles,
): Promise<string> {
  files.mkdir(dataDir);
  const final = join(dataDir, snapshotName(input.zxid));
  const temp = final + TEMP_SUFFIX;
  const sessions = [...input.sessions];
  const fd = files.open(temp, "w");
  let closed = false;
  try {
    const out = new ChunkWriter((bytes, position) => writeFully(files, fd, bytes, 0, bytes.length, position));
    let unsynced = 0;
    for (const item of snapshotFrames(input, sessions)) {
      out.put(item);
      if (out.full) {
        unsynced += out.flush();
        if (unsynced < SYNC_EVERY_BYTES) await yieldTurn();
        else {
          unsynced = 0;
          await files.fsyncAsync(fd);
        }
      }
    }
    out.flush();
    await files.fsyncAsync(fd);
    closed = true;
    files.close(fd);
    files.rename(temp, final);
    files.fsyncDir(dataDir);
    return final;
  } catch (e) {
    if (!closed) {
      try {
        files.close(fd);
      } catch {
        // already failing; the first error is the one to report
      }
    }
    try {
      files.unlink(temp);
    } catch {
      // a leftover temp file is ignored by readers and removed by purge
    }
    throw e;
  }
}

/**
 * A newer version in the file header, yet the file reads whole as today's format (every record's
 * CRC, and the checked header record's own formatVersion): the version field is damaged, not new.
 */
function readsAsCurrent(file: string, bytes: Uint8Array): boolean {
  const copy = Uint8Array.from(bytes);
  new DataView(copy.buffer).setUint32(4, SNAPSHOT_FORMAT_VERSION, true);
  try {
    parseSnapshot(file, copy);
    return true;
  } catch {
    return false;
  }
}

/** Reads and checks a snapshot. Any damage is a StorageCorruptionError naming file and offset. */
export async function readSnapshot(file: string, files: FileLayer = nodeFiles): Promise<LoadedSnapshot> {
  return parseSnapshot(file, files.readFile(file));
}

export function parseSnapshot(file: string, bytes: Uint8Array): LoadedSnapshot {
  const fail = (offset: number, reason: string): never => {
    throw new StorageCorruptionError(file, offset, reason);
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < FILE_HEADER_BYTES) fail(0, "file shorter than its header");
  if (view.getUint32(0, true) !== SNAPSHOT_MAGIC) fail(0, "not a snapshot (bad magic)");
  const version = view.getUint32(4, true);
  if (version > SNAPSHOT_FORMAT_VERSION && !readsAsCurrent(file, bytes))
    throw new FormatTooNewError(file, "snapshot", version, SNAPSHOT_FORMAT_VERSION);
  if (version !== SNAPSHOT_FORMAT_VERSION) fail(4, `unknown snapshot format version ${version}`);
  if (view.getUint32(8, true) !== 0 || view.getUint32(12, true) !== 0)
    fail(8, "reserved header bytes not zero");
  let header: SnapshotHeader | undefined;
  const acls: SnapshotAcl[] = [];
  const nodes: SnapshotNodeRecord[] = [];
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const sessions: SnapshotSession[] = [];
  let lastKind = 0;
  let at = FILE_HEADER_BYTES;
  for (;;) {
    if (at + FRAME_HEADER_BYTES > bytes.length) fail(at, "file ends before the END record (incomplete)");
    const length = view.getUint32(at, true);
    const end = at + FRAME_HEADER_BYTES + length;
    if (length > FRAME_BYTES_MAX || end > bytes.length) fail(at, `record length ${length} runs past the end`);
    if (crc32c(bytes, 0, at + 8, end) !== view.getUint32(at + 4, true)) fail(at, "CRC mismatch");
    const kind = view.getUint32(at + 8, true);
    if (
      kind < lastKind ||
      kind < Kind.Header ||
      kind > Kind.End ||
      (kind === Kind.Header) !== (lastKind === 0)
    ) {
      fail(at, `record kind ${kind} out of order after ${lastKind}`);
    }
    lastKind = kind;
    const payload = bytes.subarray(at + FRAME_HEADER_BYTES, end);
    try {
      if (kind === Kind.Header) header = SnapshotHeader.decode(payload);
      else if (kind === Kind.Acl) acls.push(SnapshotAcl.decode(payload));
      else if (kind === Kind.Node) nodes.push(decodeSnapshotNode(buf, at + FRAME_HEADER_BYTES, end));
      else if (kind === Kind.Session) sessions.push(SnapshotSession.decode(payload));
    } catch (e) {
      fail(at, `undecodable record: ${(e as Error).message}`);
    }
    if (kind === Kind.End) {
      if (length !== 24) fail(at, "END record has the wrong length");
      const written = [readU64(view, at + 12), readU64(view, at + 20), readU64(view, at + 28)];
      const found = [acls.length, nodes.length, sessions.length];
      if (written.some((n, i) => n !== found[i])) {
        fail(at, `END counts ${written.join("/")} but found ${found.join("/")} acls/nodes/sessions`);
      }
      if (end !== bytes.length) fail(end, "bytes after the END record");
      break;
    }
    at = end;
  }
  assert(header !== undefined, "header frame checked above");
  if (header.formatVersion !== SNAPSHOT_FORMAT_VERSION)
    fail(FILE_HEADER_BYTES, "header format version mismatch");
  if (BigInt(sessions.length) !== header.sessionCount) fail(FILE_HEADER_BYTES, "session count mismatch");
  const base = file.slice(file.lastIndexOf("/") + 1);
  const named = parseSnapshotName(base);
  if (named !== undefined && named !== zxidFromWire(header.zxid)) {
    fail(FILE_HEADER_BYTES, `header zxid 0x${header.zxid.toString(16)} does not match the file name`);
  }
  return { header, acls, nodes, sessions, file };
}
