/**
 * A snapshot's node in the shape the tree writes and restores: the generated SnapshotNode with its
 * int64 stat fields as numbers (zxids and times stay below 2^53) and the owner as a bigint. Here
 * because both the tree (which walks and restores it) and persistence (which decodes it) use it,
 * and neither may import the other.
 */
export interface SnapshotNodeRecord {
  path: string;
  data: Uint8Array;
  /** ZooKeeper's null data; undefined for any other (as the generated SnapshotNode omits it). */
  dataNull?: boolean | undefined;
  aclRef: number;
  czxid: number;
  mzxid: number;
  ctime: number;
  mtime: number;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: bigint;
  pzxid: number;
}
