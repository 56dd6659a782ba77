import type { MemberConfig } from "../../../server/consensus/member-config.js";
import type { ZabMessage } from "../../../server/consensus/messages.js";
import type { Role } from "../../../server/consensus/ready.js";
import { stepLooking, tickLooking } from "../../../server/consensus/step-looking.js";
import type { Vote } from "../../../server/consensus/vote.js";
import { type Random, ZabState } from "../../../server/consensus/zab-state.js";
import { makeZxid } from "../../../server/util/zxid.js";
import { describeMessage } from "./golden-harness.js";

// The LOOKING state driven message by message on a bare ZabState, so each test can read the votes,
// the round and the finalize-wait tick (docs/TESTING.md, mutation testing). ZabNode.step's own
// filters (a stranger's message, a newer configuration in a notification) are applied by the
// tests where they matter, as ZabNode does, with `s.activate`.

export const z = (counter: number, epoch = 1): number => makeZxid(epoch, counter);

const timing = { electionTimeoutTicks: 10, initLimitTicks: 30, syncLimitTicks: 10, heartbeatTicks: 2 };

/** Member `id` just started looking (round 1, its own vote), with history up to `zxid`. */
export function lookingMember(
  id: number,
  config: MemberConfig,
  o: { zxid?: number; random?: Random } = {},
): ZabState {
  const zxid = o.zxid ?? 0;
  const epoch = Math.floor(zxid / 2 ** 32);
  const s = new ZabState(id, config, timing, o.random, {
    acceptedEpoch: epoch,
    currentEpoch: epoch,
    lastZxid: zxid,
    log: [],
    logBase: zxid,
    committedZxid: zxid,
  });
  s.becomeLooking();
  s.outbox.length = 0;
  return s;
}

export const vote = (leader: number, zxid = 0): Vote => ({
  leader,
  epoch: Math.floor(zxid / 2 ** 32),
  zxid,
});

export function looking(
  v: Vote,
  round = 1,
  o: { config?: MemberConfig; pending?: MemberConfig } = {},
): ZabMessage {
  return { type: "notification", vote: v, round, state: "looking", ...o };
}

export function settled(
  leader: number,
  state: Role,
  o: { config?: MemberConfig; pending?: MemberConfig } = {},
): ZabMessage {
  return { type: "notification", vote: vote(leader), round: 1, state, ...o };
}

/** The messages sent since the last call, as "to message" lines (the golden traces' form). */
export function sent(s: ZabState): string[] {
  const out = s.outbox.map((o) => `${o.to} ${describeMessage(o.message)}`);
  s.outbox.length = 0;
  return out;
}

/** Steps one message and returns what it sent. */
export function step(s: ZabState, from: number, message: ZabMessage): string[] {
  stepLooking(s, from, message);
  return sent(s);
}

/** One tick, as ZabNode.tick takes it while looking. */
export function tick(s: ZabState): string[] {
  s.now++;
  tickLooking(s);
  return sent(s);
}

/** The voters whose vote is counted, in id order. */
export const counted = (s: ZabState): number[] => [...s.votes.keys()].sort((a, b) => a - b);
