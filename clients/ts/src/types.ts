/**
 * Public data types of the client and their conversions from the generated wire types. Names
 * follow ZooKeeper's Java API (CreateMode, Watcher.Event.EventType) so its users feel at home.
 */
import type { ACL as WireACL, Stat as WireStat } from "../gen/paddock/v1/data.js";
import { CreateMode } from "../gen/paddock/v1/data.js";
import { EventType } from "../gen/paddock/v1/session.js";

export interface Stat {
  czxid: bigint;
  mzxid: bigint;
  /** ms since the epoch */
  ctime: number;
  mtime: number;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: bigint;
  dataLength: number;
  numChildren: number;
  pzxid: bigint;
}

export interface Id {
  scheme: string;
  id: string;
}

export interface ACL {
  perms: number;
  id: Id;
}

export const Perms = { READ: 1, WRITE: 2, CREATE: 4, DELETE: 8, ADMIN: 16, ALL: 31 } as const;

/** world:anyone with every permission (ZooKeeper's OPEN_ACL_UNSAFE). */
export const OPEN_ACL_UNSAFE: ACL[] = [{ perms: Perms.ALL, id: { scheme: "world", id: "anyone" } }];
/** All permissions for the authenticated identities of the creator (ZooKeeper's CREATOR_ALL_ACL). */
export const CREATOR_ALL_ACL: ACL[] = [{ perms: Perms.ALL, id: { scheme: "auth", id: "" } }];
export const READ_ACL_UNSAFE: ACL[] = [{ perms: Perms.READ, id: { scheme: "world", id: "anyone" } }];

export type CreateModeName =
  | "PERSISTENT"
  | "EPHEMERAL"
  | "PERSISTENT_SEQUENTIAL"
  | "EPHEMERAL_SEQUENTIAL"
  | "CONTAINER"
  | "PERSISTENT_WITH_TTL"
  | "PERSISTENT_SEQUENTIAL_WITH_TTL";

const createModes: Record<CreateModeName, CreateMode> = {
  PERSISTENT: CreateMode.CREATE_MODE_PERSISTENT,
  EPHEMERAL: CreateMode.CREATE_MODE_EPHEMERAL,
  PERSISTENT_SEQUENTIAL: CreateMode.CREATE_MODE_PERSISTENT_SEQUENTIAL,
  EPHEMERAL_SEQUENTIAL: CreateMode.CREATE_MODE_EPHEMERAL_SEQUENTIAL,
  CONTAINER: CreateMode.CREATE_MODE_CONTAINER,
  PERSISTENT_WITH_TTL: CreateMode.CREATE_MODE_PERSISTENT_WITH_TTL,
  PERSISTENT_SEQUENTIAL_WITH_TTL: CreateMode.CREATE_MODE_PERSISTENT_SEQUENTIAL_WITH_TTL,
};

export function toCreateMode(mode: CreateModeName | number | undefined): CreateMode {
  if (mode === undefined) return CreateMode.CREATE_MODE_PERSISTENT;
  if (typeof mode === "number") {
    if (!Number.isInteger(mode) || mode < 0 || mode > 6) throw new RangeError(`unknown create mode ${mode}`);
    return mode as CreateMode;
  }
  const value = createModes[mode];
  if (value === undefined) throw new RangeError(`unknown create mode ${String(mode)}`);
  return value;
}

export function isSequential(mode: CreateMode): boolean {
  return (
    mode === CreateMode.CREATE_MODE_PERSISTENT_SEQUENTIAL ||
    mode === CreateMode.CREATE_MODE_EPHEMERAL_SEQUENTIAL ||
    mode === CreateMode.CREATE_MODE_PERSISTENT_SEQUENTIAL_WITH_TTL
  );
}

export type EventTypeName =
  | "None"
  | "NodeCreated"
  | "NodeDeleted"
  | "NodeDataChanged"
  | "NodeChildrenChanged"
  | "DataWatchRemoved"
  | "ChildWatchRemoved"
  | "PersistentWatchRemoved";

const eventTypeNames: Record<EventType, EventTypeName> = {
  [EventType.EVENT_TYPE_NONE]: "None",
  [EventType.EVENT_TYPE_NODE_CREATED]: "NodeCreated",
  [EventType.EVENT_TYPE_NODE_DELETED]: "NodeDeleted",
  [EventType.EVENT_TYPE_NODE_DATA_CHANGED]: "NodeDataChanged",
  [EventType.EVENT_TYPE_NODE_CHILDREN_CHANGED]: "NodeChildrenChanged",
  [EventType.EVENT_TYPE_DATA_WATCH_REMOVED]: "DataWatchRemoved",
  [EventType.EVENT_TYPE_CHILD_WATCH_REMOVED]: "ChildWatchRemoved",
  [EventType.EVENT_TYPE_PERSISTENT_WATCH_REMOVED]: "PersistentWatchRemoved",
};

export function eventTypeName(type: EventType): EventTypeName {
  return eventTypeNames[type] ?? "None";
}

export interface WatchEvent {
  type: EventTypeName;
  path: string;
  /** zxid of the transaction that fired the event; 0 for events the client made (…WatchRemoved). */
  zxid: bigint;
}

export type Watcher = (event: WatchEvent) => void;

const zeroStat: Stat = {
  czxid: 0n,
  mzxid: 0n,
  ctime: 0,
  mtime: 0,
  version: 0,
  cversion: 0,
  aversion: 0,
  ephemeralOwner: 0n,
  dataLength: 0,
  numChildren: 0,
  pzxid: 0n,
};

export function fromWireStat(stat: WireStat | undefined): Stat {
  if (stat === undefined) return { ...zeroStat };
  return {
    czxid: stat.czxid,
    mzxid: stat.mzxid,
    ctime: Number(stat.ctime),
    mtime: Number(stat.mtime),
    version: stat.version,
    cversion: stat.cversion,
    aversion: stat.aversion,
    ephemeralOwner: stat.ephemeralOwner,
    dataLength: stat.dataLength,
    numChildren: stat.numChildren,
    pzxid: stat.pzxid,
  };
}

export function fromWireAcl(acl: WireACL[]): ACL[] {
  return acl.map((a) => ({ perms: a.perms, id: { scheme: a.id?.scheme ?? "", id: a.id?.id ?? "" } }));
}

export function toWireAcl(acl: readonly ACL[]): WireACL[] {
  return acl.map((a) => ({ perms: a.perms, id: { scheme: a.id.scheme, id: a.id.id } }));
}

/** Data as bytes without copying: strings are UTF-8. */
export function toBuffer(data: Uint8Array | string | undefined): Buffer {
  if (data === undefined) return Buffer.alloc(0);
  if (typeof data === "string") return Buffer.from(data, "utf8");
  if (Buffer.isBuffer(data)) return data;
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}
