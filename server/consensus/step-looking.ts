import { votersOf } from "./member-config.js";
import type { ZabMessage } from "./messages.js";
import { becomeLeading } from "./step-leader.js";
import { compareVotes, isQuorum, sameVote } from "./vote.js";
import type { ZabState } from "./zab-state.js";

type Notification = Extract<ZabMessage, { type: "notification" }>;

/**
 * Fast leader election (the LOOKING state). A member adopts any better vote of its round and
 * re-broadcasts; it decides when a quorum of voters holds the same vote as its own. A member that
 * finds a quorum already following a leader which itself says it leads joins that leader.
 */
export function stepLooking(s: ZabState, from: number, message: ZabMessage): void {
  if (message.type === "followerInfo") {
    // A peer that decided first follows us already; kept in case we decide to lead (it would
    // otherwise retransmit only after a tickTime), dropped if we follow someone else.
    s.earlyFollowerInfo.set(from, message);
    return;
  }
  if (message.type !== "notification") return;
  if (!s.isVoterAnywhere(from)) {
    // Observers never vote, but they learn whom to follow from our answer.
    if (message.state === "looking") s.send(from, s.notification());
    return;
  }
  if (message.state === "looking") lookingVote(s, from, message);
  else settledVote(s, from, message);
}

function lookingVote(s: ZabState, from: number, n: Notification): void {
  // As ZooKeeper's totalOrderPredicate: only a voter of our active configuration is a candidate,
  // and of the sender's when that is as new (a joiner's own view has itself; the ensemble's has
  // not). A joiner a pending reconfig adds may hold the best history, but it would lead by its
  // static view of the ensemble, itself counted, until that reconfig commits.
  const theirs = n.config !== undefined && n.config.version >= s.activeConfig.version ? n.config : undefined;
  const candidate = (id: number): boolean =>
    s.voters.has(id) && (theirs === undefined || theirs.members.some((m) => m.id === id && !m.observer));
  if (n.round > s.round) {
    s.round = n.round;
    s.votes.clear();
    const self = s.selfVote();
    const keepOwn = candidate(s.id) && (!candidate(n.vote.leader) || compareVotes(self, n.vote) > 0);
    s.vote = s.isVoter && keepOwn ? self : n.vote;
    if (s.isVoter) s.votes.set(s.id, s.vote);
    s.broadcastNotification();
  } else if (n.round < s.round) {
    // Help a member of an older round catch up; its vote does not count in ours.
    s.send(from, s.notification());
    return;
  } else if (candidate(n.vote.leader) && (compareVotes(n.vote, s.vote) > 0 || !candidate(s.vote.leader))) {
    s.vote = n.vote;
    if (s.isVoter) s.votes.set(s.id, s.vote);
    s.broadcastNotification();
  } else if (compareVotes(n.vote, s.vote) < 0) {
    // Its vote is behind ours: tell it now. It may have missed our broadcast (it was still
    // following when it came), and would otherwise learn it only at its next timeout.
    s.send(from, s.notification());
  }
  s.votes.set(from, n.vote);
  considerDeciding(s);
}

/**
 * A quorum agreeing is not enough at once: as ZooKeeper's finalizeWait, the member waits a few
 * ticks for a better vote still in flight (else it may follow a member that itself moves on, and
 * sit out initLimit). With every voter's vote in hand there is nothing left to wait for.
 */
function considerDeciding(s: ZabState): void {
  // A member a reconfig removed only waits to be told of a configuration that has it again.
  if (!s.isMember) return;
  const agreeing = [...s.votes].filter(([, v]) => sameVote(v, s.vote)).map(([id]) => id);
  if (!s.quorum(agreeing)) {
    s.decideAt = -1;
    return;
  }
  const voters = s.allVoters();
  if (agreeing.filter((id) => voters.has(id)).length === voters.size) {
    decide(s, s.vote.leader);
    return;
  }
  if (s.decideAt < 0) s.decideAt = s.now + FINALIZE_WAIT_TICKS;
}

/** Ticks to wait for a better vote once a quorum agrees. */
const FINALIZE_WAIT_TICKS = 2;

function settledVote(s: ZabState, from: number, n: Notification): void {
  s.outOfElection.set(from, {
    leader: n.vote.leader,
    state: n.state,
    ...(n.config === undefined ? {} : { config: n.config }),
    ...(n.pending === undefined ? {} : { pending: n.pending }),
  });
  const leader = n.vote.leader;
  if (leader === s.id) return;
  const said = s.outOfElection.get(leader);
  if (said?.state !== "leading") return;
  // A member of no configuration here follows only a leader whose pending reconfig adds it: that
  // reconfig needs its acks, and syncing brings the entry (and so its membership) into its log.
  const invited = !s.isMember;
  if (invited && !said.pending?.members.some((m) => m.id === s.id)) return;
  const backers = [...s.outOfElection].filter(([, v]) => v.leader === leader).map(([id]) => id);
  // A quorum of our view backs it, or (a joiner, whose view is the ensemble it is joining plus
  // itself) a quorum of the leader's own configuration, when that is at least as new as ours:
  // following gives a joiner no vote, so it cannot make two leaders commit.
  const theirs = said.config;
  const byTheirs =
    theirs !== undefined && theirs.version >= s.activeConfig.version && isQuorum(backers, votersOf(theirs));
  if (!s.quorum(backers) && !byTheirs) return;
  decide(s, leader);
  s.invited = invited;
}

function decide(s: ZabState, leader: number): void {
  s.decideAt = -1;
  if (leader === s.id) becomeLeading(s);
  else s.becomeFollowing(leader);
}

/** Re-sends the vote when the round is quiet (lost notifications); the round itself stays. */
export function tickLooking(s: ZabState): void {
  // A lone voter (one left by a reconfig) hears no other vote: its own is the quorum, as
  // ZooKeeper's notification to itself makes it; others decide when a vote arrives.
  if (s.decideAt < 0) considerDeciding(s);
  if (s.decideAt >= 0 && s.now >= s.decideAt) {
    s.decideAt = -1;
    const agreeing = [...s.votes].filter(([, v]) => sameVote(v, s.vote)).map(([id]) => id);
    if (s.isMember && s.quorum(agreeing)) {
      decide(s, s.vote.leader);
      return;
    }
  }
  if (s.now < s.deadline) return;
  s.broadcastNotification();
  s.resetDeadline(s.timing.electionTimeoutTicks, true);
}
