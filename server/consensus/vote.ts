/**
 * A vote in fast leader election: whom the sender would follow, and that candidate's history
 * (its current epoch and last zxid). Votes are ordered by epoch, then last zxid, then server id, as
 * ZooKeeper's FastLeaderElection orders them, so the member with the most recent history wins.
 */
export interface Vote {
  readonly leader: number;
  readonly epoch: number;
  readonly zxid: number;
}

/** Positive when `a` beats `b`. */
export function compareVotes(a: Vote, b: Vote): number {
  if (a.epoch !== b.epoch) return a.epoch - b.epoch;
  if (a.zxid !== b.zxid) return a.zxid - b.zxid;
  return a.leader - b.leader;
}

export function sameVote(a: Vote, b: Vote): boolean {
  return a.leader === b.leader && a.epoch === b.epoch && a.zxid === b.zxid;
}

/** A strict majority of the voters. */
export function quorumSize(voterCount: number): number {
  return Math.floor(voterCount / 2) + 1;
}

/** Whether `ids` (duplicates ignored, non-voters ignored) hold a majority of `voters`. */
export function isQuorum(ids: Iterable<number>, voters: ReadonlySet<number>): boolean {
  const seen = new Set<number>();
  for (const id of ids) if (voters.has(id)) seen.add(id);
  return seen.size >= quorumSize(voters.size);
}

/** The highest zxid that a quorum of voters has reached (each voter's zxid given once). */
export function quorumZxid(zxids: readonly number[], voterCount: number): number {
  const sorted = [...zxids].sort((x, y) => y - x);
  const q = quorumSize(voterCount);
  return sorted.length >= q ? sorted[q - 1]! : -1;
}
