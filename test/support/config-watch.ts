import zookeeper from "node-zookeeper-client";

/** /zookeeper/config as a ZooKeeper client reads it, with a one-time data watch on it. */
export interface WatchedConfig {
  readonly text: string;
  /** The watch's event name (NODE_DATA_CHANGED, …) once it fires. */
  readonly changed: Promise<string>;
  close(): void;
}

/** Reads /zookeeper/config through node-zookeeper-client (ZooKeeper's protocol) and watches it. */
export function watchConfig(address: string): Promise<WatchedConfig> {
  const client = zookeeper.createClient(address, { sessionTimeout: 20_000, retries: 0 });
  return new Promise((resolve, reject) => {
    client.once("connected", () => {
      let fired: (type: string) => void = () => undefined;
      const changed = new Promise<string>((r) => {
        fired = r;
      });
      client.getData(
        "/zookeeper/config",
        (event) => fired(event.getName()),
        (error, data) => {
          if (error) {
            client.close();
            reject(error);
          } else resolve({ text: data?.toString() ?? "", changed, close: () => client.close() });
        },
      );
    });
    client.connect();
  });
}
