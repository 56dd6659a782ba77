// Fuzz target snapshot: snapshot bytes through parseSnapshot (as readSnapshot and a learner's SNAP
// install), then the header zxid as recovery reads it. Byte 0 is a flag: bit 0 recomputes the
// frames' CRCs first; bit 1 names the file after the snapshot's zxid (the name cross-check).
import { FormatTooNewError } from "../../../server/persistence/format-version.js";
import { encodeSnapshot, parseSnapshot, snapshotName } from "../../../server/persistence/snapshot.js";
import { StorageCorruptionError } from "../../../server/persistence/storage-error.js";
import { zxidFromWire } from "../../../server/util/zxid.js";
import type { FuzzTarget } from "../engine/fuzz-target.js";
import { repairCrcs, SNAPSHOT_DIR, snapshotInput, z } from "./support/storage-files.js";

const SNAPSHOT_FILE_HEADER_BYTES = 16;
const SNAPSHOT_FRAME_HEADER_BYTES = 12;

export function fuzzSnapshot(input: Buffer): void {
  if (input.length === 0) return;
  const bytes = Buffer.from(input.subarray(1));
  if ((input[0]! & 1) === 1) repairCrcs(bytes, SNAPSHOT_FILE_HEADER_BYTES, SNAPSHOT_FRAME_HEADER_BYTES);
  const file = (input[0]! & 2) === 2 ? `${SNAPSHOT_DIR}/${snapshotName(z(7))}` : `${SNAPSHOT_DIR}/fuzzed`;
  try {
    const loaded = parseSnapshot(file, bytes);
    zxidFromWire(loaded.header.zxid); // what recover() does next with a snapshot it accepted
  } catch (e) {
    // Damage, or a version field read as a newer format: both are the start's clean refusals.
    if (!(e instanceof StorageCorruptionError || e instanceof FormatTooNewError)) throw e;
  }
}

export const snapshot: FuzzTarget = {
  name: "snapshot",
  seeds: () => {
    const bytes = Buffer.from(encodeSnapshot(snapshotInput()));
    return [0, 1, 2, 3].map((flags) => Buffer.concat([Buffer.from([flags]), bytes]));
  },
  fuzz: fuzzSnapshot,
};
