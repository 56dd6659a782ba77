// A read-only look at what an application wrote to ZooKeeper (Paddock or Apache ZooKeeper), through
// node-zookeeper-client: children, data (null kept apart from empty) and the ephemeral owner.
import zookeeper, { type Client, type Exception, type Stat } from "node-zookeeper-client";

export interface ZNode {
  /** null when the server sent no data (length -1), "" when it sent zero bytes. */
  data: string | null;
  version: number;
  ephemeralOwner: string;
}

export interface ZkReader {
  /** Children of path, sorted; null when the node does not exist. */
  children(path: string): Promise<string[] | null>;
  /** The node, or null when it does not exist. */
  get(path: string): Promise<ZNode | null>;
  close(): void;
}

const NO_NODE = -101;

function code(error: Error | Exception): number | undefined {
  return typeof (error as Exception).getCode === "function" ? (error as Exception).getCode() : undefined;
}

/** Connects, trying again with a fresh client every 5 s (a server that just opened its port may
 * still drop the first handshake) until the deadline. */
export async function openZkReader(connect: string, timeoutMs = 20_000): Promise<ZkReader> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt(connect, Math.min(5_000, Math.max(1, deadline - Date.now())));
    } catch (error) {
      if (Date.now() >= deadline)
        throw new Error(`node-zookeeper-client could not connect to ${connect} in ${timeoutMs} ms: ${error}`);
    }
  }
}

function attempt(connect: string, timeoutMs: number): Promise<ZkReader> {
  const client: Client = zookeeper.createClient(connect, { sessionTimeout: 10_000, retries: 0 });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.close();
      reject(new Error(`no session within ${timeoutMs} ms`));
    }, timeoutMs);
    client.once("connected", () => {
      clearTimeout(timer);
      resolve({
        children: (path) =>
          new Promise((res, rej) =>
            client.getChildren(path, (error, names) => {
              if (error) return code(error) === NO_NODE ? res(null) : rej(error);
              res([...names].sort());
            }),
          ),
        get: (path) =>
          new Promise((res, rej) =>
            client.getData(path, (error, data: Buffer | null, stat: Stat) => {
              if (error) return code(error) === NO_NODE ? res(null) : rej(error);
              res({
                data: data === null || data === undefined ? null : data.toString("utf8"),
                version: stat.version,
                ephemeralOwner: stat.ephemeralOwner.toString("hex"),
              });
            }),
          ),
        close: () => client.close(),
      });
    });
    client.connect();
  });
}
