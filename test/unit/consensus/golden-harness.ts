import type { ZabMessage } from "../../../server/consensus/messages.js";
import type { Entry, Ready } from "../../../server/consensus/ready.js";
import type { ZabNode } from "../../../server/consensus/zab-node.js";
import { COUNTER_LIMIT } from "../../../server/util/zxid.js";
import { type Disk, emptyDisk, nodeFromDisk } from "../../sim/disk.js";
import { writeTxn } from "../../sim/sim.js";

interface Member {
  readonly id: number;
  node: ZabNode | undefined;
  readonly disk: Disk;
  /** Applied entries (the state SNAP sends). */
  applied: Entry[];
  snapshot: Entry[] | undefined;
  role: string;
}

interface Wire {
  readonly from: number;
  readonly to: number;
  readonly message: ZabMessage;
  readonly snapshot?: Entry[];
}

const hex = (zxid: number): string => `0x${zxid.toString(16)}`;

/** A message as one readable line: the golden files diff these. */
export function describeMessage(m: ZabMessage): string {
  switch (m.type) {
    case "notification":
      return `notification vote=${m.vote.leader}/e${m.vote.epoch}/${hex(m.vote.zxid)} round=${m.round} ${m.state}`;
    case "followerInfo":
      return `followerInfo accepted=e${m.acceptedEpoch} current=e${m.currentEpoch} last=${hex(m.lastZxid)}${m.observer ? " observer" : ""}`;
    case "leaderInfo":
    case "ping":
      return `${m.type} e${m.epoch}`;
    case "ackEpoch":
      return `ackEpoch e${m.epoch}${m.fresh ? "" : " stale"} current=e${m.currentEpoch} last=${hex(m.lastZxid)}`;
    case "upToDate":
      return `upToDate e${m.epoch} commit=${hex(m.commitZxid)}`;
    case "proposal":
    case "inform": {
      const body = m.entry.txn.body;
      const path = body?.$case === "delete" ? body.value.path : "";
      return `${m.type} e${m.epoch} ${hex(m.entry.zxid)} ${path} after ${hex(m.prevZxid)}`;
    }
    default:
      return `${m.type} e${m.epoch} ${hex(m.zxid)}`;
  }
}

/**
 * A deterministic ensemble for golden protocol traces (etcd-raft's datadriven tests): no
 * randomness, synchronous disks, and a network that delivers in send order, one round at a time.
 * Each command returns the lines it produced.
 */
export class GoldenEnsemble {
  private readonly members = new Map<number, Member>();
  private net: Wire[] = [];
  private readonly isolated = new Set<number>();
  private voters: number[] = [];
  private observers: number[] = [];
  private logEntriesMax = 10_000;
  private out: string[] = [];

  run(command: string): string[] {
    this.out = [];
    const [verb, ...args] = command.trim().split(/\s+/);
    const num = (i: number): number => Number(args[i]);
    switch (verb) {
      case "add-nodes": {
        const count = num(0);
        const observers = Number(args.find((a) => a.startsWith("observers="))?.split("=")[1] ?? 0);
        const max = args.find((a) => a.startsWith("log-entries-max="));
        if (max) this.logEntriesMax = Number(max.split("=")[1]);
        this.voters = Array.from({ length: count - observers }, (_, i) => i + 1);
        this.observers = Array.from({ length: observers }, (_, i) => count - observers + i + 1);
        for (const id of [...this.voters, ...this.observers]) {
          const disk = emptyDisk();
          const m: Member = { id, node: undefined, disk, applied: [], snapshot: undefined, role: "" };
          this.members.set(id, m);
          this.start(m);
        }
        break;
      }
      case "tick":
        for (let i = 0; i < (args.length > 0 ? num(0) : 1); i++) {
          for (const m of this.members.values()) {
            m.node?.tick();
            this.drain(m);
          }
        }
        break;
      case "deliver":
        this.deliverRound();
        break;
      case "stabilize":
        for (let round = 0; this.net.length > 0; round++) {
          if (round > 1000) throw new Error("stabilize: no fixed point after 1000 rounds");
          this.deliverRound();
        }
        break;
      case "propose": {
        const m =
          args[0] === "leader"
            ? [...this.members.values()].find(
                (x) => x.node?.currentRole === "leading" && x.node.isBroadcasting,
              )
            : this.member(num(0));
        if (m?.node === undefined) throw new Error(`propose: no such leader (${args[0]})`);
        m.node.propose(writeTxn(args[1] ?? "/x"));
        this.out.push(`${m.id} proposes ${args[1] ?? "/x"}`);
        this.drain(m);
        break;
      }
      case "crash": {
        const m = this.member(num(0));
        m.node = undefined;
        this.net = this.net.filter((w) => w.to !== m.id && w.from !== m.id);
        for (const other of this.members.values()) if (other !== m) other.node?.peerDisconnected(m.id);
        for (const other of this.members.values()) this.drain(other);
        this.out.push(`${m.id} crashed`);
        break;
      }
      case "restart":
        this.start(this.member(num(0)));
        break;
      case "use-up-counter": {
        // Test hook: the leader's zxid counter is `args[1]` short of 2^32 (it takes 2^32 proposals).
        const m = this.member(num(0));
        const state = (m.node as unknown as { s: { nextCounter: number } }).s;
        state.nextCounter = COUNTER_LIMIT - 1 - num(1);
        this.out.push(`${m.id} counter at ${hex(state.nextCounter)}`);
        break;
      }
      case "isolate":
        this.isolated.add(num(0));
        break;
      case "heal":
        this.isolated.clear();
        break;
      case "status":
        for (const m of this.members.values()) {
          const n = m.node;
          const state = n
            ? `${n.currentRole} e${n.currentEpoch} last=${hex(n.lastZxid)} commit=${hex(n.commitZxid)}`
            : "crashed";
          this.out.push(`${m.id}: ${state} applied=[${m.applied.map((e) => hex(e.zxid)).join(" ")}]`);
        }
        break;
      default:
        throw new Error(`unknown command ${command}`);
    }
    return this.out;
  }

  private member(id: number): Member {
    const m = this.members.get(id);
    if (m === undefined) throw new Error(`no member ${id}`);
    return m;
  }

  private start(m: Member): void {
    m.applied = m.disk.log.filter((e) => e.zxid <= m.disk.appliedZxid);
    const membership = { voters: this.voters, observers: this.observers };
    m.node = nodeFromDisk(m.id, m.disk, membership, {
      proposalsInFlightMax: 100,
      logEntriesMax: this.logEntriesMax,
    });
    m.role = "";
    this.drain(m);
  }

  private drain(m: Member): void {
    const node = m.node;
    if (node === undefined) return;
    while (node.hasReady()) {
      const ready: Ready = node.ready();
      if (ready.snapshotZxid !== undefined) {
        m.disk.log = [...m.snapshot!];
        m.applied = [...m.snapshot!];
        m.disk.appliedZxid = ready.snapshotZxid;
        this.out.push(`${m.id} installs snapshot at ${hex(ready.snapshotZxid)}`);
      }
      if (ready.truncateTo !== undefined) {
        m.disk.log = m.disk.log.filter((e) => e.zxid <= ready.truncateTo!);
        this.out.push(`${m.id} truncates its log to ${hex(ready.truncateTo)}`);
      }
      if (ready.hardState) Object.assign(m.disk, ready.hardState);
      m.disk.log.push(...ready.entries);
      for (const { to, message } of ready.messages) {
        const snapshot = message.type === "snap" ? [...m.applied] : undefined;
        this.net.push({ from: m.id, to, message, ...(snapshot ? { snapshot } : {}) });
      }
      for (const e of ready.committed) {
        m.applied.push(e);
        m.disk.appliedZxid = e.zxid;
        this.out.push(`${m.id} applies ${hex(e.zxid)}`);
      }
      node.advance(ready);
      if (ready.entries.length > 0) node.persisted(ready);
      const role = `${node.currentRole}${node.isBroadcasting ? " (broadcasting)" : ""} e${node.currentEpoch}`;
      if (role !== m.role) {
        m.role = role;
        this.out.push(`${m.id} is ${role}`);
      }
    }
  }

  /** Delivers what is on the wire now, in send order; replies go out in the next round. */
  private deliverRound(): void {
    const wire = this.net;
    this.net = [];
    for (const w of wire) {
      const to = this.members.get(w.to);
      const cut = this.isolated.has(w.from) || this.isolated.has(w.to);
      this.out.push(`${w.from}->${w.to} ${describeMessage(w.message)}${cut ? " (dropped)" : ""}`);
      if (cut || to?.node === undefined) continue;
      if (w.snapshot) to.snapshot = w.snapshot;
      to.node.step(w.from, w.message);
      this.drain(to);
    }
  }
}
