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
  close(): Promise<void>;
}

/**
 * `target` is fixed, or asked on every new connection (undefined: refuse it), so a test can
 * point a proxy at a server whose port is known only once it started.
 */
export async function startTcpProxy(target: string | (() => string | undefined)): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let open = true;
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
    client.pipe(upstream);
    upstream.pipe(client);
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
    close() {
      open = false;
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
