import type { SnapshotAcl, SnapshotNode } from "../gen/paddock/internal/v1/snapshot.js";
import type { Txn } from "../gen/paddock/internal/v1/txn.js";
import type {
  ACL,
  CheckResponse,
  CreateResponse,
  DeleteResponse,
  GetACLResponse,
  GetChildrenResponse,
  GetDataResponse,
  MultiResponse,
  SetACLResponse,
  SetDataResponse,
  Stat,
  TxnResponse,
} from "../gen/paddock/v1/data.js";
import { assert } from "../util/assert.js";
import { PaddockError } from "../util/paddock-error.js";
import { parentPath } from "../util/path.js";
import { zxidFromWire } from "../util/zxid.js";
import { type AuthId, checkAcl, Perms } from "./acl-check.js";
import { isNullData, loadData, storeData } from "./bytes.js";
import { OwnerKind, ownerKind, ttlOf } from "./ephemeral-type.js";
import type { QuotaIndex } from "./quota.js";
import { SnapshotCursor, type SnapshotNodeRecord } from "./snapshot-cursor.js";
import { applyTxn } from "./tree-apply.js";
import { TreeStore, type WatchTrigger } from "./tree-store.js";
import { S } from "./znode.js";

export type { AuthId } from "./acl-check.js";
export { checkAcl } from "./acl-check.js";
export { digestId } from "./sha1.js";
export type { SnapshotCursor, SnapshotNodeRecord, SnapshotNodeView } from "./snapshot-cursor.js";
export type { WatchTrigger } from "./tree-store.js";

export type TxnResult =
  | { $case: "create"; value: CreateResponse }
  | { $case: "delete"; value: DeleteResponse }
  | { $case: "setData"; value: SetDataResponse }
  | { $case: "setAcl"; value: SetACLResponse }
  | { $case: "check"; value: CheckResponse }
  | { $case: "multi"; value: MultiResponse }
  /** A compare-transaction: the chosen branch's results and which branch it was. */
  | { $case: "txn"; value: TxnResponse }
  /** /zookeeper/config after a reconfig. */
  | { $case: "reconfig"; value: GetDataResponse }
  | { $case: "session"; value: undefined }
  | { $case: "none"; value: undefined };

export interface ApplyOutcome {
  zxid: number;
  /** Code.OK or a ZooKeeper error code (ErrorTxn, failed multi, or a replayed txn already in effect). */
  code: number;
  /** Path the error concerns ('' if none). */
  path: string;
  /** A refused write's message (an ErrorTxn of its own); absent otherwise. */
  message?: string;
  result: TxnResult;
  /** In the order ZooKeeper fires them. */
  triggers: WatchTrigger[];
}

/** What prep and watches need of a node, without building a proto Stat. */
export interface NodeInfo {
  czxid: number;
  mzxid: number;
  pzxid: number;
  version: number;
  /** As clients see it (creates + deletes of children). */
  cversion: number;
  /** Child creates ever: the next sequence suffix (ZooKeeper's persisted cversion). */
  childCreates: number;
  aversion: number;
  ephemeralOwner: bigint;
  numChildren: number;
  acl: readonly ACL[];
  /** Bytes of data (quota checks count them). */
  dataLength: number;
}

/** A zxid from a decoded snapshot (bigint) or from the tree's own walk (number). */
function wireNumber(v: bigint | number): number {
  return typeof v === "number" ? v : zxidFromWire(v);
}

export interface DataTreeOptions {
  /** "super:<base64 sha1>": a session holding this digest id passes every ACL check. */
  superDigest?: string;
  /** ZooKeeper's skipACL=yes: every ACL check passes (reads, writes, watch event delivery). */
  skipAcl?: boolean;
}

const OPEN_ACL: readonly ACL[] = [{ perms: Perms.ALL, id: { scheme: "world", id: "anyone" } }];
const READ_ACL: readonly ACL[] = [{ perms: Perms.READ, id: { scheme: "world", id: "anyone" } }];
const EMPTY = new Uint8Array(0);

/**
 * The znode tree: applies committed transactions and answers reads. It returns what happened (stat,
 * results, watch triggers) and fires nothing. zxids are plain numbers (util/zxid.ts).
 *
 * Replay: a tree built by restore() starts in replay mode, for the log after a fuzzy snapshot whose
 * nodes may already reflect some of the replayed txns. There a txn at or below lastZxid is accepted
 * and every txn is applied idempotently (a create of an existing node or a delete of a missing one
 * returns NodeExists/NoNode and changes nothing but what ZooKeeper changes). Call finishReplay()
 * once the log is replayed; from then on zxids must strictly increase (asserted).
 */
export class DataTree {
  store = new TreeStore();
  private applied = 0;
  private replay = false;
  readonly superDigest: string | undefined;
  readonly skipAcl: boolean;

  constructor(options: DataTreeOptions = {}, initial = true) {
    this.superDigest = options.superDigest;
    this.skipAcl = options.skipAcl === true;
    if (!initial) return;
    // ZooKeeper 3.8's initial nodes, with the stat a fresh server shows (getData / ... on 3.8.0):
    // every zxid and time 0; cversion as persisted 0 (clients see -1 on "/" and -2 on
    // "/zookeeper"); /zookeeper/config is world-readable only and has aversion -1.
    const open = this.store.acls.acquire(OPEN_ACL);
    const root = this.store.insert("/", "", open, 0n, [0, 0, 0, 0, 0, 0, 0, 0]);
    const zk = this.store.insert(
      "/zookeeper",
      "",
      this.store.acls.acquire(OPEN_ACL),
      0n,
      [0, 0, 0, 0, 0, 0, 0, 0],
    );
    this.store.link(root, zk);
    const quota = this.store.insert(
      "/zookeeper/quota",
      "",
      this.store.acls.acquire(OPEN_ACL),
      0n,
      [0, 0, 0, 0, 0, 0, 0, 0],
    );
    this.store.link(zk, quota);
    const config = this.store.insert(
      "/zookeeper/config",
      "",
      this.store.acls.acquire(READ_ACL),
      0n,
      [0, 0, 0, 0, 0, 0, 0, -1],
    );
    this.store.link(zk, config);
  }

  get lastZxid(): number {
    return this.applied;
  }

  get nodeCount(): number {
    return this.store.nodes.size;
  }

  /** ZooKeeper's approximate_data_size: path plus data bytes over every node, kept as nodes change. */
  get approximateDataSize(): number {
    return this.store.approximateDataSize;
  }

  /** Ephemeral nodes held by every session (ZooKeeper's ephemerals_count), counted when asked. */
  get ephemeralCount(): number {
    let count = 0;
    for (const e of this.store.ephemerals.values()) count += e.paths.size;
    return count;
  }

  get digest(): bigint {
    return this.store.digest;
  }

  /** Quota'd paths and their stats (replaced with the store on SNAP, so read it through here). */
  get quota(): QuotaIndex {
    return this.store.quota;
  }

  get replaying(): boolean {
    return this.replay;
  }

  /** Ends replay mode (see the class comment). */
  finishReplay(): void {
    this.replay = false;
  }

  /**
   * ZAB's SNAP: takes over a restored tree's contents in place, so prep, reads and the pipeline,
   * which hold this tree, see the leader's state.
   */
  replaceWith(restored: DataTree): void {
    this.store = restored.store;
    this.applied = restored.applied;
    this.replay = false;
  }

  apply(txn: Txn): ApplyOutcome {
    const zxid = zxidFromWire(txn.zxid);
    assert(this.replay || zxid > this.applied, `txn zxid ${zxid} not above last applied ${this.applied}`);
    const outcome = applyTxn(this.store, txn, zxid, this.replay);
    this.applied = Math.max(this.applied, zxid);
    return outcome;
  }

  /**
   * The node's stat, or undefined when there is none. With the caller's identities, an existing
   * node needs READ, as in ZooKeeper since 3.8.4 and 3.9 (a missing node reveals nothing new).
   */
  exists(path: string, ids?: readonly AuthId[]): Stat | undefined {
    if (ids === undefined) return this.statOf(path);
    const node = this.store.get(path);
    if (node === undefined) return undefined;
    if (!this.allows(node.acl.acl, Perms.READ, ids)) throw PaddockError.noAuth(path, "READ");
    return this.store.toStat(node);
  }

  statOf(path: string): Stat | undefined {
    const node = this.store.get(path);
    return node === undefined ? undefined : this.store.toStat(node);
  }

  node(path: string): NodeInfo | undefined {
    const n = this.store.get(path);
    if (n === undefined) return undefined;
    // No closure here: prep calls this per write, and under tsx every named closure is renamed.
    const store = this.store;
    const numChildren = n.numChildren;
    const childCreates = store.stat(n, S.cversion);
    return {
      czxid: store.stat(n, S.czxid),
      mzxid: store.stat(n, S.mzxid),
      pzxid: store.stat(n, S.pzxid),
      version: store.stat(n, S.version),
      cversion: (Math.imul(childCreates, 2) - numChildren) | 0,
      childCreates,
      aversion: store.stat(n, S.aversion),
      ephemeralOwner: n.owner,
      numChildren,
      acl: n.acl.acl,
      dataLength: n.data.length,
    };
  }

  /** ZooKeeper's checkACL with this server's skipACL and superDigest: does acl grant ids a bit of perm? */
  allows(acl: readonly ACL[], perm: number, ids: readonly AuthId[]): boolean {
    return this.skipAcl || checkAcl(acl, perm, ids, this.superDigest);
  }

  private readable(path: string, ids: readonly AuthId[]) {
    const node = this.store.get(path);
    if (node === undefined) throw PaddockError.noNode(path);
    if (!this.allows(node.acl.acl, Perms.READ, ids)) throw PaddockError.noAuth(path, "READ");
    return node;
  }

  getData(path: string, ids: readonly AuthId[]): GetDataResponse {
    const node = this.readable(path, ids);
    const data = { data: loadData(node.data), stat: this.store.toStat(node) };
    return isNullData(node.data) ? { ...data, dataNull: true } : data;
  }

  /** Child names in no particular order (as ZooKeeper). */
  getChildren(path: string, ids: readonly AuthId[]): GetChildrenResponse {
    const node = this.readable(path, ids);
    const children: string[] = [];
    if (node.children !== null) for (const child of node.children) children.push(child.name);
    return { children, stat: this.store.toStat(node) };
  }

  /** All descendants, as ZooKeeper's getAllChildrenNumber (for "/": every node but the root). */
  getAllChildrenNumber(path: string, ids: readonly AuthId[]): number {
    const node = this.readable(path, ids);
    if (path === "/") return this.nodeCount - 1;
    let count = 0;
    const stack = [node];
    for (let n = stack.pop(); n !== undefined; n = stack.pop()) {
      if (n.children === null) continue;
      count += n.children.size;
      for (const child of n.children) stack.push(child);
    }
    return count;
  }

  /** The session's ephemerals whose path starts with prefix ("" or "/" for all), sorted. */
  getEphemerals(sessionId: bigint, prefix: string): string[] {
    const paths = this.store.ephemerals.get(sessionId)?.paths;
    if (paths === undefined) return [];
    const all = prefix.trim() === "" || prefix.trim() === "/";
    return [...paths].filter((p) => all || p.startsWith(prefix)).sort();
  }

  /**
   * ZooKeeper 3.8's getACL: with ids, READ or ADMIN is required (else NoAuth), and without ADMIN
   * digest ids come back as "user:x". Without ids (a trusted internal caller) the list is returned as is.
   */
  getACL(path: string, ids?: readonly AuthId[]): GetACLResponse {
    const node = this.store.get(path);
    if (node === undefined) throw PaddockError.noNode(path);
    const copy = (a: ACL, id: string): ACL => ({ perms: a.perms, id: { scheme: a.id?.scheme ?? "", id } });
    let acl = node.acl.acl.map((a) => copy(a, a.id?.id ?? ""));
    if (ids !== undefined) {
      if (!this.allows(node.acl.acl, Perms.READ | Perms.ADMIN, ids)) {
        throw PaddockError.noAuth(path, "READ or ADMIN");
      }
      if (!this.allows(node.acl.acl, Perms.ADMIN, ids)) {
        acl = acl.map((a) => (a.id?.scheme === "digest" ? copy(a, a.id.id.replace(/:.*/s, ":x")) : a));
      }
    }
    return { acl, stat: this.store.toStat(node) };
  }

  ephemeralsOf(sessionId: bigint): ReadonlySet<string> | undefined {
    return this.store.ephemerals.get(sessionId)?.paths;
  }

  /** Every container and TTL node. */
  containersAndTtls(): Iterable<string> {
    return this.store.containers;
  }

  /**
   * ZooKeeper's ContainerManager rule at time now: a container that has had children and has none,
   * a TTL node with no children whose mtime is more than its ttl ago. Sorted.
   */
  expiredContainersAndTtls(now: number): string[] {
    const out: string[] = [];
    for (const path of this.store.containers) {
      const node = this.store.get(path)!;
      if (!this.deletableContainer(node.path, now)) continue;
      out.push(path);
    }
    return out.sort();
  }

  /** The DeleteContainerTxn rule; now is the txn's time (TTL) — containers need only be childless. */
  deletableContainer(path: string, now: number): boolean {
    const node = this.store.get(path);
    if (node === undefined || node.numChildren > 0) return false;
    const kind = ownerKind(node.owner);
    if (kind === OwnerKind.Container) return this.store.stat(node, S.cversion) > 0;
    if (kind === OwnerKind.Ttl) return now - this.store.stat(node, S.mtime) > ttlOf(node.owner);
    return false;
  }

  snapshotAcls(): Iterable<SnapshotAcl> {
    return [...this.store.acls.entries()].map((e) => ({ ref: e.ref, acl: e.acl.map((a) => ({ ...a })) }));
  }

  /**
   * Parents before children; cversion is the persisted count of child creates. zxids and times
   * are numbers here (a SnapshotNode's int64 fields without a BigInt per field and znode).
   */
  *snapshotNodes(): Iterable<SnapshotNodeRecord> {
    const stack = [this.store.get("/")!];
    const store = this.store;
    // No closure per node: under tsx every named function made is also renamed (keepNames).
    for (let n = stack.pop(); n !== undefined; n = stack.pop()) {
      yield {
        path: n.path,
        data: loadData(n.data),
        dataNull: isNullData(n.data) || undefined,
        aclRef: n.acl.ref,
        czxid: store.stat(n, S.czxid),
        mzxid: store.stat(n, S.mzxid),
        ctime: store.stat(n, S.ctime),
        mtime: store.stat(n, S.mtime),
        version: store.stat(n, S.version),
        cversion: store.stat(n, S.cversion),
        aversion: store.stat(n, S.aversion),
        ephemeralOwner: n.owner,
        pzxid: store.stat(n, S.pzxid),
      };
      if (n.children !== null) for (const child of n.children) stack.push(child);
    }
  }

  /**
   * The nodes exactly as they are now, parents first, read while the tree changes (a snapshot
   * written without stopping writes). Close it if its views are not read to the end.
   */
  snapshotCursor(): SnapshotCursor {
    return new SnapshotCursor(this.store, this.lastZxid, this.nodeCount);
  }

  /** Rebuilds a tree from snapshot records (parents first); it starts in replay mode at zxid. */
  static restore(
    acls: Iterable<SnapshotAcl>,
    nodes: Iterable<SnapshotNode | SnapshotNodeRecord>,
    zxid: number,
    options: DataTreeOptions = {},
  ): DataTree {
    const tree = new DataTree(options, false);
    const store = tree.store;
    for (const a of acls) store.acls.restore(a.ref, a.acl);
    for (const n of nodes) {
      const node = store.insert(
        n.path,
        storeData(n.data ?? EMPTY, n.dataNull === true),
        store.acls.acquireRef(n.aclRef),
        n.ephemeralOwner,
        [
          wireNumber(n.czxid),
          wireNumber(n.mzxid),
          wireNumber(n.pzxid),
          Number(n.ctime),
          Number(n.mtime),
          n.version,
          n.cversion,
          n.aversion,
        ],
        false,
      );
      if (n.path === "/") continue;
      const parent = store.get(parentPath(n.path));
      assert(parent !== undefined, `snapshot lists ${n.path} before its parent`);
      store.link(parent, node, false);
    }
    assert(store.get("/") !== undefined, "snapshot has no root");
    store.hashAll();
    store.acls.prune();
    // The stats nodes come back with their data; which paths have a quota is read off the limits nodes.
    store.quota.rebuild();
    tree.applied = zxid;
    tree.replay = true;
    return tree;
  }
}
