import type { ConfigMember, Txn } from "../gen/paddock/internal/v1/txn.js";
import type {
  CheckRequest,
  CreateRequest,
  DeleteRequest,
  MultiRequest,
  Op,
  SetACLRequest,
  SetDataRequest,
  TxnRequest,
} from "../gen/paddock/v1/data.js";
import { assert } from "../util/assert.js";
import { Code } from "../util/error-code.js";
import type { Limits } from "../util/limits.js";
import { PaddockError } from "../util/paddock-error.js";
import { parentPath, validatePath } from "../util/path.js";
import { configText } from "../util/server-line.js";
import { type AuthId, checkAcl, Perms, permName } from "./acl-check.js";
import { asBuffer, utf8 } from "./bytes.js";
import { compareHolds, validateCompare } from "./compare.js";
import type { DataTree } from "./data-tree.js";
import { CONTAINER_OWNER, OwnerKind, ownerKind, TTL_MAX, ttlOwner } from "./ephemeral-type.js";
import { fixupAcl } from "./fixup-acl.js";
import { Outstanding, type PrepNode } from "./outstanding.js";
import { QuotaGuard } from "./quota.js";
import { CONFIG_PATH, reconfigVersion } from "./reconfig-apply.js";
import { requestSize } from "./request-size.js";

export interface PrepContext {
  sessionId: bigint;
  ids: readonly AuthId[];
  /** ms; not needed by any check today, kept for the pipeline's symmetry. */
  now: number;
  ephemeralAllowed: boolean;
  /**
   * A session local to a member (localSessionsEnabled, not upgraded): "own" when local to this
   * member, "forwarded" when local to the member that forwarded the write. Its ephemeral creates
   * are refused (LocalSessionTracker's sessions own no ephemerals).
   */
  localSession?: "own" | "forwarded";
}

export interface PrepOptions {
  limits: Limits;
  extendedTypesEnabled: boolean;
  superDigest?: string;
  /** ZooKeeper's skipACL=yes: no ACL check. */
  skipAcl?: boolean;
  /** zookeeper.enforceQuota: a write past a hard quota limit is refused (QuotaExceeded). */
  enforceQuota?: boolean;
  /** A warning for the server's log (a write passing a quota limit). */
  warn?: (message: string) => void;
}

export type TxnBody = NonNullable<Txn["body"]>;

/** CreateMode values (paddock.v1.CreateMode, ZooKeeper's flags). */
export const Mode = {
  Persistent: 0,
  Ephemeral: 1,
  PersistentSequential: 2,
  EphemeralSequential: 3,
  Container: 4,
  PersistentWithTtl: 5,
  PersistentSequentialWithTtl: 6,
} as const;

/** Nodes ZooKeeper never lets a client delete (DataTree.isSpecialPath). */
const SPECIAL_PATHS = new Set(["/", "/zookeeper", "/zookeeper/quota", "/zookeeper/config"]);

/** Java's String.format("%010d", n). */
export function sequenceSuffix(n: number): string {
  return n < 0 ? `-${String(-n).padStart(9, "0")}` : String(n).padStart(10, "0");
}

/**
 * Turns write requests into transactions, as ZooKeeper's PrepRequestProcessor: every check runs
 * against the tree plus the changes proposed but not yet applied (outstanding), with ZooKeeper's
 * error precedence. A successful call records its changes under its zxid; a throwing one records
 * nothing. Errors carry the request's path (never the sequence-suffixed one, as ZooKeeper clients).
 */
export class Prep {
  private readonly outstanding = new Outstanding();
  private readonly quota: QuotaGuard;

  constructor(
    private readonly tree: DataTree,
    private readonly options: PrepOptions,
  ) {
    this.quota = new QuotaGuard({ enforce: options.enforceQuota === true, warn: options.warn });
  }

  /** Outstanding change records (for tests and metrics). */
  get outstandingCount(): number {
    return this.outstanding.size;
  }

  create(req: CreateRequest, ctx: PrepContext, zxid: number): TxnBody {
    this.checkSize(req.path, requestSize.create(req));
    return this.prepCreate(req, ctx, zxid);
  }

  delete(req: DeleteRequest, ctx: PrepContext, zxid: number): TxnBody {
    return this.prepDelete(req, ctx, zxid);
  }

  setData(req: SetDataRequest, ctx: PrepContext, zxid: number): TxnBody {
    this.checkSize(req.path, requestSize.setData(req.path, req.data));
    return this.prepSetData(req, ctx, zxid);
  }

  setACL(req: SetACLRequest, ctx: PrepContext, zxid: number): TxnBody {
    this.checkSize(req.path, requestSize.setACL(req.path, req.acl));
    validatePath(req.path);
    const acl = fixupAcl(req.path, req.acl, ctx.ids, this.options.limits.aclEntriesMax);
    const node = this.record(req.path);
    this.requirePerm(node, Perms.ADMIN, req.path, ctx);
    const aversion = this.nextVersion(node.aversion, req.version, req.path);
    this.outstanding.add({ zxid, path: req.path, node: { ...node, aversion, acl } });
    return { $case: "setAcl", value: { path: req.path, acl, version: aversion } };
  }

  /** A check op (multi): READ on the node and the version; records nothing. */
  check(req: CheckRequest, ctx: PrepContext, _zxid: number): void {
    this.prepCheck(req, ctx);
  }

  multi(req: MultiRequest, ctx: PrepContext, zxid: number): TxnBody {
    const max = this.options.limits.multiOpsMax;
    if (req.ops.length > max) {
      throw PaddockError.badArguments("", `multi of ${req.ops.length} ops, over multiOpsMax ${max}`);
    }
    this.checkSize("", requestSize.multi(req));
    req.ops.forEach((op, i) => {
      if (op.op === undefined) throw PaddockError.badArguments("", `multi op ${i} is empty`);
    });
    const txns: Txn[] = [];
    let failure: number = Code.OK;
    this.outstanding.beginScope();
    const quotaMark = this.quota.mark();
    try {
      for (const op of req.ops) {
        if (failure !== Code.OK) {
          txns.push(sub({ $case: "error", value: { code: Code.RuntimeInconsistency } }));
          continue;
        }
        try {
          txns.push(sub(this.prepOp(op, ctx, zxid)));
        } catch (e) {
          if (!(e instanceof PaddockError)) throw e;
          failure = e.code;
          // As ZooKeeper: ops before the failing one report OK, nothing of the multi is applied.
          for (let i = 0; i < txns.length; i++) txns[i] = sub({ $case: "error", value: { code: Code.OK } });
          txns.push(sub({ $case: "error", value: { code: e.code } }));
        }
      }
    } finally {
      this.outstanding.endScope(failure !== Code.OK);
      if (failure !== Code.OK) this.quota.rollback(quotaMark);
    }
    return { $case: "multi", value: { txns } };
  }

  /**
   * A compare-transaction: every condition evaluated against the tree plus the outstanding changes
   * (as a multi's check op), then the chosen branch prepped as a multi; the MultiTxn records which.
   */
  txn(req: TxnRequest, ctx: PrepContext, zxid: number): TxnBody {
    const max = this.options.limits.multiOpsMax;
    const count = req.compare.length + req.thenOps.length + req.elseOps.length;
    if (count > max) {
      throw PaddockError.badArguments("", `txn of ${count} conditions and ops, over multiOpsMax ${max}`);
    }
    const compareBytes = req.compare.reduce((n, c) => n + c.path.length + 16, 0);
    this.checkSize("", compareBytes + requestSize.multi({ ops: [...req.thenOps, ...req.elseOps] }));
    req.compare.forEach((c, i) => {
      validatePath(c.path);
      validateCompare(c, i);
    });
    let succeeded = true;
    for (const c of req.compare) {
      const node = this.find(c.path);
      // As a check op: reading an existing node's stat needs READ; a missing one reveals nothing.
      if (node !== undefined) this.requirePerm(node, Perms.READ, c.path, ctx);
      if (!compareHolds(node, c)) succeeded = false;
    }
    const body = this.multi({ ops: succeeded ? req.thenOps : req.elseOps }, ctx, zxid);
    assert(body.$case === "multi", "a txn branch preps as a multi");
    return { $case: "multi", value: { ...body.value, compareSucceeded: succeeded } };
  }

  /**
   * A reconfig's last check, as in ZooKeeper (after every check of the membership, made by the
   * pipeline): WRITE on /zookeeper/config (the super user's, unless its ACL changed or skipACL).
   * Records the node's change under zxid, as a setData of it would.
   */
  reconfig(members: ConfigMember[], ctx: PrepContext, zxid: number): TxnBody {
    const node = this.record(CONFIG_PATH);
    this.requirePerm(node, Perms.WRITE, CONFIG_PATH, ctx);
    const dataLength = utf8(configText(members, zxid)).length;
    this.outstanding.add({
      zxid,
      path: CONFIG_PATH,
      node: { ...node, version: reconfigVersion(node.version), dataLength },
    });
    return { $case: "reconfig", value: { members } };
  }

  /** Marks the session's ephemerals (applied or outstanding) as deleted by the close at zxid. */
  closeSession(sessionId: bigint, zxid: number): TxnBody {
    const paths = new Set(this.tree.ephemeralsOf(sessionId) ?? []);
    for (const record of this.outstanding.records()) {
      if (record.node === null) paths.delete(record.path);
      else if (record.node.ephemeralOwner === sessionId) paths.add(record.path);
      else paths.delete(record.path); // re-created by someone else after a delete
    }
    for (const path of [...paths].sort()) this.recordDelete(path, zxid);
    return { $case: "closeSession", value: {} };
  }

  createSession(timeoutMs: number, password: Uint8Array, _zxid: number): TxnBody {
    return { $case: "createSession", value: { timeoutMs, password: asBuffer(password) } };
  }

  /**
   * A DeleteContainerTxn for path if it is (counting outstanding changes) a childless container or
   * TTL node, else undefined. The tree re-checks childlessness and TTL expiry when applying.
   */
  deleteContainer(path: string, zxid: number): TxnBody | undefined {
    const node = this.find(path);
    if (node === undefined || node.numChildren > 0) return undefined;
    const kind = ownerKind(node.ephemeralOwner);
    if (kind !== OwnerKind.Container && kind !== OwnerKind.Ttl) return undefined;
    this.recordDelete(path, zxid);
    return { $case: "deleteContainer", value: { path } };
  }

  /** The tree has applied everything up to zxid. */
  committed(zxid: number): void {
    this.outstanding.committed(zxid);
    this.quota.committed(zxid);
  }

  /** Forget every outstanding change (leadership lost). */
  reset(): void {
    this.outstanding.reset();
    this.quota.reset();
  }

  private prepOp(op: Op, ctx: PrepContext, zxid: number): TxnBody {
    const o = op.op;
    assert(o !== undefined, "empty multi op");
    switch (o.$case) {
      case "create":
        return this.prepCreate(o.value, ctx, zxid, true);
      case "delete":
        return this.prepDelete(o.value, ctx, zxid);
      case "setData":
        return this.prepSetData(o.value, ctx, zxid);
      case "check": {
        const node = this.prepCheck(o.value, ctx);
        return { $case: "check", value: { path: o.value.path, version: node.version } };
      }
    }
  }

  private prepCreate(req: CreateRequest, ctx: PrepContext, zxid: number, inMulti = false): TxnBody {
    const { path, mode } = req;
    // ZooKeeper's order: mode and TTL rules, path, ACL, parent, CREATE permission, then the
    // final path's existence, then the ephemeral parent.
    if (!Number.isInteger(mode) || mode < Mode.Persistent || mode > Mode.PersistentSequentialWithTtl) {
      throw PaddockError.badArguments(path, `unknown create mode ${mode}`);
    }
    const ttlMode = mode === Mode.PersistentWithTtl || mode === Mode.PersistentSequentialWithTtl;
    const ephemeral = mode === Mode.Ephemeral || mode === Mode.EphemeralSequential;
    const sequential =
      mode === Mode.PersistentSequential ||
      mode === Mode.EphemeralSequential ||
      mode === Mode.PersistentSequentialWithTtl;
    if (ttlMode && !this.options.extendedTypesEnabled) {
      throw new PaddockError(
        Code.Unimplemented,
        path,
        `Unimplemented for ${path}: TTL nodes need extendedTypesEnabled`,
      );
    }
    if (ttlMode ? req.ttl <= 0n || req.ttl > BigInt(TTL_MAX) : req.ttl !== 0n) {
      throw PaddockError.badArguments(
        path,
        ttlMode ? `ttl ${req.ttl} must be in 1..${TTL_MAX}` : `ttl ${req.ttl} not valid for mode ${mode}`,
      );
    }
    if (ephemeral && !ctx.ephemeralAllowed)
      throw PaddockError.badArguments(path, "ephemeral nodes need a session");
    // As ZooKeeper's validateCreateRequest, before the path: only a global session owns ephemerals.
    if (ephemeral && ctx.localSession !== undefined) refuseLocalEphemeral(path, ctx.localSession, inMulti);
    validatePath(path, sequential);
    this.checkPathLength(path, path.length + (sequential ? 10 : 0));
    const acl = fixupAcl(path, req.acl, ctx.ids, this.options.limits.aclEntriesMax);
    const parentName = parentPath(path);
    const parent = this.record(parentName, path);
    this.requirePerm(parent, Perms.CREATE, path, ctx);
    const finalPath = sequential ? path + sequenceSuffix(parent.childCreates) : path;
    if (this.find(finalPath) !== undefined) throw PaddockError.nodeExists(path);
    if (ownerKind(parent.ephemeralOwner) === OwnerKind.Ephemeral) {
      throw new PaddockError(
        Code.NoChildrenForEphemerals,
        path,
        `NoChildrenForEphemerals for ${path}: parent ${parentName} is ephemeral`,
      );
    }
    // ZooKeeper's place for the quota check: after every other refusal of a create.
    this.quota.check(this.tree.quota, finalPath, 1, req.data.length, ctx.now, path);
    let owner = 0n;
    if (ephemeral) {
      assert(ctx.sessionId > 0n, `ephemeral create for non-positive session id ${ctx.sessionId}`);
      owner = ctx.sessionId;
    } else if (mode === Mode.Container) owner = CONTAINER_OWNER;
    else if (ttlMode) owner = ttlOwner(Number(req.ttl));
    const parentCversion = (parent.childCreates + 1) | 0;
    this.outstanding.add({
      zxid,
      path: parentName,
      node: { ...parent, childCreates: parentCversion, numChildren: parent.numChildren + 1, pzxid: zxid },
    });
    this.outstanding.add({
      zxid,
      path: finalPath,
      node: {
        version: 0,
        childCreates: 0,
        aversion: 0,
        ephemeralOwner: owner,
        numChildren: 0,
        acl,
        dataLength: req.data.length,
        czxid: zxid,
        mzxid: zxid,
        pzxid: zxid,
      },
    });
    this.quota.record(this.tree.quota, zxid, finalPath, 1, req.data.length);
    const value = { path: finalPath, data: req.data, acl, ephemeralOwner: owner, parentCversion };
    // Null data (ZooKeeper's, not empty data) travels only when asked for and the data is empty.
    if (req.dataNull === true && req.data.length === 0)
      return { $case: "create", value: { ...value, dataNull: true } };
    return { $case: "create", value };
  }

  private prepDelete(req: DeleteRequest, ctx: PrepContext, zxid: number): TxnBody {
    const { path } = req;
    validatePath(path);
    if (SPECIAL_PATHS.has(path)) throw PaddockError.badArguments(path, "a system node cannot be deleted");
    const parent = this.record(parentPath(path), path);
    this.requirePerm(parent, Perms.DELETE, path, ctx);
    const node = this.record(path);
    this.nextVersion(node.version, req.version, path);
    if (node.numChildren > 0) {
      throw new PaddockError(Code.NotEmpty, path, `NotEmpty for ${path}: ${node.numChildren} children`);
    }
    this.recordDelete(path, zxid);
    return { $case: "delete", value: { path } };
  }

  private prepSetData(req: SetDataRequest, ctx: PrepContext, zxid: number): TxnBody {
    const { path } = req;
    validatePath(path);
    const node = this.record(path);
    this.requirePerm(node, Perms.WRITE, path, ctx);
    // As ZooKeeper: the quota before the version, so a refused size wins over BadVersion.
    const bytesDiff = req.data.length - node.dataLength;
    this.quota.check(this.tree.quota, path, 0, bytesDiff, ctx.now);
    const version = this.nextVersion(node.version, req.version, path);
    this.outstanding.add({
      zxid,
      path,
      node: { ...node, version, dataLength: req.data.length, mzxid: zxid },
    });
    this.quota.record(this.tree.quota, zxid, path, 0, bytesDiff);
    if (req.dataNull === true && req.data.length === 0)
      return { $case: "setData", value: { path, data: req.data, version, dataNull: true } };
    return { $case: "setData", value: { path, data: req.data, version } };
  }

  private prepCheck(req: CheckRequest, ctx: PrepContext): PrepNode {
    validatePath(req.path);
    const node = this.record(req.path);
    this.requirePerm(node, Perms.READ, req.path, ctx);
    this.nextVersion(node.version, req.version, req.path);
    return node;
  }

  /** Records the deletion of path and its parent's lost child. */
  private recordDelete(path: string, zxid: number): void {
    if (this.tree.quota.size > 0)
      this.quota.record(this.tree.quota, zxid, path, -1, -(this.find(path)?.dataLength ?? 0));
    const parentName = parentPath(path);
    const parent = this.find(parentName);
    if (parent !== undefined) {
      this.outstanding.add({
        zxid,
        path: parentName,
        node: { ...parent, numChildren: parent.numChildren - 1, pzxid: zxid },
      });
    }
    this.outstanding.add({ zxid, path, node: null });
  }

  /** The node as prep sees it: latest outstanding record, else the tree. */
  private find(path: string): PrepNode | undefined {
    const record = this.outstanding.get(path);
    if (record !== undefined) return record.node ?? undefined;
    return this.tree.node(path);
  }

  /** find, or NoNode naming reportPath (the request's path). */
  private record(path: string, reportPath = path): PrepNode {
    const node = this.find(path);
    if (node === undefined) throw PaddockError.noNode(reportPath);
    return node;
  }

  private requirePerm(node: PrepNode, perm: number, path: string, ctx: PrepContext): void {
    if (this.options.skipAcl !== true && !checkAcl(node.acl, perm, ctx.ids, this.options.superDigest))
      throw PaddockError.noAuth(path, permName(perm));
  }

  /** ZooKeeper's checkAndIncVersion: absent or -1 matches any; int32 wraps as in Java. */
  private nextVersion(current: number, expected: number | undefined, path: string): number {
    if (expected !== undefined && expected !== -1 && expected !== current) {
      throw PaddockError.badVersion(path, expected, current);
    }
    return (current + 1) | 0;
  }

  private checkSize(path: string, size: number): void {
    const max = this.options.limits.requestBytesMax;
    if (size > max) {
      throw PaddockError.badArguments(
        path,
        `request is ${size} bytes, over requestBytesMax ${max} (jute.maxbuffer)`,
      );
    }
  }

  /** length: of the final path (a sequence suffix is 10 characters). */
  private checkPathLength(path: string, length: number): void {
    const max = this.options.limits.pathLengthMax;
    if (length > max) {
      throw PaddockError.badArguments(path, `path of ${length} characters, over pathLengthMax ${max}`);
    }
  }
}

/**
 * An ephemeral create of a local session. ZooKeeper's member holding the session refuses a single
 * create itself (EphemeralOnLocalSession), while a multi's goes to the leader, which refuses it so
 * only for its own local sessions: a session local to another member is unknown to its global
 * table, so SessionExpired (both pinned by test/clients/zk/local-sessions.test.ts).
 */
function refuseLocalEphemeral(path: string, where: "own" | "forwarded", inMulti: boolean): never {
  if (inMulti && where === "forwarded") {
    throw new PaddockError(
      Code.SessionExpired,
      path,
      `${path}: an ephemeral node needs a global session, and this one is local to the member it is connected to`,
    );
  }
  throw new PaddockError(
    Code.EphemeralOnLocalSession,
    path,
    `${path}: an ephemeral node needs a global session, and this one is local to its server (localSessionsEnabled without localSessionsUpgradingEnabled)`,
  );
}

/** A multi sub-txn: the tree uses the enclosing txn's zxid, session and time. */
function sub(body: TxnBody): Txn {
  return { zxid: 0n, sessionId: 0n, cxid: 0, time: 0n, origin: 0, originRef: 0, body };
}
