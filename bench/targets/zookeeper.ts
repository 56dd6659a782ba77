/** Apache ZooKeeper through node-zookeeper-client (its jute protocol over TCP, one socket per session). */
import zookeeper from "node-zookeeper-client";
import { type BenchClient, BenchError, type CreateKind, type TargetDriver } from "./target.js";

const connectDeadlineMs = 15_000;

const modes: Record<CreateKind, number> = {
  persistent: zookeeper.CreateMode.PERSISTENT,
  sequential: zookeeper.CreateMode.PERSISTENT_SEQUENTIAL,
  ephemeral: zookeeper.CreateMode.EPHEMERAL,
};

function wrap(op: string, path: string, error: Error | zookeeper.Exception): BenchError {
  const code = error instanceof zookeeper.Exception ? error.getCode() : undefined;
  return new BenchError(`${op} ${path}: ${error.toString()}`, code === zookeeper.Exception.NODE_EXISTS);
}

class ZooKeeperSession implements BenchClient {
  constructor(private readonly zk: zookeeper.Client) {}

  static open(address: string, sessionTimeoutMs: number): Promise<ZooKeeperSession> {
    const zk = zookeeper.createClient(address, {
      sessionTimeout: sessionTimeoutMs,
      spinDelay: 100,
      retries: 0,
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        zk.close();
        reject(new BenchError(`zookeeper: no session from ${address} within ${connectDeadlineMs} ms`));
      }, connectDeadlineMs);
      zk.once("connected", () => {
        clearTimeout(timer);
        resolve(new ZooKeeperSession(zk));
      });
      zk.connect();
    });
  }

  create(path: string, data: Uint8Array, kind: CreateKind): Promise<void> {
    return new Promise((resolve, reject) =>
      this.zk.create(path, Buffer.from(data), modes[kind], (e) =>
        e ? reject(wrap("create", path, e)) : resolve(),
      ),
    );
  }

  setData(path: string, data: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) =>
      this.zk.setData(path, Buffer.from(data), -1, (e) => (e ? reject(wrap("setData", path, e)) : resolve())),
    );
  }

  getData(path: string): Promise<Uint8Array> {
    return new Promise((resolve, reject) =>
      this.zk.getData(path, (e, data) =>
        e ? reject(wrap("getData", path, e)) : resolve(data ?? Buffer.alloc(0)),
      ),
    );
  }

  watchData(path: string, onChange: () => void): Promise<void> {
    return new Promise((resolve, reject) =>
      this.zk.getData(
        path,
        () => onChange(),
        (e) => (e ? reject(wrap("getData", path, e)) : resolve()),
      ),
    );
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2000);
      this.zk.once("disconnected", () => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.zk.close();
    await closed;
  }
}

export const zookeeperDriver: TargetDriver = {
  name: "zookeeper",
  connect: (address, sessionTimeoutMs) => ZooKeeperSession.open(address, sessionTimeoutMs),
};
