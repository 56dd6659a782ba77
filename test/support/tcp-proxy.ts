import { createConnection, createServer, type Server, type Socket } from "node:net";

/**
 * A TCP forwarder to cut a client off from a server without touching either: `cut()` destroys
 * every open connection and refuses new ones (so heartbeats stop reaching the server), `restore()`
 * accepts again. Tests point the client at `address` instead of the server.
 */
export interface TcpProxy {
  readonly address: string;
  cut(): void;
  restore(): void;
  /**
   * Faults on the bytes of open and new connections (the fault tier): "blackhole" keeps them open
   * but discards what they carry (as a dead link before any timeout), `{ delayMs }` delivers
   * everything that late, in order; "none" forwards again.
   */
  fault(mode: ProxyFault): void;
  /**
   * The connections open now stop forwarding for good, kept open (a half-open link: the peer
   * died or the path broke without a reset); connections opened after it forward as usual.
   */
  freeze(): void;
  close(): Promise<void>;
}

export type ProxyFault = "none" | "blackhole" | { readonly delayMs: number };

/**
 * `target` is fixed, or asked on every new connection (undefined: refuse it), so a test can
 * point a proxy at a server whose port is known only once it started.
 */
export async function startTcpProxy(target: string | (() => string | undefined)): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const frozen = new WeakSet<Socket>();
  let open = true;
  let fault: ProxyFault = "none";
  /** Forwards chunk by chunk (not pipe) so faults apply to connections already open. */
  const forward = (from: Socket, to: Socket): void => {
    let lastAt = 0;
    from.on("data", (chunk: Buffer) => {
      const f = fault;
      if (f === "blackhole" || frozen.has(from)) return;
      if (f === "none" && lastAt <= Date.now()) {
        if (!to.write(chunk)) {
          from.pause();
          to.once("drain", () => from.resume());
        }
        return;
      }
      // Delayed chunks keep their order: none is due before the one ahead of it.
      lastAt = Math.max(lastAt, Date.now() + (f === "none" ? 0 : f.delayMs));
      setTimeout(() => to.destroyed || to.write(chunk), lastAt - Date.now());
    });
  };
  const track = (s: Socket): void => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => s.destroy());
  };
  const server: Server = createServer((client) => {
    track(client);
    const to = typeof target === "string" ? target : target();
    if (!open || to === undefined) {
      client.destroy();
      return;
    }
    const colon = to.lastIndexOf(":");
    const upstream = createConnection({ host: to.slice(0, colon), port: Number(to.slice(colon + 1)) });
    track(upstream);
    forward(client, upstream);
    forward(upstream, client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const addr = server.address();
  if (addr === null || typeof addr === "string") throw new Error("proxy has no TCP address");
  return {
    address: `127.0.0.1:${addr.port}`,
    cut() {
      open = false;
      for (const s of sockets) s.destroy();
    },
    restore() {
      open = true;
    },
    fault(mode) {
      fault = mode;
    },
    freeze() {
      for (const s of sockets) frozen.add(s);
    },
    close() {
      open = false;
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
