import type { ZabMessage } from "./messages.js";
import type { ZabState } from "./zab-state.js";

/**
 * Followers and observers: accept the leader's epoch, synchronise (DIFF, TRUNC, SNAP, then NEWLEADER),
 * then log proposals and commit what the leader commits. Anything out of order (a gap, a commit for
 * an entry it lacks) means the stream broke: the member goes back to LOOKING rather than guess.
 */
export function stepFollower(s: ZabState, from: number, message: ZabMessage): void {
  if (from !== s.leader || message.type === "notification" || message.type === "followerInfo") return;
  if (message.type === "leaderInfo") {
    onLeaderInfo(s, message.epoch);
    return;
  }
  if (s.phase === "discovery" || message.epoch !== s.newEpoch) return;
  s.heardTick = s.now;
  switch (message.type) {
    case "diff":
      if (message.zxid !== s.lastZxid) {
        s.becomeLooking();
        return;
      }
      return;
    case "trunc":
      // Below our commit point it would lose a committed entry: truncate() asserts it never does.
      s.truncate(message.zxid);
      return;
    case "snap":
      s.installSnapshot(message.zxid);
      if (message.config !== undefined) s.activate(message.config);
      return;
    case "proposal":
    case "inform":
      if (message.prevZxid !== s.lastZxid) {
        s.becomeLooking();
        return;
      }
      s.append(message.entry);
      if (message.type === "inform") s.commitZxid = message.entry.zxid;
      return;
    case "newLeader":
      if (message.zxid !== s.lastZxid) {
        s.becomeLooking();
        return;
      }
      s.phase = "broadcast";
      // The ack counts toward the quorum that commits the synced history, so it leaves only once
      // that history is durable here (as ZooKeeper's learner logs before it acks NEWLEADER). The
      // new currentEpoch waits too: a member whose epoch says "synced" but whose log lost the
      // history in a crash would win the next election (votes compare epochs first) and TRUNC
      // committed entries away.
      s.newLeaderAckZxid = s.lastZxid;
      ackNewLeaderWhenDurable(s);
      return;
    case "upToDate":
    case "commit": {
      const zxid = message.type === "commit" ? message.zxid : message.commitZxid;
      if (zxid > s.lastZxid) {
        s.becomeLooking();
        return;
      }
      s.commitZxid = Math.max(s.commitZxid, zxid);
      return;
    }
    case "ping":
      s.send(s.leader, { type: "ping", epoch: message.epoch });
      return;
    default:
      return;
  }
}

function onLeaderInfo(s: ZabState, epoch: number): void {
  if (s.phase !== "discovery") return;
  if (epoch < s.acceptedEpoch) {
    s.becomeLooking();
    return;
  }
  // Accepting the same epoch twice (from another leader, or after a restart) must not count towards
  // its quorum: ZooKeeper's ACKEPOCH with -1.
  const fresh = epoch > s.acceptedEpoch;
  if (fresh) s.setAcceptedEpoch(epoch);
  s.newEpoch = epoch;
  s.phase = "sync";
  s.heardTick = s.now;
  s.send(s.leader, { type: "ackEpoch", epoch, fresh, currentEpoch: s.currentEpoch, lastZxid: s.lastZxid });
}

/**
 * Retransmits FOLLOWERINFO until the leader answers. Synchronisation must finish within initLimit
 * of connecting (pings alone do not keep a stuck sync alive); afterwards a silent leader is dropped
 * after syncLimit.
 */
export function tickFollower(s: ZabState): void {
  if (s.phase !== "broadcast") {
    if (s.now >= s.deadline) s.becomeLooking();
    else if (s.phase === "discovery" && (s.now - s.heardTick) % s.timing.heartbeatTicks === 0)
      s.sendFollowerInfo();
    return;
  }
  if (s.now - s.heardTick > s.timing.syncLimitTicks) s.becomeLooking();
}

/** Sends the pending NEWLEADER ack once everything it covers is persisted. */
export function ackNewLeaderWhenDurable(s: ZabState): void {
  const zxid = s.newLeaderAckZxid;
  if (zxid === undefined || s.persistedZxid < zxid) return;
  s.newLeaderAckZxid = undefined;
  // Persisted with this Ready's hard state before the ack is sent (Ready's contract).
  s.setCurrentEpoch(s.newEpoch);
  s.send(s.leader, { type: "ackNewLeader", epoch: s.newEpoch, zxid });
}
