import type { ACL, Stat } from "../gen/paddock/v1/data.js";
import { assert } from "../util/assert.js";
import { Code } from "../util/error-code.js";
import { EventType } from "../util/event-type.js";
import { parentPath } from "../util/path.js";
import { AclCache, type AclEntry } from "./acl-cache.js";
import { type StoredData, storeData } from "./bytes.js";
import { DigestSum, Hash64 } from "./digest.js";
import { clientOwner, OwnerKind, ownerKind } from "./ephemeral-type.js";
import { QuotaIndex } from "./quota.js";
import { NO_OWNER, S, StatSlab, Znode } from "./znode.js";

/**
 * A watch trigger: type is a paddock.v1.EventType value; acl is the ACL of the node the event is
 * about (the created, changed or deleted node; the parent for NodeChildrenChanged), as it is when the
 * event fires: ZooKeeper (since 3.8.4/3.9.2, CVE-2024-23944) delivers it only to watchers with READ.
 */
export interface WatchTrigger {
  path: string;
  type: number;
  acl: readonly ACL[];
}

export { EventType };

/** Told before a node changes or is removed (an open SnapshotCursor keeps its state of then). */
export interface NodeChangeListener {
  changing(node: Znode): void;
}

interface SessionEphemerals {
  /** The one bigint all of the session's ephemerals share as owner. */
  readonly owner: bigint;
  readonly paths: Set<string>;
}

/**
 * The node store under DataTree: path map, stat slab, ACL cache, indexes and the digest, with the
 * primitive mutations. Each mutation returns a ZooKeeper code and changes nothing when it fails.
 *
 * cversion is kept as ZooKeeper persists it: the number of child creates. Clients see
 * 2 * creates - numChildren (ZooKeeper's DataNode.copyStat), which counts deletes too; sequence
 * suffixes use the persisted count, so they never reuse a number and skip none on deletes.
 */
export class TreeStore {
  readonly nodes = new Map<string, Znode>();
  readonly slab = new StatSlab();
  readonly acls = new AclCache();
  readonly ephemerals = new Map<bigint, SessionEphemerals>();
  /** Paths of container and TTL nodes. */
  readonly containers = new Set<string>();
  /** ZooKeeper's approximate_data_size: path length plus data length, summed over every node. */
  approximateDataSize = 0;
  /** Quota'd paths and their stats nodes, kept by the mutations below (quota.ts). */
  readonly quota: QuotaIndex = new QuotaIndex(this);
  private readonly sum = new DigestSum();
  private readonly hash = new Hash64();
  private readonly listeners: NodeChangeListener[] = [];

  get digest(): bigint {
    return this.sum.value;
  }

  addChangeListener(listener: NodeChangeListener): void {
    this.listeners.push(listener);
  }

  removeChangeListener(listener: NodeChangeListener): void {
    const at = this.listeners.indexOf(listener);
    if (at >= 0) this.listeners.splice(at, 1);
  }

  get(path: string): Znode | undefined {
    return this.nodes.get(path);
  }

  stat(node: Znode, column: number): number {
    return this.slab.get(node.slot, column);
  }

  /**
   * Inserts a node with the given stat; the parent link is made by the caller (link). `hashed`
   * false leaves the node out of the digest and approximate_data_size until hashAll (a restore).
   */
  insert(
    path: string,
    data: StoredData,
    acl: AclEntry,
    owner: bigint,
    stat: readonly number[],
    hashed = true,
  ): Znode {
    assert(!this.nodes.has(path), `node ${path} inserted twice`);
    const slot = this.slab.allocate();
    for (let i = 0; i < stat.length; i++) this.slab.set(slot, i, stat[i]!);
    const node = new Znode(path, data, acl, this.canonicalOwner(owner, path), slot, null);
    this.nodes.set(path, node);
    if (ownerKind(node.owner) === OwnerKind.Container || ownerKind(node.owner) === OwnerKind.Ttl) {
      this.containers.add(path);
    }
    if (hashed) {
      this.hashStat(node, 1);
      this.hashData(node, 1);
    }
    return node;
  }

  /** Adds child to parent's children without touching the parent's stat; `hashed` as insert's. */
  link(parent: Znode, child: Znode, hashed = true): void {
    if (hashed) this.hashStat(parent, -1);
    if (parent.children === null) parent.children = new Set();
    parent.children.add(child);
    if (hashed) this.hashStat(parent, 1);
  }

  /**
   * Every node's digest terms and approximate_data_size, once, after a restore inserted and linked
   * them unhashed: a parent's stat term depends on its child count, so hashing while linking
   * would rehash a parent of N children 2N times.
   */
  hashAll(): void {
    assert(this.sum.value === 0n && this.approximateDataSize === 0, "hashAll on a hashed tree");
    for (const node of this.nodes.values()) {
      this.hashStat(node, 1);
      this.hashData(node, 1);
    }
  }

  createNode(
    path: string,
    data: Uint8Array,
    acl: readonly ACL[],
    owner: bigint,
    parentCversion: number,
    zxid: number,
    time: number,
    triggers: WatchTrigger[],
    dataNull = false,
  ): number {
    const parent = path === "/" ? undefined : this.nodes.get(parentPath(path));
    if (parent === undefined) return Code.NoNode;
    if (this.nodes.has(path)) {
      // ZooKeeper moves the parent's cversion/pzxid forward even then: after a fuzzy snapshot the
      // node may exist while the parent's stat predates its create.
      this.setCversionPzxid(parent, parentCversion, zxid);
      return Code.NodeExists;
    }
    const node = this.insert(path, storeData(data, dataNull), this.acls.acquire(acl), owner, [
      zxid,
      zxid,
      zxid,
      time,
      time,
      0,
      0,
      0,
    ]);
    this.link(parent, node);
    this.setCversionPzxid(parent, parentCversion, zxid);
    this.quota.created(path, node.data.length);
    triggers.push(
      { path, type: EventType.NodeCreated, acl: node.acl.acl },
      { path: parent.path, type: EventType.NodeChildrenChanged, acl: parent.acl.acl },
    );
    return Code.OK;
  }

  /** ZooKeeper's setCversionPzxid: -1 means one more than now; only ever moves forward. */
  setCversionPzxid(node: Znode, cversion: number, zxid: number): void {
    const current = this.stat(node, S.cversion);
    const next = cversion === -1 ? (current + 1) | 0 : cversion;
    if (next <= current) return;
    this.hashStat(node, -1);
    this.slab.set(node.slot, S.cversion, next);
    this.slab.set(node.slot, S.pzxid, zxid);
    this.hashStat(node, 1);
  }

  /**
   * Deletes path. A node with children only reaches here when replaying after a fuzzy snapshot
   * (the children were created later in the log, which will recreate them): the subtree goes.
   */
  deleteNode(path: string, zxid: number, triggers: WatchTrigger[] | undefined, replaying: boolean): number {
    const node = this.nodes.get(path);
    if (node === undefined) return Code.NoNode;
    assert(path !== "/", "the root is never deleted");
    if (node.numChildren > 0) {
      assert(replaying, `delete of ${path} with ${node.numChildren} children outside replay`);
      for (const child of [...node.children!]) this.deleteNode(child.path, zxid, undefined, replaying);
    }
    const parent = this.nodes.get(parentPath(path));
    assert(parent !== undefined && parent.children !== null, `parent of ${path} missing`);
    this.hashStat(parent, -1);
    parent.children.delete(node);
    if (parent.children.size === 0) parent.children = null;
    // As ZooKeeper: pzxid only moves forward; cversion (child creates) does not change.
    if (zxid > this.stat(parent, S.pzxid)) this.slab.set(parent.slot, S.pzxid, zxid);
    this.hashStat(parent, 1);
    const acl = node.acl.acl;
    this.remove(node);
    this.quota.deleted(path, node.data.length);
    triggers?.push(
      { path, type: EventType.NodeDeleted, acl },
      { path: parent.path, type: EventType.NodeChildrenChanged, acl: parent.acl.acl },
    );
    return Code.OK;
  }

  private remove(node: Znode): void {
    this.hashStat(node, -1);
    this.hashData(node, -1);
    this.nodes.delete(node.path);
    this.slab.release(node.slot);
    this.acls.release(node.acl);
    this.containers.delete(node.path);
    if (ownerKind(node.owner) === OwnerKind.Ephemeral) {
      const session = this.ephemerals.get(node.owner);
      assert(session !== undefined, `ephemeral ${node.path} not indexed`);
      session.paths.delete(node.path);
      if (session.paths.size === 0) this.ephemerals.delete(node.owner);
    }
  }

  setData(
    path: string,
    data: Uint8Array,
    version: number,
    zxid: number,
    time: number,
    triggers: WatchTrigger[],
    dataNull = false,
  ): number {
    const node = this.nodes.get(path);
    if (node === undefined) return Code.NoNode;
    this.hashStat(node, -1);
    this.hashData(node, -1);
    const oldLength = node.data.length;
    node.data = storeData(data, dataNull);
    this.slab.set(node.slot, S.version, version);
    this.slab.set(node.slot, S.mzxid, zxid);
    this.slab.set(node.slot, S.mtime, time);
    this.hashStat(node, 1);
    this.hashData(node, 1);
    this.quota.changed(path, oldLength, node.data.length);
    triggers.push({ path, type: EventType.NodeDataChanged, acl: node.acl.acl });
    return Code.OK;
  }

  /**
   * Replaces a node's data and nothing else: no version, mzxid or watch. Only for the quota
   * stats nodes, which ZooKeeper rewrites so while applying the writes they count.
   */
  rewriteData(node: Znode, data: StoredData): void {
    this.hashData(node, -1);
    node.data = data;
    this.hashData(node, 1);
  }

  setAcl(path: string, acl: readonly ACL[], aversion: number): number {
    const node = this.nodes.get(path);
    if (node === undefined) return Code.NoNode;
    this.hashStat(node, -1);
    const entry = this.acls.acquire(acl);
    this.acls.release(node.acl);
    node.acl = entry;
    this.slab.set(node.slot, S.aversion, aversion);
    this.hashStat(node, 1);
    return Code.OK;
  }

  toStat(node: Znode): Stat {
    const numChildren = node.numChildren;
    return {
      czxid: BigInt(this.stat(node, S.czxid)),
      mzxid: BigInt(this.stat(node, S.mzxid)),
      ctime: BigInt(this.stat(node, S.ctime)),
      mtime: BigInt(this.stat(node, S.mtime)),
      version: this.stat(node, S.version),
      cversion: (Math.imul(this.stat(node, S.cversion), 2) - numChildren) | 0,
      aversion: this.stat(node, S.aversion),
      ephemeralOwner: clientOwner(node.owner),
      dataLength: node.data.length,
      numChildren,
      pzxid: BigInt(this.stat(node, S.pzxid)),
    };
  }

  /** Ephemerals share their session's bigint; other owners are constants or rare (TTL). */
  private canonicalOwner(owner: bigint, path: string): bigint {
    if (owner === 0n) return NO_OWNER;
    if (ownerKind(owner) !== OwnerKind.Ephemeral) return owner;
    let session = this.ephemerals.get(owner);
    if (session === undefined) {
      session = { owner, paths: new Set() };
      this.ephemerals.set(owner, session);
    }
    session.paths.add(path);
    return session.owner;
  }

  /**
   * The node's stat term of the digest, added (+1) or taken out (-1). Every mutation takes the
   * node's terms out before it changes the node and adds them back after, so the term taken out is
   * rehashed from the unchanged state rather than kept per node (16 bytes a znode).
   */
  private hashStat(node: Znode, sign: 1 | -1): void {
    // Every change to a node (stat, data, ACL, children, removal) takes its terms out first, so
    // this is the one place that tells listeners before the node changes.
    if (sign === -1 && this.listeners.length !== 0) for (const l of this.listeners) l.changing(node);
    const slot = node.slot;
    const h = this.hash.start(0x5354).string(node.path);
    for (let c = 0; c < 8; c++) h.number(this.slab.get(slot, c));
    h.bigint(node.owner).word(node.acl.hashLo).word(node.acl.hashHi).word(node.numChildren).finish();
    if (sign === 1) this.sum.add(h);
    else this.sum.subtract(h);
  }

  /** The data term, as hashStat; empty data contributes nothing. */
  private hashData(node: Znode, sign: 1 | -1): void {
    if (sign === -1 && this.listeners.length !== 0) for (const l of this.listeners) l.changing(node);
    this.approximateDataSize += sign * (node.path.length + node.data.length);
    if (node.data.length === 0) return;
    const h = this.hash.start(0x4441).string(node.path).data(node.data).finish();
    if (sign === 1) this.sum.add(h);
    else this.sum.subtract(h);
  }
}
