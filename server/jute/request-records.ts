// Request bodies of single ops: jute records read and turned into Paddock's ops.
import type {
  ACL,
  CheckRequest,
  CreateRequest,
  DeleteRequest,
  GetChildrenRequest,
  GetDataRequest,
  SetDataRequest,
} from "../gen/paddock/v1/data.js";
import type { Request } from "../gen/paddock/v1/session.js";
import { readAclVector, readString } from "./data-records.js";
import type { JuteReader } from "./jute-reader.js";
import { OpCode } from "./opcodes.js";

export type Op = NonNullable<Request["op"]>;

/** Paddock's values of its CreateMode/Consistency enums (gen/ is type-only here). */
export const MODE_CONTAINER = 4;
const MODE_TTL = 5;
const MODE_SEQUENTIAL_TTL = 6;
const CONSISTENCY_SEQUENTIAL = 0;

/** ZooKeeper's "any version" is -1; Paddock's is an absent version. Other negatives stay and fail the compare. */
export function versionOf(v: number): number | undefined {
  return v === -1 ? undefined : v;
}

/**
 * jute has no "default ACL": ZooKeeper answers an empty (or null) list with InvalidACL, where
 * Paddock reads an empty list as OPEN_ACL_UNSAFE. One entry without an id is what Paddock's
 * fixupAcl rejects as InvalidACL, at ZooKeeper's point in the order of create's checks.
 */
const INVALID_ACL: ACL[] = [{ perms: 0, id: undefined }];

function createAcl(acl: ACL[] | null): ACL[] {
  return acl === null || acl.length === 0 ? INVALID_ACL : acl;
}

/**
 * CreateRequest (create, create2, createContainer) or CreateTTLRequest (createTTL). The mode is
 * the flags, except that createContainer always makes a container (ZooKeeper writes a container
 * txn whatever the flags). ZooKeeper's "no TTL" is any negative ttl (create sends -1), Paddock's
 * is 0; a non-negative ttl with a non-TTL mode is BadArguments in both, so it stays non-zero.
 */
export function readCreate(r: JuteReader, opcode: number): CreateRequest {
  const path = readString(r, "create.path");
  const wireData = r.buffer("create.data");
  const data = wireData ?? Buffer.alloc(0);
  const acl = createAcl(readAclVector(r, "create.acl"));
  const flags = r.int("create.flags");
  const mode = opcode === OpCode.createContainer ? MODE_CONTAINER : flags;
  let ttl = 0n;
  if (opcode === OpCode.createTTL) {
    const wire = r.long("create.ttl");
    if (mode === MODE_TTL || mode === MODE_SEQUENTIAL_TTL) ttl = wire;
    else if (wire >= 0n) ttl = wire === 0n ? -1n : wire;
  }
  // A null buffer (length -1) is ZooKeeper's null data, kept apart from empty data.
  return wireData === null ? { path, data, acl, mode, ttl, dataNull: true } : { path, data, acl, mode, ttl };
}

export function readDelete(r: JuteReader): DeleteRequest {
  return { path: readString(r, "delete.path"), version: versionOf(r.int("delete.version")) };
}

export function readSetData(r: JuteReader): SetDataRequest {
  const path = readString(r, "setData.path");
  const wireData = r.buffer("setData.data");
  const version = versionOf(r.int("setData.version"));
  if (wireData === null) return { path, data: Buffer.alloc(0), version, dataNull: true };
  return { path, data: wireData, version };
}

export function readCheck(r: JuteReader): CheckRequest {
  return { path: readString(r, "check.path"), version: versionOf(r.int("check.version")) };
}

/** GetDataRequest, GetChildrenRequest, GetChildren2Request and ExistsRequest: {path, watch}. */
export function readPathWatch(r: JuteReader, what: string): GetDataRequest & GetChildrenRequest {
  const path = readString(r, `${what}.path`);
  const watch = r.bool(`${what}.watch`);
  return { path, watch, consistency: CONSISTENCY_SEQUENTIAL };
}

/** The Paddock op of a request whose body is one record; undefined for opcodes that are not ops. */
export function readSingleOp(r: JuteReader, opcode: number): Op | undefined {
  switch (opcode) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
    case OpCode.createTTL:
      return { $case: "create", value: readCreate(r, opcode) };
    case OpCode.delete:
      return { $case: "delete", value: readDelete(r) };
    case OpCode.exists:
      return { $case: "exists", value: readPathWatch(r, "exists") };
    case OpCode.getData:
      return { $case: "getData", value: readPathWatch(r, "getData") };
    case OpCode.setData:
      return { $case: "setData", value: readSetData(r) };
    case OpCode.getChildren:
    case OpCode.getChildren2:
      return { $case: "getChildren", value: readPathWatch(r, "getChildren") };
    case OpCode.getACL:
      return { $case: "getAcl", value: { path: readString(r, "getACL.path") } };
    case OpCode.setACL: {
      const path = readString(r, "setACL.path");
      // setACL's empty list is InvalidACL in Paddock too: no substitute needed.
      const acl = readAclVector(r, "setACL.acl") ?? [];
      return { $case: "setAcl", value: { path, acl, version: versionOf(r.int("setACL.version")) } };
    }
    case OpCode.sync:
      return { $case: "sync", value: { path: readString(r, "sync.path") } };
    case OpCode.reconfig: {
      // ReconfigRequest {joiningServers, leavingServers, newMembers: ustring (null: none); curConfigId: long}.
      const joiningServers = readString(r, "reconfig.joiningServers");
      const leavingServers = readString(r, "reconfig.leavingServers");
      const newMembers = readString(r, "reconfig.newMembers");
      const curConfigId = r.long("reconfig.curConfigId");
      return { $case: "reconfig", value: { joiningServers, leavingServers, newMembers, curConfigId } };
    }
    case OpCode.getEphemerals:
      return { $case: "getEphemerals", value: { prefixPath: readString(r, "getEphemerals.prefixPath") } };
    case OpCode.getAllChildrenNumber:
      return { $case: "getAllChildrenNumber", value: { path: readString(r, "getAllChildrenNumber.path") } };
    case OpCode.addWatch: {
      const path = readString(r, "addWatch.path");
      return { $case: "addWatch", value: { path, mode: r.int("addWatch.mode") } };
    }
    case OpCode.removeWatches: {
      const path = readString(r, "removeWatches.path");
      // ZooKeeper's WatcherType numbers (Children 1 … PersistentRecursive 5) are Paddock's.
      return { $case: "removeWatches", value: { path, type: r.int("removeWatches.type"), checkOnly: false } };
    }
    case OpCode.whoAmI:
      return { $case: "whoAmI", value: {} };
    default:
      return undefined;
  }
}
