/**
 * etcd v3 through the etcd3 client. A znode is a key (its path); create is a transaction "create
 * revision == 0 then put" (etcd has no sequential keys: the adapter appends its own counter, so the
 * server does less than ZooKeeper's parent update); a session is a lease kept alive by the client;
 * a data watch is one etcd watcher per key kept for the client's life (etcd watches do not fire once);
 * reads are serializable, as ZooKeeper's. The address may list several members (host:port,...).
 */
import { Etcd3, type Lease, type Watcher } from "etcd3";
import { type BenchClient, BenchError, type CreateKind, type TargetDriver } from "./target.js";

let clientSerial = 0;

class EtcdSession implements BenchClient {
  private sequence = 0;
  private readonly prefix = `${process.pid}-${++clientSerial}-`;
  private readonly watchers = new Map<string, { watcher: Watcher; onChange: (() => void) | undefined }>();

  private constructor(
    private readonly etcd: Etcd3,
    private readonly lease: Lease,
  ) {}

  static async open(address: string, sessionTimeoutMs: number): Promise<EtcdSession> {
    // A connect string names every member: etcd3 picks a host per call, in shuffled order.
    const etcd = new Etcd3({ hosts: address.split(",").map((hostPort) => `http://${hostPort}`) });
    const lease = etcd.lease(Math.max(1, Math.round(sessionTimeoutMs / 1000)));
    try {
      await lease.grant();
    } catch (e) {
      etcd.close();
      throw new BenchError(`etcd: lease grant failed: ${(e as Error).message}`);
    }
    return new EtcdSession(etcd, lease);
  }

  async create(path: string, data: Uint8Array, kind: CreateKind): Promise<void> {
    const key =
      kind === "sequential" ? `${path}${this.prefix}${String(++this.sequence).padStart(10, "0")}` : path;
    const put =
      kind === "ephemeral"
        ? this.lease.put(key).value(Buffer.from(data))
        : this.etcd.put(key).value(Buffer.from(data));
    const result = await this.etcd.if(key, "Create", "==", 0).then(put).commit();
    if (!result.succeeded) throw new BenchError(`create ${key}: key exists`, true);
  }

  async setData(path: string, data: Uint8Array): Promise<void> {
    await this.etcd.put(path).value(Buffer.from(data));
  }

  async getData(path: string): Promise<Uint8Array> {
    // Serializable (member-local) reads: the consistency of ZooKeeper's and Paddock's plain reads.
    const value = await this.etcd.get(path).serializable(true).buffer();
    if (value === null) throw new BenchError(`getData ${path}: no key`);
    return value;
  }

  async watchData(path: string, onChange: () => void): Promise<void> {
    const existing = this.watchers.get(path);
    if (existing !== undefined) {
      existing.onChange = onChange;
      return;
    }
    const watcher = await this.etcd.watch().key(path).create();
    const entry = { watcher, onChange: onChange as (() => void) | undefined };
    watcher.on("put", () => {
      const cb = entry.onChange;
      entry.onChange = undefined; // one-time from the caller's point of view
      cb?.();
    });
    this.watchers.set(path, entry);
  }

  async close(): Promise<void> {
    for (const { watcher } of this.watchers.values()) await watcher.cancel().catch(() => {});
    await this.lease.revoke().catch(() => {});
    this.etcd.close();
  }
}

export const etcdDriver: TargetDriver = {
  name: "etcd",
  connect: (address, sessionTimeoutMs) => EtcdSession.open(address, sessionTimeoutMs),
};
