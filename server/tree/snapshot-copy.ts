import type { SnapshotNodeRecord } from "../util/snapshot-node-record.js";
import { isNullData, type StoredData } from "./bytes.js";
import { INTS, S, type StatCopy, TIMES } from "./znode.js";

export type { SnapshotNodeRecord };

/** One node of a SnapshotNodeCopy; `data` in stored form (latin1 string or bytes). */
export interface SnapshotNodeView extends Omit<SnapshotNodeRecord, "data"> {
  data: StoredData;
}

/** An exact copy of the tree's nodes (DataTree.snapshotCopy), parents first, read through views(). */
export class SnapshotNodeCopy {
  constructor(
    private readonly paths: string[],
    private readonly data: StoredData[],
    private readonly owners: bigint[],
    private readonly aclRefs: Int32Array,
    private readonly slots: Int32Array,
    private readonly stats: StatCopy,
  ) {}

  get count(): number {
    return this.paths.length;
  }

  /** The nodes in order, through one reused object: each is valid until the next is taken. */
  *views(): Iterable<SnapshotNodeView> {
    const v: SnapshotNodeView = {
      path: "",
      data: "",
      dataNull: undefined,
      aclRef: 0,
      czxid: 0,
      mzxid: 0,
      ctime: 0,
      mtime: 0,
      version: 0,
      cversion: 0,
      aversion: 0,
      ephemeralOwner: 0n,
      pzxid: 0,
    };
    const { times, ints } = this.stats;
    for (let i = 0; i < this.paths.length; i++) {
      const at = this.slots[i]! * TIMES;
      const iat = this.slots[i]! * INTS - TIMES;
      v.path = this.paths[i]!;
      v.data = this.data[i]!;
      v.dataNull = isNullData(v.data) || undefined;
      v.aclRef = this.aclRefs[i]!;
      v.czxid = times[at + S.czxid]!;
      v.mzxid = times[at + S.mzxid]!;
      v.ctime = times[at + S.ctime]!;
      v.mtime = times[at + S.mtime]!;
      v.version = ints[iat + S.version]!;
      v.cversion = ints[iat + S.cversion]!;
      v.aversion = ints[iat + S.aversion]!;
      v.ephemeralOwner = this.owners[i]!;
      v.pzxid = times[at + S.pzxid]!;
      yield v;
    }
  }
}
