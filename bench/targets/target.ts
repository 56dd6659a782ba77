/**
 * The adapter every target implements, so the same workload definitions drive Paddock, ZooKeeper,
 * etcd and the no-op echo. Znode-shaped: etcd maps a znode to a key (see targets/etcd.ts).
 */

export type CreateKind = "persistent" | "sequential" | "ephemeral";

export interface BenchClient {
  /** Creates a znode; rejects with a BenchError carrying `nodeExists` when it exists. */
  create(path: string, data: Uint8Array, kind: CreateKind): Promise<void>;
  setData(path: string, data: Uint8Array): Promise<void>;
  getData(path: string): Promise<Uint8Array>;
  /**
   * Reads `path` and leaves a one-time data watch: `onChange` runs once on the next change. The
   * caller re-arms after each event (ZooKeeper semantics; etcd keeps one watcher and re-arming
   * only swaps the callback).
   */
  watchData(path: string, onChange: () => void): Promise<void>;
  close(): Promise<void>;
}

export interface TargetDriver {
  readonly name: string;
  connect(address: string, sessionTimeoutMs: number): Promise<BenchClient>;
}

export class BenchError extends Error {
  constructor(
    message: string,
    readonly nodeExists = false,
  ) {
    super(message);
  }
}

/** Creates each prefix of `path` as a persistent znode, ignoring those that exist. */
export async function ensurePath(client: BenchClient, path: string): Promise<void> {
  const parts = path.split("/").filter((p) => p !== "");
  let prefix = "";
  for (const part of parts) {
    prefix += `/${part}`;
    try {
      await client.create(prefix, new Uint8Array(0), "persistent");
    } catch (e) {
      if (!(e instanceof BenchError && e.nodeExists)) throw e;
    }
  }
}
