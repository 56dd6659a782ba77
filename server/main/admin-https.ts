import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { createServer as createNetServer, type Server as NetServer, type Socket } from "node:net";
import { Duplex } from "node:stream";
import type { SecureContextOptions } from "node:tls";
import { type HttpListener, type HttpRouter, listenHttp } from "../admin/http-server.js";
import type { ServerConfig } from "./config.js";
import { secureContextOptions } from "./tls-stores.js";

/** The AdminServer's transport, from admin.forceHttps, admin.portUnification and admin.needClientAuth. */
export interface AdminHttps {
  /** The key store (and trust store) the HTTPS side presents and verifies with. */
  readonly context: SecureContextOptions;
  /** admin.portUnification without admin.forceHttps: plain HTTP is served on the same port too. */
  readonly alsoPlain: boolean;
  readonly needClientAuth: boolean;
  /** Which keys the stores came from, for the startup log. */
  readonly stores: "ssl.quorum" | "ssl";
}

/**
 * As ZooKeeper 3.9's JettyAdminServer: HTTPS when admin.forceHttps or admin.portUnification is
 * true, with the ssl.quorum.* stores (its QuorumX509Util). Paddock falls back to the client port's
 * ssl.* stores when no ssl.quorum.keyStore.location is set; neither stops startup. Undefined: plain HTTP.
 */
export function adminHttps(config: ServerConfig): AdminHttps | undefined {
  const { forceHttps, portUnification, needClientAuth } = config.adminServer;
  if (!forceHttps && !portUnification) return undefined;
  const quorum = config.quorumTls.stores;
  const stores = quorum.keyStoreLocation !== undefined ? "ssl.quorum" : "ssl";
  if (stores === "ssl" && config.ssl.keyStoreLocation === undefined) {
    throw new Error(
      `admin.${forceHttps ? "forceHttps" : "portUnification"}=true needs a key store: set ssl.quorum.keyStore.location (as ZooKeeper) or ssl.keyStore.location`,
    );
  }
  const context =
    stores === "ssl.quorum" ? secureContextOptions(quorum, "ssl.quorum") : secureContextOptions(config.ssl);
  return { context, alsoPlain: !forceHttps, needClientAuth, stores };
}

/** A listening AdminServer: its port, its scheme (for the log) and close. */
export type AdminListener = Pick<HttpListener, "port" | "close"> & { readonly scheme: string };

/**
 * Listens for the AdminServer: plain HTTP (listenHttp), HTTPS only, or both on one port (a TLS
 * handshake starts with byte 0x16, an HTTP request with a method's letter). With needClientAuth a
 * handshake without a certificate the trust store verifies fails.
 */
export async function listenAdminServer(
  router: HttpRouter,
  host: string,
  port: number,
  https: AdminHttps | undefined,
): Promise<AdminListener> {
  if (https === undefined)
    return { ...(await listenHttp(router, host, port, "admin.serverPort")), scheme: "http" };
  const handle = (request: IncomingMessage, response: ServerResponse): void =>
    router.handle(request, response);
  const secure = createHttpsServer(
    { ...https.context, requestCert: https.needClientAuth, rejectUnauthorized: https.needClientAuth },
    handle,
  );
  secure.keepAliveTimeout = 5_000;
  const plain = createHttpServer(handle);
  plain.keepAliveTimeout = 5_000;
  // Every accepted socket, so close() ends them all (TLS ones sit behind a wrapper stream).
  const open = new Set<Socket>();
  const front: NetServer = createNetServer((socket) => {
    open.add(socket);
    socket.on("close", () => open.delete(socket));
    // A connection that sends nothing is not held open (the HTTP servers time out the rest).
    socket.setTimeout(10_000, () => socket.destroy());
    socket.once("data", (first: Buffer) => {
      socket.setTimeout(0);
      socket.pause();
      if (first[0] === 0x16) {
        secure.emit("connection", replay(socket, first));
      } else if (https.alsoPlain) {
        socket.unshift(first);
        plain.emit("connection", socket);
        socket.resume();
      } else {
        socket.destroy();
      }
    });
    socket.on("error", () => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    front.once("error", (error: NodeJS.ErrnoException) => {
      const why =
        error.code === "EADDRINUSE" ? "is in use" : `cannot be bound (${error.code ?? error.message})`;
      reject(
        new Error(
          `admin.serverPort: ${host}:${port} ${why}; set admin.serverPort to a free port, or turn it off`,
        ),
      );
    });
    front.listen(port, host, () => resolve());
  });
  const address = front.address();
  return {
    port: typeof address === "object" && address !== null ? address.port : port,
    scheme: https.alsoPlain ? "http+https" : "https",
    close: () =>
      new Promise<void>((done) => {
        front.close(() => done());
        secure.closeAllConnections();
        plain.closeAllConnections();
        for (const socket of open) socket.destroy();
      }),
  };
}

/**
 * The socket as a JavaScript stream that gives the sniffed first bytes back: a TLS server reads a
 * net.Socket through its native handle, past anything unshifted, so it gets this wrapper instead.
 */
function replay(socket: Socket, first: Buffer): Duplex {
  const stream = new Duplex({
    read: () => void socket.resume(),
    write: (chunk: Buffer, _encoding, callback) => void socket.write(chunk, callback),
    final: (callback) => {
      socket.end();
      callback();
    },
    destroy: (error, callback) => {
      socket.destroy();
      callback(error);
    },
  });
  stream.push(first);
  socket.on("data", (chunk: Buffer) => {
    if (!stream.push(chunk)) socket.pause();
  });
  socket.on("end", () => stream.push(null));
  socket.on("close", () => stream.destroy());
  return stream;
}
