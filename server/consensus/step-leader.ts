import { assert } from "../util/assert.js";
import type { ZabMessage } from "./messages.js";
import type { Entry } from "./ready.js";
import { quorumZxid } from "./vote.js";
import type { LearnerState, ZabState } from "./zab-state.js";

/**
 * The leader: discovery (a new epoch above every acceptedEpoch of a quorum), synchronisation (DIFF,
 * TRUNC or SNAP per learner, then NEWLEADER), broadcast (proposals, cumulative acks, commits on a
 * quorum of voters, informs to observers). Until a quorum acked NEWLEADER nothing is proposed.
 */
export function becomeLeading(s: ZabState): void {
  const early = [...s.earlyFollowerInfo];
  s.earlyFollowerInfo.clear();
  s.resetRole("leading", "discovery");
  s.resetDeadline(s.timing.initLimitTicks, false);
  for (const [from, info] of early) onFollowerInfo(s, from, info);
  leaderProgress(s);
}

export function stepLeader(s: ZabState, from: number, message: ZabMessage): void {
  if (message.type === "followerInfo") {
    onFollowerInfo(s, from, message);
    return;
  }
  const learner = s.learners.get(from);
  if (learner === undefined) return;
  learner.heardTick = s.now;
  switch (message.type) {
    case "ackEpoch":
      if (!s.learnerEpochOk(message.epoch) || learner.epochAcked) return;
      // Only a voter of the active configuration counts: a committed entry is on a quorum of
      // those, which intersects the quorum that elected us, so a learner outside it (a joiner)
      // that looks ahead holds nothing committed we lack, and it could not lead anyway.
      if (s.phase === "epochAck" && message.fresh && s.voters.has(from)) {
        // ZooKeeper's check: a learner of the epoch quorum with a more recent history than ours
        // means this election chose wrongly; stepping down keeps its entries from being lost.
        const ahead =
          message.currentEpoch > s.currentEpoch ||
          (message.currentEpoch === s.currentEpoch && message.lastZxid > s.lastZxid);
        if (ahead) {
          s.becomeLooking();
          return;
        }
      }
      learner.epochAcked = true;
      learner.freshAck = message.fresh;
      learner.lastZxid = message.lastZxid;
      if (s.phase === "sync" || s.phase === "broadcast") startSync(s, from, learner);
      {
        leaderProgress(s);
        return;
      }
    case "ackNewLeader":
      if (!s.learnerEpochOk(message.epoch) || !learner.syncing) return;
      learner.newLeaderAcked = true;
      learner.ackedZxid = Math.max(learner.ackedZxid, message.zxid);
      if (s.phase === "broadcast")
        s.send(from, { type: "upToDate", epoch: s.newEpoch, commitZxid: s.commitZxid });
      leaderProgress(s);
      {
        maybeCommit(s);
        return;
      }
    case "ack":
      if (!s.learnerEpochOk(message.epoch) || !learner.newLeaderAcked || learner.observer) return;
      learner.ackedZxid = Math.max(learner.ackedZxid, message.zxid);
      {
        maybeCommit(s);
        return;
      }
    default:
      return;
  }
}

function onFollowerInfo(
  s: ZabState,
  from: number,
  info: Extract<ZabMessage, { type: "followerInfo" }>,
): void {
  // A member of no configuration here is a joiner: it syncs and follows without a vote (as its own
  // followerInfo says) until a reconfig adds it; it never makes this leader step down.
  const member = s.knows(from);
  if (!member && (info.acceptedEpoch > s.newEpoch || s.phase === "discovery")) return;
  const observer = member ? !s.isVoterAnywhere(from) : info.observer;
  if (info.acceptedEpoch > s.newEpoch && s.phase !== "discovery") {
    // It promised a would-be leader an epoch above ours, so it can never follow this one; only
    // a new election, whose discovery counts its epoch, brings it back (else it loops forever).
    s.becomeLooking();
    return;
  }
  const known = s.learners.get(from);
  if (known !== undefined && known.attempt === info.attempt) {
    // A retransmission: answer again only if it still waits for the epoch.
    known.heardTick = s.now;
    if (s.phase !== "discovery" && !known.epochAcked) s.send(from, { type: "leaderInfo", epoch: s.newEpoch });
    return;
  }
  s.learners.set(from, {
    observer,
    attempt: info.attempt,
    acceptedEpoch: info.acceptedEpoch,
    lastZxid: info.lastZxid,
    epochAcked: false,
    freshAck: false,
    syncing: false,
    newLeaderAcked: false,
    sentZxid: 0,
    ackedZxid: 0,
    heardTick: s.now,
  });
  if (s.phase !== "discovery") s.send(from, { type: "leaderInfo", epoch: s.newEpoch });
  leaderProgress(s);
}

function votersWhere(s: ZabState, test: (l: LearnerState) => boolean): number[] {
  const ids = [s.id];
  for (const [id, l] of s.learners) if (!l.observer && test(l)) ids.push(id);
  return ids;
}

/** Moves through discovery → epochAck → sync → broadcast as quorums arrive. */
export function leaderProgress(s: ZabState): void {
  if (s.phase === "discovery" && s.quorum(votersWhere(s, () => true))) {
    let epoch = s.acceptedEpoch;
    for (const l of s.learners.values()) if (!l.observer) epoch = Math.max(epoch, l.acceptedEpoch);
    s.newEpoch = epoch + 1;
    s.setAcceptedEpoch(s.newEpoch);
    s.phase = "epochAck";
    for (const id of s.learners.keys()) s.send(id, { type: "leaderInfo", epoch: s.newEpoch });
  }
  if (s.phase === "epochAck" && s.quorum(votersWhere(s, (l) => l.epochAcked && l.freshAck))) {
    s.phase = "sync";
    // The history this epoch starts from: committed as a whole once a quorum has it.
    s.historyZxid = s.lastZxid;
    s.nextCounter = 0;
    for (const [id, l] of s.learners) if (l.epochAcked) startSync(s, id, l);
  }
  if (
    s.phase === "sync" &&
    s.persistedZxid >= s.historyZxid &&
    s.quorum(votersWhere(s, (l) => l.newLeaderAcked))
  ) {
    s.phase = "broadcast";
    s.setCurrentEpoch(s.newEpoch);
    s.commitZxid = Math.max(s.commitZxid, s.historyZxid);
    s.resetDeadline(s.timing.heartbeatTicks, false);
    for (const [id, l] of s.learners) {
      if (l.newLeaderAcked) s.send(id, { type: "upToDate", epoch: s.newEpoch, commitZxid: s.commitZxid });
    }
  }
}

/** The entries after `peer` up to logBase from the driver's history, if it holds all of them. */
function olderEntries(s: ZabState, peer: number): readonly Entry[] | undefined {
  if (s.history === undefined || !s.history.has(peer)) return undefined;
  const older = s.history.between(peer, s.logBase);
  if (older === undefined || older.length === 0 || older[older.length - 1]!.zxid !== s.logBase)
    return undefined;
  return older;
}

/** Chooses DIFF, TRUNC or SNAP from our log and the learner's last zxid, then sends NEWLEADER. */
function startSync(s: ZabState, id: number, l: LearnerState): void {
  const epoch = s.newEpoch;
  const last = s.lastZxid;
  const peer = l.lastZxid;
  let from: number;
  let older: readonly Entry[] | undefined;
  if (peer >= last) {
    // Equal: nothing to send. Above: its tail was never committed (our history wins the election).
    s.send(id, peer === last ? { type: "diff", epoch, zxid: last } : { type: "trunc", epoch, zxid: last });
    from = last;
  } else if (peer >= s.logBase && s.hasZxid(peer)) {
    s.send(id, { type: "diff", epoch, zxid: peer });
    from = peer;
  } else if (peer > s.logBase) {
    // It has entries we do not: truncate to the last of ours below them, then send the rest.
    const i = s.indexAfter(peer) - 1;
    from = i >= 0 ? s.log[i]!.zxid : s.logBase;
    s.send(id, { type: "trunc", epoch, zxid: from });
  } else if ((older = olderEntries(s, peer)) !== undefined) {
    // Behind the in-memory log but within the driver's history: DIFF from there.
    s.send(id, { type: "diff", epoch, zxid: peer });
    from = peer;
  } else {
    assert(s.appliedZxid >= s.logBase, "entries after the applied state are kept for SNAP");
    from = s.appliedZxid;
    s.send(id, { type: "snap", epoch, zxid: from, config: s.activeConfig });
  }
  let prev = from;
  for (const entry of older ?? []) {
    s.send(id, { type: "proposal", epoch, prevZxid: prev, entry });
    prev = entry.zxid;
  }
  for (const entry of s.entriesBetween(prev, last)) {
    s.send(id, { type: "proposal", epoch, prevZxid: prev, entry });
    prev = entry.zxid;
  }
  s.send(id, { type: "newLeader", epoch, zxid: last });
  l.syncing = true;
  l.sentZxid = last;
}

/**
 * Commits the highest zxid a quorum of voters (this member included) holds durably. From a pending
 * reconfig's zxid on, a quorum of its voters must hold it too (joint consensus): a new
 * configuration and everything after it commit only when both quorums have them.
 */
export function maybeCommit(s: ZabState): void {
  if (s.phase !== "broadcast") return;
  const acked = new Map<number, number>([[s.id, s.persistedZxid]]);
  for (const [id, l] of s.learners) if (!l.observer && l.newLeaderAcked) acked.set(id, l.ackedZxid);
  let zxid = quorumZxidOf(acked, s.voters);
  for (const p of s.pendingConfigs) {
    if (zxid < p.config.version) break;
    const inNew = quorumZxidOf(acked, p.voters);
    zxid = inNew >= p.config.version ? Math.min(zxid, inNew) : s.zxidBefore(p.config.version);
  }
  zxid = Math.min(zxid, s.lastZxid);
  if (zxid <= s.commitZxid) return;
  s.commitZxid = zxid;
  for (const [id, l] of s.learners) {
    if (!l.syncing) continue;
    if (!l.observer) {
      s.send(id, { type: "commit", epoch: s.newEpoch, zxid });
      continue;
    }
    for (const entry of s.entriesBetween(l.sentZxid, zxid)) {
      s.send(id, { type: "inform", epoch: s.newEpoch, prevZxid: l.sentZxid, entry });
      l.sentZxid = entry.zxid;
    }
  }
}

/** Sends a new proposal to every synchronising or synchronised follower, in zxid order. */
export function broadcastProposal(s: ZabState, entry: ZabState["log"][number]): void {
  for (const [id, l] of s.learners) {
    if (!l.syncing || l.observer) continue;
    s.send(id, { type: "proposal", epoch: s.newEpoch, prevZxid: l.sentZxid, entry });
    l.sentZxid = entry.zxid;
  }
}

/** Timeouts: establish within initLimit; afterwards ping, and step down without a quorum in touch. */
export function tickLeader(s: ZabState): void {
  if (s.phase !== "broadcast") {
    if (s.now >= s.deadline) s.becomeLooking();
    return;
  }
  for (const [id, l] of s.learners) {
    if (s.now - l.heardTick > s.timing.syncLimitTicks) s.learners.delete(id);
  }
  if (!s.quorum(votersWhere(s, (l) => l.newLeaderAcked))) {
    s.becomeLooking();
    return;
  }
  if (s.now >= s.deadline) {
    for (const id of s.learners.keys()) s.send(id, { type: "ping", epoch: s.newEpoch });
    s.resetDeadline(s.timing.heartbeatTicks, false);
  }
}

/** The highest zxid a quorum of `voters` holds, from each voter's acknowledged zxid. */
function quorumZxidOf(acked: ReadonlyMap<number, number>, voters: ReadonlySet<number>): number {
  const zxids: number[] = [];
  for (const id of voters) {
    const zxid = acked.get(id);
    if (zxid !== undefined) zxids.push(zxid);
  }
  return quorumZxid(zxids, voters.size);
}
