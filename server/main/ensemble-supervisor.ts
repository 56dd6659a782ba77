import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";

/** One member process the supervisor keeps running. */
export interface SupervisedMember {
  readonly id: number;
  /** What the member's start line says after "member <id> ": role, address, data directory. */
  describe(pid: number | undefined): string;
  /** Arguments for `node`, e.g. [bin/paddock.js, "server", "--config", ...]. */
  readonly argv: readonly string[];
}

export interface SupervisorOptions {
  /** Restart a member that exits while the ensemble is not stopping (default true). */
  readonly restart?: boolean;
  /** First restart delay; doubled for each further exit within `stableMs` of a start. */
  readonly backoffMs?: number;
  readonly backoffMaxMs?: number;
  /** A member that ran this long counts as healthy: its next restart waits backoffMs again. */
  readonly stableMs?: number;
  /** After SIGTERM, how long members get to stop before SIGKILL. */
  readonly stopTimeoutMs?: number;
  readonly out?: (line: string) => void;
  readonly err?: (line: string) => void;
}

interface Slot {
  readonly member: SupervisedMember;
  child: ChildProcess | undefined;
  startedAt: number;
  /** Exits in a row, each within stableMs of its start. */
  quickExits: number;
  restarts: number;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Runs the members as child processes, restarts one that dies (backoff 1 s, 2 s, 4 s … 30 s while
 * it keeps dying soon after starting; reported on stderr), and stops them all on `stop()`. Each
 * member runs with PADDOCK_EXIT_WITH_PARENT=1, so if the supervisor itself is killed with SIGKILL
 * (which it cannot catch) the members notice their parent is gone and shut down: no orphans.
 */
export class Supervisor {
  private readonly slots: Slot[];
  private stopping = false;
  private finished!: (code: number) => void;
  /** Resolves with the exit code once every member has exited and none will be restarted. */
  readonly done = new Promise<number>((resolve) => {
    this.finished = resolve;
  });
  private readonly o: Required<SupervisorOptions>;

  constructor(members: readonly SupervisedMember[], options: SupervisorOptions = {}) {
    this.o = {
      restart: true,
      backoffMs: 1_000,
      backoffMaxMs: 30_000,
      stableMs: 10_000,
      stopTimeoutMs: 20_000,
      out: (line) => process.stdout.write(`${line}\n`),
      err: (line) => process.stderr.write(`${line}\n`),
      ...options,
    };
    this.slots = members.map((member) => ({
      member,
      child: undefined,
      startedAt: 0,
      quickExits: 0,
      restarts: 0,
      timer: undefined,
    }));
  }

  start(): void {
    for (const slot of this.slots) this.launch(slot);
  }

  pid(id: number): number | undefined {
    return this.slots.find((s) => s.member.id === id)?.child?.pid;
  }

  /** SIGTERM to every member (SIGKILL after stopTimeoutMs, or at once when `now`). */
  stop(reason: string, now = false): void {
    const first = !this.stopping;
    this.stopping = true;
    for (const slot of this.slots) {
      clearTimeout(slot.timer);
      slot.timer = undefined;
    }
    const signal = now ? "SIGKILL" : "SIGTERM";
    if (first || now) this.o.err(`${reason}: stopping every member${now ? " now (SIGKILL)" : ""}`);
    for (const slot of this.slots) slot.child?.kill(signal);
    if (first && !now) {
      setTimeout(() => {
        if (this.slots.some((s) => s.child !== undefined))
          this.stop(`not stopped after ${this.o.stopTimeoutMs} ms`, true);
      }, this.o.stopTimeoutMs).unref();
    }
    this.checkDone();
  }

  private launch(slot: Slot): void {
    const { member } = slot;
    const child = spawn(process.execPath, member.argv, {
      stdio: ["ignore", "inherit", "pipe"],
      env: { ...process.env, PADDOCK_EXIT_WITH_PARENT: "1" },
    });
    slot.child = child;
    slot.startedAt = Date.now();
    const lines = createInterface({ input: child.stderr! });
    lines.on("line", (line) => this.o.err(`[member ${member.id}] ${line}`));
    // A member that cannot be spawned at all is reported like one that died (then "exit" follows).
    child.on("error", (error) => this.o.err(`[member ${member.id}] failed: ${error.message}`));
    child.on("exit", (code, signal) => this.exited(slot, child, signal ?? String(code)));
    const again = slot.restarts > 0 ? ` (restart ${slot.restarts})` : "";
    this.o.out(`member ${member.id} ${member.describe(child.pid)}${again}`);
  }

  private exited(slot: Slot, child: ChildProcess, how: string): void {
    if (slot.child !== child) return;
    slot.child = undefined;
    const id = slot.member.id;
    if (this.stopping || !this.o.restart) {
      if (!this.stopping) this.o.err(`[member ${id}] exited (${how}); the others keep running`);
      this.checkDone();
      return;
    }
    const ranMs = Date.now() - slot.startedAt;
    slot.quickExits = ranMs < this.o.stableMs ? slot.quickExits + 1 : 1;
    const delay = Math.min(this.o.backoffMaxMs, this.o.backoffMs * 2 ** (slot.quickExits - 1));
    slot.restarts++;
    this.o.err(
      `[member ${id}] exited (${how}) after ${(ranMs / 1000).toFixed(1)} s; ` +
        `restarting in ${(delay / 1000).toFixed(1)} s (restart ${slot.restarts})`,
    );
    slot.timer = setTimeout(() => {
      slot.timer = undefined;
      if (!this.stopping) this.launch(slot);
    }, delay);
  }

  private checkDone(): void {
    if (this.slots.some((s) => s.child !== undefined || s.timer !== undefined)) return;
    // Stopped on request: 0. Every member gone on its own (restarts off): 1.
    this.finished(this.stopping ? 0 : 1);
  }
}
