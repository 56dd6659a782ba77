import type { ZabMessage } from "../../server/consensus/messages.js";
import type { EntryHistory } from "../../server/consensus/ready.js";
import type { InvariantChecker } from "./invariant-check.js";
import type { Member, SnapPayload } from "./member.js";
import type { SimContext } from "./sim-context.js";

/** The member's history as the core reads it for DIFF (counted); the planted bug loses an entry. */
export function historyOf(ctx: SimContext, m: Member): EntryHistory {
  return {
    has: (zxid) => m.history.has(zxid),
    between: (after, upTo) => {
      const entries = m.history.between(after, upTo);
      if (entries !== undefined && entries.length > 0) ctx.stats.diffFromHistory++;
      if (ctx.options.plant === "history-gap" && entries !== undefined && entries.length > 2)
        entries.splice(entries.length >> 1, 1);
      return entries;
    },
  };
}

/** What a SNAP from `from` carries: its applied entries and its real snapshot bytes. */
export function snapPayload(ctx: SimContext, from: Member, message: ZabMessage): SnapPayload | undefined {
  if (message.type !== "snap") return undefined;
  const snapshot = { entries: [...from.applied], bytes: from.state.encode() };
  if ((from.applied[from.applied.length - 1]?.zxid ?? 0) !== message.zxid) {
    ctx.fail(`snap at ${message.zxid} but member ${from.id} applied ${from.applied.length} entries`);
  }
  return snapshot;
}

/** SNAP: the member's disk, applied entries, tree and history become the received snapshot's. */
export function installSnapshot(ctx: SimContext, checks: InvariantChecker, m: Member, zxid: number): void {
  const payload = m.snapshots.get(zxid);
  if (payload === undefined) ctx.fail(`member ${m.id} installs an unknown snapshot`);
  checks.checkExtends(m, payload.entries);
  m.disk.log = [...payload.entries];
  for (const u of m.unsynced) u.entries = [];
  m.disk.appliedZxid = zxid;
  m.applied = [...payload.entries];
  m.state.install(zxid, payload.bytes);
  m.history.reset(zxid);
  checks.checkDigest(m, zxid);
  m.snapshots.clear();
}

/** TRUNC: the log, written or not yet fsynced, and the history lose everything after `to`. */
export function truncateLog(ctx: SimContext, m: Member, to: number): void {
  if (to < m.disk.appliedZxid) ctx.fail(`member ${m.id} truncates below applied`);
  m.disk.log = m.disk.log.filter((e) => e.zxid <= to);
  m.history.truncate(to);
  for (const u of m.unsynced) u.entries = u.entries.filter((e) => e.zxid <= to);
}
