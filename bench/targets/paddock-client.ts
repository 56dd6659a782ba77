/**
 * Paddock through its own TypeScript client (clients/ts): what an application sees, batching and
 * all. Two topologies: independent, every session its own transport and so its own HTTP/2
 * connection (as separate applications connect); multiplexed, the sessions of one process share
 * one transport (one channel per server address), released when the last of them closes.
 */

import { SessionServiceClient } from "../../clients/ts/gen/paddock/v1/session.js";
import {
  type Client,
  connect,
  grpcTransport,
  PaddockError,
  type SessionStream,
  type Transport,
} from "../../clients/ts/src/index.js";
import type { Topology } from "../args.js";
import { grpc } from "./root-grpc.js";
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

/**
 * The channel options of clients/ts's grpcTransport plus a local subchannel pool: grpc-js otherwise
 * shares one subchannel (one TCP connection) between every channel of a process to the same
 * address with the same options, so a transport per session alone would still be one connection.
 */
export const ownConnectionOptions = {
  "grpc.max_receive_message_length": 64 * 1024 * 1024,
  "grpc.initial_reconnect_backoff_ms": 100,
  "grpc.max_reconnect_backoff_ms": 1000,
  "grpc.use_local_subchannel_pool": 1,
} as const;

/** A transport of one session's own: its own channel, its own connection, closed with the session. */
export function ownTransport(): Transport {
  const clients = new Map<string, SessionServiceClient>();
  return {
    open(address: string): SessionStream {
      let client = clients.get(address);
      if (client === undefined) {
        client = new SessionServiceClient(address, grpc.credentials.createInsecure(), ownConnectionOptions);
        clients.set(address, client);
      }
      return client.session();
    },
    close(): void {
      for (const client of clients.values()) client.close();
      clients.clear();
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

export const paddockClientDriverFor = (topology: Topology): TargetDriver => ({
  name: "paddock",
  connect: async (address, sessionTimeoutMs) => {
    const transport = topology === "multiplexed" ? sharedTransport(address) : ownTransport();
    try {
      return new PaddockClientSession(await connect(address, { sessionTimeoutMs, transport }));
    } catch (e) {
      transport.close();
      return wrap(e);
    }
  },
});
