import { describe, expect, it } from "vitest";
import {
  SnapshotAcl,
  SnapshotHeader,
  SnapshotNode,
  SnapshotSession,
} from "../../../server/gen/paddock/internal/v1/snapshot.js";
import { crc32c } from "../../../server/persistence/crc32c.js";
import { FormatTooNewError } from "../../../server/persistence/format-version.js";
import { encodeSnapshot, parseSnapshot } from "../../../server/persistence/snapshot.js";
import { decodeSnapshotNode } from "../../../server/persistence/snapshot-node-decode.js";
import { StorageCorruptionError } from "../../../server/persistence/storage-error.js";

// Each way parseSnapshot refuses a file, with the exact offset and reason: a restart must never
// load a snapshot that is not exactly what was written. Files are built frame by frame here, with
// valid CRCs, so each check is reached on its own.

const FILE = "/d/snapshot.5";
const HEADER = 1;
const ACL = 2;
const NODE = 3;
const SESSION = 4;
const END = 5;

function fileHeader(version = 1, reserved: [number, number] = [0, 0]): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setUint32(0, 0x534b4450, true);
  v.setUint32(4, version, true);
  v.setUint32(8, reserved[0], true);
  v.setUint32(12, reserved[1], true);
  return b;
}

function frame(kind: number, payload: Uint8Array): Uint8Array {
  const b = new Uint8Array(12 + payload.length);
  const v = new DataView(b.buffer);
  v.setUint32(0, payload.length, true);
  v.setUint32(8, kind, true);
  b.set(payload, 12);
  v.setUint32(4, crc32c(b, 0, 8, b.length), true);
  return b;
}

function endPayload(acls: number, nodes: number, sessions: number): Uint8Array {
  const b = new Uint8Array(24);
  const v = new DataView(b.buffer);
  for (const [i, n] of [acls, nodes, sessions].entries()) v.setBigUint64(i * 8, BigInt(n), true);
  return b;
}

const header = (over: Partial<SnapshotHeader> = {}): Uint8Array =>
  SnapshotHeader.encode({
    formatVersion: 1,
    zxid: 5n,
    nodeCount: 1n,
    digest: 9n,
    sessionCount: 1n,
    ...over,
  }).finish();

const acl = SnapshotAcl.encode({
  ref: 0,
  acl: [{ perms: 31, id: { scheme: "world", id: "anyone" } }],
}).finish();
const node = SnapshotNode.encode({
  path: "/",
  data: Buffer.from("x"),
  aclRef: 0,
  czxid: 0n,
  mzxid: 0n,
  ctime: 0n,
  mtime: 0n,
  version: 0,
  cversion: 0,
  aversion: 0,
  ephemeralOwner: 0n,
  pzxid: 0n,
}).finish();
const session = SnapshotSession.encode({
  sessionId: 7n,
  timeoutMs: 4000,
  password: Buffer.alloc(16, 1),
}).finish();

const concat = (...parts: Uint8Array[]): Uint8Array => Buffer.concat(parts);

/** A complete, valid file: header, one ACL, one node, one session, END. */
function goodParts(): Uint8Array[] {
  return [
    fileHeader(),
    frame(HEADER, header()),
    frame(ACL, acl),
    frame(NODE, node),
    frame(SESSION, session),
    frame(END, endPayload(1, 1, 1)),
  ];
}

function refusal(bytes: Uint8Array, file = FILE): { offset: number; reason: string; message: string } {
  try {
    parseSnapshot(file, bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(StorageCorruptionError);
    const err = e as StorageCorruptionError;
    expect(err.file).toBe(file);
    return { offset: err.offset, reason: err.reason, message: err.message };
  }
  throw new Error("parsed without an error");
}

const decodeError = (decode: (b: Uint8Array) => unknown, bytes: Uint8Array): string => {
  try {
    decode(bytes);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("decoded");
};

describe("parseSnapshot refuses", () => {
  it("reads the valid file built here (the cases below each break one thing)", () => {
    const s = parseSnapshot(FILE, concat(...goodParts()));
    expect(s.header).toEqual({ formatVersion: 1, zxid: 5n, nodeCount: 1n, digest: 9n, sessionCount: 1n });
    expect(s.acls.length).toBe(1);
    expect(s.nodes.map((n) => n.path)).toEqual(["/"]);
    expect(s.sessions.map((x) => x.sessionId)).toEqual([7n]);
    expect(s.file).toBe(FILE);
  });

  it("a file shorter than its header, and one that ends at the file header", () => {
    expect(refusal(fileHeader().subarray(0, 15))).toEqual({
      offset: 0,
      reason: "file shorter than its header",
      message: `${FILE} damaged at offset 0: file shorter than its header`,
    });
    expect(refusal(fileHeader()).reason).toBe("file ends before the END record (incomplete)");
    expect(refusal(fileHeader()).offset).toBe(16);
  });

  it("a bad magic, an unknown older version, reserved bytes set (either word)", () => {
    const bad = concat(...goodParts());
    bad[3] = 0x54;
    expect(refusal(bad)).toMatchObject({ offset: 0, reason: "not a snapshot (bad magic)" });
    const [, ...rest] = goodParts();
    expect(refusal(concat(fileHeader(0), ...rest))).toMatchObject({
      offset: 4,
      reason: "unknown snapshot format version 0",
    });
    for (const reserved of [
      [1, 0],
      [0, 0x100],
    ] as [number, number][]) {
      expect(refusal(concat(fileHeader(1, reserved), ...rest))).toMatchObject({
        offset: 8,
        reason: "reserved header bytes not zero",
      });
    }
  });

  it("a newer version that does not read as today's format is FormatTooNewError; one that does is damage", () => {
    const [, ...rest] = goodParts();
    // Header record of version 2 too: the file is really newer.
    const newer = concat(fileHeader(2), frame(HEADER, header({ formatVersion: 2 })), ...rest.slice(1));
    for (let i = 0; i < 2; i++) {
      // Twice: the check reads a copy and leaves the caller's bytes as they were.
      expect(() => parseSnapshot(FILE, newer)).toThrow(FormatTooNewError);
      expect(new DataView(newer.buffer, newer.byteOffset).getUint32(4, true)).toBe(2);
    }
    expect(() => parseSnapshot(FILE, newer)).toThrow(
      `${FILE}: snapshot format version 2 is newer than this build reads (up to 1); refusing to start: run a Paddock build that reads version 2`,
    );
    // Only the version field differs from a good file: a damaged field, not a newer file.
    expect(refusal(concat(fileHeader(2), ...rest))).toMatchObject({
      offset: 4,
      reason: "unknown snapshot format version 2",
    });
  });

  it("a frame header cut short, counted from the end of the last whole frame", () => {
    const parts = goodParts();
    const cut = concat(...parts.slice(0, 2), parts[2]!.subarray(0, 11));
    expect(refusal(cut)).toMatchObject({
      offset: 16 + parts[1]!.length,
      reason: "file ends before the END record (incomplete)",
    });
    // A zero-length frame that ends exactly at the end of the file is read; the file then ends.
    const empty = concat(fileHeader(), frame(HEADER, new Uint8Array(0)));
    expect(refusal(empty)).toMatchObject({
      offset: 28,
      reason: "file ends before the END record (incomplete)",
    });
  });

  it("a record length past the end of the file, or past the 64 MiB record limit", () => {
    const parts = goodParts();
    const long = parts[2]!.slice();
    new DataView(long.buffer).setUint32(0, long.length - 12 + 1000, true);
    expect(refusal(concat(...parts.slice(0, 2), long, ...parts.slice(3)))).toMatchObject({
      offset: 16 + parts[1]!.length,
      reason: `record length ${long.length - 12 + 1000} runs past the end`,
    });
    // Over the limit although the bytes are there: refused before its CRC is computed.
    const limit = 64 * 1024 * 1024;
    const big = new Uint8Array(16 + 12 + limit + 1);
    big.set(fileHeader());
    new DataView(big.buffer).setUint32(16, limit + 1, true);
    expect(refusal(big)).toMatchObject({
      offset: 16,
      reason: `record length ${limit + 1} runs past the end`,
    });
    // At the limit: read, and its (zero) CRC is what fails.
    const atLimit = big.subarray(0, 16 + 12 + limit);
    new DataView(atLimit.buffer).setUint32(16, limit, true);
    expect(refusal(atLimit)).toMatchObject({ offset: 16, reason: "CRC mismatch" });
  });

  it("a CRC that does not match the kind and payload", () => {
    const parts = goodParts();
    const damaged = parts[3]!.slice();
    damaged[damaged.length - 1]! ^= 1;
    const at = 16 + parts[1]!.length + parts[2]!.length;
    expect(refusal(concat(...parts.slice(0, 3), damaged, ...parts.slice(4)))).toMatchObject({
      offset: at,
      reason: "CRC mismatch",
    });
    const kind = parts[3]!.slice();
    kind[8] = SESSION;
    expect(refusal(concat(...parts.slice(0, 3), kind, ...parts.slice(4)))).toMatchObject({
      offset: at,
      reason: "CRC mismatch",
    });
  });

  it("records out of order: HEADER first and once, then ACL, NODE, SESSION, END, kinds 1 to 5", () => {
    const h = frame(HEADER, header());
    const cases: [Uint8Array[], number, string][] = [
      [[frame(ACL, acl)], 16, "record kind 2 out of order after 0"],
      [[frame(0, new Uint8Array(0))], 16, "record kind 0 out of order after 0"],
      [[h, frame(6, new Uint8Array(0))], 16 + h.length, "record kind 6 out of order after 1"],
      [[h, frame(HEADER, header())], 16 + h.length, "record kind 1 out of order after 1"],
      [
        [h, frame(NODE, node), frame(ACL, acl)],
        16 + h.length + frame(NODE, node).length,
        "record kind 2 out of order after 3",
      ],
      [[frame(END, endPayload(0, 0, 0))], 16, "record kind 5 out of order after 0"],
    ];
    for (const [frames, offset, reason] of cases) {
      expect(refusal(concat(fileHeader(), ...frames)), reason).toMatchObject({ offset, reason });
    }
    // Several of one kind in a row are fine.
    const two = concat(
      fileHeader(),
      frame(HEADER, header({ sessionCount: 0n })),
      frame(NODE, node),
      frame(NODE, node),
      frame(END, endPayload(0, 2, 0)),
    );
    expect(parseSnapshot(FILE, two).nodes.length).toBe(2);
  });

  it("a record of each kind that does not decode", () => {
    const junk = Uint8Array.of(0x0a, 0x05, 0x41);
    const h = frame(HEADER, header());
    const cases: [number, Uint8Array[], (b: Uint8Array) => unknown][] = [
      [HEADER, [], SnapshotHeader.decode],
      [ACL, [h], SnapshotAcl.decode],
      [NODE, [h], (b) => decodeSnapshotNode(Buffer.from(b), 0, b.length)],
      [SESSION, [h], SnapshotSession.decode],
    ];
    for (const [kind, before, decode] of cases) {
      const offset = 16 + before.reduce((n, b) => n + b.length, 0);
      expect(refusal(concat(fileHeader(), ...before, frame(kind, junk))), `kind ${kind}`).toEqual({
        offset,
        reason: `undecodable record: ${decodeError(decode, junk)}`,
        message: `${FILE} damaged at offset ${offset}: undecodable record: ${decodeError(decode, junk)}`,
      });
    }
  });

  it("an END record of the wrong length, with counts that differ, or followed by bytes", () => {
    const parts = goodParts();
    const endAt = parts.slice(0, 5).reduce((n, b) => n + b.length, 0);
    expect(refusal(concat(...parts.slice(0, 5), frame(END, new Uint8Array(16))))).toMatchObject({
      offset: endAt,
      reason: "END record has the wrong length",
    });
    for (const [counts, text] of [
      [[2, 1, 1], "2/1/1"],
      [[1, 0, 1], "1/0/1"],
      [[1, 1, 3], "1/1/3"],
    ] as [[number, number, number], string][]) {
      expect(refusal(concat(...parts.slice(0, 5), frame(END, endPayload(...counts))))).toMatchObject({
        offset: endAt,
        reason: `END counts ${text} but found 1/1/1 acls/nodes/sessions`,
      });
    }
    const whole = concat(...parts);
    expect(refusal(concat(whole, Uint8Array.of(0)))).toMatchObject({
      offset: whole.length,
      reason: "bytes after the END record",
    });
  });

  it("a header record that disagrees: format version, session count, zxid against the file name", () => {
    const [fh, , ...rest] = goodParts();
    expect(refusal(concat(fh!, frame(HEADER, header({ formatVersion: 3 })), ...rest))).toMatchObject({
      offset: 16,
      reason: "header format version mismatch",
    });
    expect(refusal(concat(fh!, frame(HEADER, header({ sessionCount: 2n })), ...rest))).toMatchObject({
      offset: 16,
      reason: "session count mismatch",
    });
    const other = concat(fh!, frame(HEADER, header({ zxid: 0x1_0000_002an })), ...rest);
    expect(refusal(other)).toMatchObject({
      offset: 16,
      reason: "header zxid 0x10000002a does not match the file name",
    });
    expect(refusal(other, "snapshot.5")).toMatchObject({ offset: 16 });
    // A name that is no snapshot name (a copy, a SNAP in transit) is not compared.
    expect(parseSnapshot("/d/copy-of-snapshot", other).header.zxid).toBe(0x1_0000_002an);
    expect(parseSnapshot("/d/snapshot.10000002a", other).header.zxid).toBe(0x1_0000_002an);
  });

  it("encodeSnapshot's bytes: the 16-byte file header, frames, END counts", () => {
    const bytes = encodeSnapshot({
      zxid: 5,
      digest: 9n,
      acls: [SnapshotAcl.decode(acl)],
      nodes: [SnapshotNode.decode(node)],
      sessions: [SnapshotSession.decode(session)],
      nodeCount: 1,
    });
    expect(Buffer.from(bytes).equals(Buffer.from(concat(...goodParts())))).toBe(true);
    expect(Buffer.from(bytes.subarray(0, 16)).toString("hex")).toBe("50444b5301000000" + "0".repeat(16));
  });
});
