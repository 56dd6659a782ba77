import type { Entry } from "../../server/consensus/ready.js";
import type { Txn } from "../../server/gen/paddock/internal/v1/txn.js";
import { OwnerKind, ownerKind } from "../../server/tree/ephemeral-type.js";
import type { ConfigChecker } from "./config-check.js";
import type { Member } from "./member.js";
import { EPHEMERALS, QUEUE } from "./member-state.js";
import type { SimContext } from "./sim-context.js";
import type { ZkClients } from "./zk-clients.js";

/**
 * The checkers that run on every step: one leader per epoch, one committed history every member
 * agrees with, equal trees at equal zxids, session invariants; and after healing, the final state.
 */
export class InvariantChecker {
  /** The committed history every member must agree with: zxid and txn path per position. */
  readonly chain: { zxid: number; path: string }[] = [];
  /** Epoch → the member that led it. */
  readonly leaders = new Map<number, number>();
  /** Tree digest after each committed zxid, from the first member that applied it. */
  private readonly digests = new Map<number, bigint>();

  constructor(
    private readonly ctx: SimContext,
    private readonly configs: ConfigChecker | undefined,
    private readonly clients: ZkClients,
  ) {}

  claimEpoch(epoch: number, id: number): void {
    const known = this.leaders.get(epoch);
    if (known !== undefined && known !== id)
      this.ctx.fail(`two leaders in epoch ${epoch}: ${known} and ${id}`);
    this.leaders.set(epoch, id);
  }

  checkChain(position: number, e: Entry): void {
    const path = txnPath(e.txn);
    const known = this.chain[position];
    if (known === undefined) {
      if (position !== this.chain.length) this.ctx.fail("committed history has a hole");
      this.configs?.committedEntry(e, (zxid) => this.durableOn(zxid));
      this.chain.push({ zxid: e.zxid, path });
    } else if (known.zxid !== e.zxid || known.path !== path) {
      this.ctx.fail(
        `committed histories diverge at ${position}: ${known.zxid}/${known.path} vs ${e.zxid}/${path}`,
      );
    }
  }

  private durableOn(zxid: number): number[] {
    return [...this.ctx.members.values()]
      .filter((m) => m.disk.log.some((d) => d.zxid === zxid))
      .map((m) => m.id);
  }

  /** A snapshot must extend what the member already applied, and agree with the chain. */
  checkExtends(m: Member, payload: readonly Entry[]): void {
    if (payload.length < m.applied.length) this.ctx.fail(`snapshot to ${m.id} loses applied entries`);
    for (const [i, e] of payload.entries()) this.checkChain(i, e);
  }

  /** Equal trees at equal zxids: every member's digest after a zxid matches the first one's. */
  checkDigest(m: Member, zxid: number): void {
    const digest = m.state.tree.digest;
    const known = this.digests.get(zxid);
    if (known === undefined) this.digests.set(zxid, digest);
    else if (known !== digest)
      this.ctx.fail(`member ${m.id} tree digest at ${zxid} differs from another member's`);
  }

  /**
   * Session invariants after each apply: an ephemeral belongs to a live session; a closed session
   * leaves no ephemeral behind, on any member.
   */
  checkSessions(m: Member, e: Entry): void {
    const body = e.txn.body;
    if (body?.$case === "closeSession") {
      if (m.state.tree.ephemeralsOf(e.txn.sessionId)?.size)
        this.ctx.fail(`member ${m.id} kept ephemerals of a closed session`);
      if (m.id === 1) this.ctx.stats.sessionsClosed++;
      return;
    }
    const bodies = body?.$case === "multi" ? body.value.txns.map((t) => t.body) : [body];
    for (const b of bodies) {
      if (b?.$case !== "create" || ownerKind(b.value.ephemeralOwner) !== OwnerKind.Ephemeral) continue;
      const owner = b.value.ephemeralOwner;
      if (m.state.sessions.get(owner) === undefined) {
        this.ctx.fail(
          `member ${m.id} created ephemeral ${b.value.path} for session ${owner.toString(16)}, which is closed`,
        );
      }
    }
  }

  /**
   * After healing, over the members of the newest configuration: the client histories are
   * linearizable, every member holds the same ephemerals, each owned by an open session, and every
   * acknowledged ephemeral of an open session is there.
   */
  checkFinalState(current: readonly Member[]): void {
    const first = current[0]!;
    const queue = new Map<string, string>();
    for (const name of first.state.tree.getChildren(QUEUE, []).children) {
      queue.set(name, Buffer.from(first.state.tree.getData(`${QUEUE}/${name}`, []).data).toString());
    }
    const history = this.clients.check(queue);
    if (history !== undefined) this.ctx.fail(history);
    for (const m of current) {
      const tree = m.state.tree;
      for (const name of tree.getChildren(EPHEMERALS, []).children) {
        const owner = tree.node(`${EPHEMERALS}/${name}`)!.ephemeralOwner;
        if (m.state.sessions.get(owner) === undefined)
          this.ctx.fail(`member ${m.id} keeps ${name} of closed session`);
      }
      for (const [path, owner] of this.clients.ephemerals) {
        const open = m.state.sessions.get(owner) !== undefined;
        if (open && tree.node(path)?.ephemeralOwner !== owner)
          this.ctx.fail(`member ${m.id} lost acknowledged ${path}`);
        if (!open && tree.node(path) !== undefined)
          this.ctx.fail(`member ${m.id} keeps ${path} of a closed session`);
        if (!open && m === first) this.ctx.stats.ephemeralsGone++;
      }
    }
  }
}

/** What the chain checker compares: the body's kind and its content. */
function txnPath(txn: Txn): string {
  const body = txn.body;
  if (body?.$case === "delete") return body.value.path;
  if (body?.$case === "reconfig")
    return `reconfig:${body.value.members.map((m) => `${m.observer ? "o" : "v"}${m.id}`).join(",")}`;
  if (body?.$case === "setData") return `${body.value.path}=${Buffer.from(body.value.data).toString()}`;
  return body?.$case ?? "?";
}
