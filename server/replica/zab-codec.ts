import type { MemberConfig } from "../consensus/member-config.js";
import type { ZabMessage } from "../consensus/messages.js";
import type { Role } from "../consensus/ready.js";
import { PeerRole, type ZabPacket, ZabType } from "../gen/paddock/internal/v1/peer.js";
import { PaddockError } from "../util/paddock-error.js";
import { zxidFromWire } from "../util/zxid.js";

const roleToWire: Record<Role, PeerRole> = {
  looking: PeerRole.PEER_ROLE_LOOKING,
  following: PeerRole.PEER_ROLE_FOLLOWING,
  leading: PeerRole.PEER_ROLE_LEADING,
  observing: PeerRole.PEER_ROLE_OBSERVING,
};

const roleFromWire = new Map<PeerRole, Role>(
  Object.entries(roleToWire).map(([role, wire]) => [wire, role as Role]),
);

/** A packet with every field at its zero value; each type sets what it uses. */
function blank(type: ZabType, epoch: number): ZabPacket {
  return {
    type,
    epoch: BigInt(epoch),
    zxid: 0n,
    prevZxid: 0n,
    txn: undefined,
    voteLeader: 0,
    voteEpoch: 0n,
    voteZxid: 0n,
    round: 0n,
    state: PeerRole.PEER_ROLE_UNSPECIFIED,
    attempt: 0n,
    acceptedEpoch: 0n,
    currentEpoch: 0n,
    lastZxid: 0n,
    observer: false,
    fresh: false,
    trace: undefined,
    config: [],
    configVersion: 0n,
    pendingConfig: [],
    pendingConfigVersion: 0n,
  };
}

const zxidTypes = {
  diff: ZabType.ZAB_TYPE_DIFF,
  trunc: ZabType.ZAB_TYPE_TRUNC,
  snap: ZabType.ZAB_TYPE_SNAP,
  newLeader: ZabType.ZAB_TYPE_NEW_LEADER,
  ackNewLeader: ZabType.ZAB_TYPE_ACK_NEW_LEADER,
  ack: ZabType.ZAB_TYPE_ACK,
  commit: ZabType.ZAB_TYPE_COMMIT,
} as const;

/** The messages that carry just an epoch and a zxid, by wire type. */
const zxidTypeNames = new Map(
  (Object.entries(zxidTypes) as [keyof typeof zxidTypes, ZabType][]).map(([name, wire]) => [wire, name]),
);

/** The core's message as a protobuf packet (the transport serialises it). */
export function zabToWire(m: ZabMessage): ZabPacket {
  switch (m.type) {
    case "notification": {
      const p = blank(ZabType.ZAB_TYPE_NOTIFICATION, 0);
      p.voteLeader = m.vote.leader;
      p.voteEpoch = BigInt(m.vote.epoch);
      p.voteZxid = BigInt(m.vote.zxid);
      p.round = BigInt(m.round);
      p.state = roleToWire[m.state];
      withConfig(p, m.config);
      if (m.pending !== undefined) {
        p.pendingConfig = [...m.pending.members];
        p.pendingConfigVersion = BigInt(m.pending.version);
      }
      return p;
    }
    case "followerInfo": {
      const p = blank(ZabType.ZAB_TYPE_FOLLOWER_INFO, 0);
      p.attempt = BigInt(m.attempt);
      p.acceptedEpoch = BigInt(m.acceptedEpoch);
      p.currentEpoch = BigInt(m.currentEpoch);
      p.lastZxid = BigInt(m.lastZxid);
      p.observer = m.observer;
      return p;
    }
    case "leaderInfo":
      return blank(ZabType.ZAB_TYPE_LEADER_INFO, m.epoch);
    case "ackEpoch": {
      const p = blank(ZabType.ZAB_TYPE_ACK_EPOCH, m.epoch);
      p.fresh = m.fresh;
      p.currentEpoch = BigInt(m.currentEpoch);
      p.lastZxid = BigInt(m.lastZxid);
      return p;
    }
    case "upToDate": {
      const p = blank(ZabType.ZAB_TYPE_UP_TO_DATE, m.epoch);
      p.zxid = BigInt(m.commitZxid);
      return p;
    }
    case "proposal":
    case "inform": {
      const p = blank(m.type === "proposal" ? ZabType.ZAB_TYPE_PROPOSAL : ZabType.ZAB_TYPE_INFORM, m.epoch);
      p.prevZxid = BigInt(m.prevZxid);
      p.txn = m.entry.txn;
      return p;
    }
    case "ping":
      return blank(ZabType.ZAB_TYPE_PING, m.epoch);
    default: {
      const p = blank(zxidTypes[m.type], m.epoch);
      p.zxid = BigInt(m.zxid);
      if (m.type === "snap") withConfig(p, m.config);
      return p;
    }
  }
}

function withConfig(p: ZabPacket, config: MemberConfig | undefined): void {
  if (config === undefined) return;
  p.config = [...config.members];
  p.configVersion = BigInt(config.version);
}

/** The configuration a notification or snap carries; none when it has no members. */
function configFromWire(p: ZabPacket): MemberConfig | undefined {
  return membersFromWire(p.config, p.configVersion, "configVersion");
}

function membersFromWire(
  members: ZabPacket["config"],
  version: bigint,
  field: string,
): MemberConfig | undefined {
  if (members.length === 0) return undefined;
  const ids = new Set(members.map((m) => m.id));
  if (ids.size !== members.length) bad("configuration with a repeated member id");
  if (!members.some((m) => !m.observer)) bad("configuration without a voter");
  return { version: num(version, field), members };
}

const ZXID_WIRE_MAX = BigInt(Number.MAX_SAFE_INTEGER);

function bad(what: string): never {
  throw PaddockError.badArguments("", `peer packet: ${what}`);
}

/**
 * A zxid, epoch or counter field as a number. Out of range (negative, or past 2^53, where the
 * server's numbers stop being exact) is a malformed packet, not a broken invariant: zxidFromWire
 * would assert and stop the member on a peer's bad bytes.
 */
function num(n: bigint, field: string): number {
  if (n < 0n || n > ZXID_WIRE_MAX) bad(`${field} ${n} is out of range 0..${ZXID_WIRE_MAX}`);
  return zxidFromWire(n);
}

/** A received packet as the core's message; a malformed packet throws (the stream is dropped). */
export function zabFromWire(p: ZabPacket): ZabMessage {
  const epoch = num(p.epoch, "epoch");
  switch (p.type) {
    case ZabType.ZAB_TYPE_NOTIFICATION: {
      const state = roleFromWire.get(p.state) ?? bad(`notification with state ${p.state}`);
      const vote = {
        leader: p.voteLeader,
        epoch: num(p.voteEpoch, "voteEpoch"),
        zxid: num(p.voteZxid, "voteZxid"),
      };
      const config = configFromWire(p);
      const pending = membersFromWire(p.pendingConfig, p.pendingConfigVersion, "pendingConfigVersion");
      return {
        type: "notification",
        vote,
        round: num(p.round, "round"),
        state,
        ...(config === undefined ? {} : { config }),
        ...(pending === undefined ? {} : { pending }),
      };
    }
    case ZabType.ZAB_TYPE_FOLLOWER_INFO:
      return {
        type: "followerInfo",
        attempt: num(p.attempt, "attempt"),
        acceptedEpoch: num(p.acceptedEpoch, "acceptedEpoch"),
        currentEpoch: num(p.currentEpoch, "currentEpoch"),
        lastZxid: num(p.lastZxid, "lastZxid"),
        observer: p.observer,
      };
    case ZabType.ZAB_TYPE_LEADER_INFO:
      return { type: "leaderInfo", epoch };
    case ZabType.ZAB_TYPE_ACK_EPOCH:
      return {
        type: "ackEpoch",
        epoch,
        fresh: p.fresh,
        currentEpoch: num(p.currentEpoch, "currentEpoch"),
        lastZxid: num(p.lastZxid, "lastZxid"),
      };
    case ZabType.ZAB_TYPE_UP_TO_DATE:
      return { type: "upToDate", epoch, commitZxid: num(p.zxid, "zxid") };
    case ZabType.ZAB_TYPE_PROPOSAL:
    case ZabType.ZAB_TYPE_INFORM: {
      const txn = p.txn ?? bad("proposal without a transaction");
      const entry = { zxid: num(txn.zxid, "txn.zxid"), txn };
      const type = p.type === ZabType.ZAB_TYPE_PROPOSAL ? "proposal" : "inform";
      return { type, epoch, prevZxid: num(p.prevZxid, "prevZxid"), entry };
    }
    case ZabType.ZAB_TYPE_PING:
      return { type: "ping", epoch };
    default: {
      const type = zxidTypeNames.get(p.type) ?? bad(`unknown type ${p.type}`);
      const zxid = num(p.zxid, "zxid");
      const config = type === "snap" ? configFromWire(p) : undefined;
      return config === undefined ? { type, epoch, zxid } : { type: "snap", epoch, zxid, config };
    }
  }
}
