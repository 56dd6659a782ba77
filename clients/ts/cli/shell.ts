/**
 * The zkCli session state: the connection, printwatches, history and the exit code of the last
 * command, plus the two output streams. Commands (commands.ts) act through it.
 */
import type { Client } from "../src/client.js";
import { connect } from "../src/connect.js";
import type { WatchEvent } from "../src/types.js";
import { formatWatchedEvent, type KeeperStateName } from "./format.js";

export interface CliIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  isTTY: boolean;
}

/** Exit codes as zkCli's (ExitCode): 0 ok, 1 failed command, 127 unknown command. */
export const ExitCode = { ok: 0, failed: 1, unknownCommand: 127 } as const;

const keeperStates: Record<string, KeeperStateName | undefined> = {
  connected: "SyncConnected",
  disconnected: "Disconnected",
  expired: "Expired",
  closed: "Closed",
  authFailed: "AuthFailed",
};

/** zkCli's prompt shows ZooKeeper.States names. */
const promptStates: Record<string, string> = {
  connecting: "CONNECTING",
  connected: "CONNECTED",
  disconnected: "CONNECTING",
  expired: "CLOSED",
  closed: "CLOSED",
  authFailed: "AUTH_FAILED",
};

export interface ShellOptions {
  sessionTimeoutMs: number;
  /** Time zone for Stat dates (default: local, as Java's Date.toString). */
  timeZone?: string;
}

export class Shell {
  client: Client | undefined;
  host: string;
  printWatches = true;
  readonly history: string[] = [];
  commandCount = 0;
  exitCode: number = ExitCode.ok;

  constructor(
    readonly io: CliIo,
    host: string,
    readonly options: ShellOptions,
  ) {
    this.host = host;
  }

  out(text: string): void {
    this.io.stdout.write(text);
  }
  outLine(line: string): void {
    this.io.stdout.write(`${line}\n`);
  }
  errLine(line: string): void {
    this.io.stderr.write(`${line}\n`);
  }

  get connected(): boolean {
    const s = this.client?.state;
    return s === "connected" || s === "disconnected" || s === "connecting";
  }

  prompt(): string {
    const state = this.client === undefined ? "CLOSED" : (promptStates[this.client.state] ?? "CLOSED");
    return `[zk: ${this.host}(${state}) ${this.commandCount}] `;
  }

  /** Opens a session to host; prints the SyncConnected event as zkCli's watcher does. */
  async connect(host: string): Promise<boolean> {
    await this.disconnect();
    this.host = host;
    let client: Client;
    try {
      client = await connect(host, { sessionTimeoutMs: this.options.sessionTimeoutMs });
    } catch (error) {
      this.errLine(`Unable to connect to ${host}: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    }
    this.client = client;
    this.printState("connected");
    client.on("state", (state: string) => this.printState(state));
    client.on("watch", (event: WatchEvent) => this.printEvent(event));
    return true;
  }

  async disconnect(): Promise<void> {
    const client = this.client;
    if (client === undefined) return;
    await client.close();
  }

  printEvent(event: WatchEvent): void {
    if (this.printWatches) this.out(formatWatchedEvent("SyncConnected", event.type, event.path));
  }

  private printState(state: string): void {
    const keeper = keeperStates[state];
    if (keeper !== undefined && this.printWatches) this.out(formatWatchedEvent(keeper, "None", null));
  }
}
