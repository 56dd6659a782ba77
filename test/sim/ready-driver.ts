import type { Ready } from "../../server/consensus/ready.js";
import { Txn } from "../../server/gen/paddock/internal/v1/txn.js";
import { zxidEpoch } from "../../server/util/zxid.js";
import type { ConfigChecker } from "./config-check.js";
import type { FaultInjector } from "./fault-injector.js";
import type { InvariantChecker } from "./invariant-check.js";
import type { Member } from "./member.js";
import type { Network } from "./network.js";
import type { SimContext } from "./sim-context.js";
import { installSnapshot, truncateLog } from "./state-transfer.js";
import type { ZkClients } from "./zk-clients.js";

const encodeTxn = (txn: Txn): Uint8Array => Txn.encode(txn).finish();

/** What the driver needs from the rest of the simulator. */
export interface DriverParts {
  readonly checks: InvariantChecker;
  readonly configs: ConfigChecker | undefined;
  readonly clients: ZkClients;
  readonly faults: FaultInjector;
  readonly network: Network;
}

/**
 * The Ready loop as the server runs it, around a member's core: persist, send, apply, advance, in
 * the order the Ready contract gives; fsync completes later (FaultInjector.syncDelay) and the
 * core acks only after persisted(), in Ready order. The planted driver bugs act here, but
 * history-gap (state-transfer.ts).
 */
export class ReadyDriver {
  constructor(
    private readonly ctx: SimContext,
    private readonly parts: DriverParts,
  ) {}

  drain(m: Member): void {
    const node = m.node;
    if (node === undefined) return;
    const { options } = this.ctx;
    const { checks, configs, clients } = this.parts;
    while (node.hasReady()) {
      const ready: Ready = node.ready();
      if (ready.snapshotZxid !== undefined) installSnapshot(this.ctx, checks, m, ready.snapshotZxid);
      if (ready.truncateTo !== undefined && options.plant !== "skip-trunc")
        truncateLog(this.ctx, m, ready.truncateTo);
      if (ready.hardState) {
        m.disk.acceptedEpoch = ready.hardState.acceptedEpoch;
        m.disk.currentEpoch = ready.hardState.currentEpoch;
        if (ready.role === "leading" && node.isBroadcasting)
          checks.claimEpoch(ready.hardState.currentEpoch, m.id);
      }
      if (ready.config !== undefined) {
        configs?.activation(m.id, ready.config.active);
        // As the server's dynamic config file. The planted bug writes the newest proposed one.
        const pending = ready.config.pending[ready.config.pending.length - 1];
        m.disk.config =
          options.plant === "config-from-pending" ? (pending ?? ready.config.active) : ready.config.active;
      }
      const written = [...m.disk.log, ...m.unsynced.flatMap((u) => u.entries)];
      let last = written[written.length - 1]?.zxid ?? 0;
      for (const e of ready.entries) {
        if (e.zxid <= last) this.ctx.fail(`member ${m.id} persists ${e.zxid} after ${last}`);
        if (ready.role === "leading") checks.claimEpoch(zxidEpoch(e.zxid), m.id);
        m.history.append(e.zxid, encodeTxn(e.txn), last);
        last = e.zxid;
      }
      for (const out of ready.messages) this.parts.network.send(m, out.to, out.message);
      const committed = options.plant === "apply-reversed" ? [...ready.committed].reverse() : ready.committed;
      for (const e of committed) {
        if (!m.disk.log.some((d) => d.zxid === e.zxid))
          this.ctx.fail(`member ${m.id} applies unpersisted ${e.zxid}`);
        checks.checkChain(m.applied.length, e);
        m.applied.push(e);
        m.disk.appliedZxid = e.zxid;
        const outcome = m.state.apply(e, options.plant === "local-time" ? m.id * 1000 + 7 : 0);
        checks.checkDigest(m, e.zxid);
        checks.checkSessions(m, e);
        clients.applied(m.id, e, outcome, m.state, node.currentRole === "leading", this.ctx.now());
      }
      node.advance(ready);
      configs?.removedMember(m.id, node, ready.messages);
      if (node.currentRole === "leading" && node.isBroadcasting) checks.claimEpoch(node.currentEpoch, m.id);
      if (ready.entries.length > 0) {
        const delay = options.faults ? this.parts.faults.syncDelay() : 0;
        m.unsynced.push({ ready, entries: [...ready.entries], due: this.ctx.now() + delay });
        if (delay === 0) this.sync(m);
      }
    }
  }

  /** Makes due writes durable, in order, and tells the core. */
  sync(m: Member): void {
    const node = m.node;
    while (node !== undefined && m.unsynced.length > 0 && m.unsynced[0]!.due <= this.ctx.now()) {
      const u = m.unsynced.shift()!;
      m.disk.log.push(...u.entries);
      node.persisted(u.ready);
    }
  }
}
