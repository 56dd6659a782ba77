/**
 * Paddock through its own TypeScript client (clients/ts): what an application sees, batching and
 * all. The sessions of one process share one transport (one channel per server address), released
 * when the last of them closes.
 */
import {
  type Client,
  connect,
  grpcTransport,
  PaddockError,
  type Transport,
} from "../../clients/ts/src/index.js";
import { type BenchClient, BenchError, type CreateKind, type TargetDriver } from "./target.js";

const modes = {
  persistent: "PERSISTENT",
  sequential: "PERSISTENT_SEQUENTIAL",
  ephemeral: "EPHEMERAL",
} as const;

const transports = new Map<string, { transport: Transport; refs: number }>();

function sharedTransport(address: string): Transport {
  let entry = transports.get(address);
  if (entry === undefined) {
    entry = { transport: grpcTransport(), refs: 0 };
    transports.set(address, entry);
  }
  entry.refs++;
  const shared = entry;
  let released = false;
  return {
    open: (a) => shared.transport.open(a),
    close: () => {
      if (released) return;
      released = true;
      if (--shared.refs === 0) {
        transports.delete(address);
        shared.transport.close();
      }
    },
  };
}

function wrap(e: unknown): never {
  if (e instanceof PaddockError) throw new BenchError(e.message, e.is("NodeExists"));
  throw e;
}

class PaddockClientSession implements BenchClient {
  constructor(private readonly client: Client) {}

  async create(path: string, data: Uint8Array, kind: CreateKind): Promise<void> {
    await this.client.create(path, data, { mode: modes[kind] }).catch(wrap);
  }

  async setData(path: string, data: Uint8Array): Promise<void> {
    await this.client.setData(path, data).catch(wrap);
  }

  async getData(path: string): Promise<Uint8Array> {
    return (await this.client.getData(path).catch(wrap)).data;
  }

  async watchData(path: string, onChange: () => void): Promise<void> {
    await this.client.getData(path, { watch: () => onChange() }).catch(wrap);
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

export const paddockClientDriver: TargetDriver = {
  name: "paddock",
  connect: async (address, sessionTimeoutMs) => {
    const transport = sharedTransport(address);
    try {
      return new PaddockClientSession(await connect(address, { sessionTimeoutMs, transport }));
    } catch (e) {
      transport.close();
      return wrap(e);
    }
  },
};
