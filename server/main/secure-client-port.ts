import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { createServer, type SecureContextOptions, type TLSSocket } from "node:tls";
import type { AuthId } from "../tree/acl-check.js";
import { x509Ids } from "../tree/x509-ids.js";
import { type ClientPort, type ClientPortOptions, ConnectionCounter, listen, sniff } from "./client-port.js";
import { type ClientAuth, type SslConfig, secureContextOptions, watchStores } from "./tls-stores.js";

export interface SecureClientPortDoors {
  grpc(socket: Duplex): void;
  /** As the plain port's, plus the identities of the client's verified certificate. */
  jute(socket: Socket, address: string, first: Buffer, ids: readonly AuthId[]): void;
}

export interface SecureClientPortOptions extends ClientPortOptions {
  readonly clientAuth: ClientAuth;
  /** A verified client certificate (DER) to its identities (x509, and super for the super user). */
  readonly certificateIds: (der: Buffer) => AuthId[];
  readonly log: (level: "info" | "warn", message: string) => void;
}

export interface SecureClientPort extends ClientPort {
  /** New connections use these stores from now on; connections already open keep theirs. */
  setSecureContext(options: SecureContextOptions): void;
}

/**
 * secureClientPort: TLS first, then the same two protocols as the plain client port, told apart by
 * the first decrypted bytes. ALPN offers only h2 (what gRPC clients ask for); ZooKeeper's clients
 * send no ALPN. ssl.clientAuth: `need` refuses a handshake without a certificate the trust store
 * verifies, `want` asks for one and refuses only one that does not verify, `none` asks for none.
 */
export function listenSecureClientPort(
  host: string,
  port: number,
  context: SecureContextOptions,
  options: SecureClientPortOptions,
  doors: SecureClientPortDoors,
): Promise<SecureClientPort> {
  const connections = new ConnectionCounter(options);
  const server = createServer({
    ...context,
    noDelay: true,
    ALPNProtocols: ["h2"],
    requestCert: options.clientAuth !== "none",
    rejectUnauthorized: options.clientAuth === "need",
    handshakeTimeout: options.firstBytesTimeoutMs,
  });
  // Counted at TCP accept, as on the plain port, before any handshake work.
  server.on("connection", (socket: Socket) => void connections.admit(socket));
  server.on("tlsClientError", (error, socket) => {
    options.log("info", `TLS handshake from ${socket.remoteAddress ?? "?"} failed: ${error.message}`);
  });
  server.on("secureConnection", (socket: TLSSocket) => {
    const address = socket.remoteAddress?.replace(/^::ffff:/, "") ?? "unknown";
    const ids = identities(socket, address, options);
    if (ids === undefined) {
      socket.destroy();
      return;
    }
    sniff(socket, address, options.firstBytesTimeoutMs, {
      grpc: (s) => doors.grpc(s),
      jute: (s, a, first) => doors.jute(s, a, first, ids),
    });
  });
  return listen(server, host, port, connections, options.listenBacklog).then((port) => ({
    ...port,
    setSecureContext: (next) => server.setSecureContext(next),
  }));
}

/** The certificate's identities; undefined when the connection must be refused. */
function identities(
  socket: TLSSocket,
  address: string,
  options: SecureClientPortOptions,
): AuthId[] | undefined {
  const certificate = socket.getPeerCertificate();
  const presented = certificate.raw !== undefined;
  if (!presented) return [];
  if (!socket.authorized) {
    // clientAuth=want: a certificate that does not verify is refused, as Java's TLS does.
    options.log(
      "info",
      `refusing ${address}: its certificate does not verify (${socket.authorizationError})`,
    );
    return undefined;
  }
  try {
    return options.certificateIds(certificate.raw);
  } catch (error) {
    options.log(
      "warn",
      `refusing ${address}: cannot read its certificate's subject: ${(error as Error).message}`,
    );
    return undefined;
  }
}

export interface SecureClientPortConfig
  extends Omit<SecureClientPortOptions, "clientAuth" | "certificateIds"> {
  readonly host: string;
  readonly port: number;
  readonly ssl: SslConfig;
}

export interface RunningSecurePort {
  readonly port: number;
  /** Counted at TCP accept: connections, and bytes on the wire (TLS records included). */
  readonly connections: ConnectionCounter;
  close(): void;
}

/**
 * Reads the stores (a bad store fails startup, naming the file), listens, and with
 * client.certReload re-reads them when their files change: new connections get the new
 * certificate; a store that fails to load is logged and the previous one kept.
 */
export async function startSecureClientPort(
  config: SecureClientPortConfig,
  doors: SecureClientPortDoors,
): Promise<RunningSecurePort> {
  const { ssl, log } = config;
  const listening = await listenSecureClientPort(
    config.host,
    config.port,
    secureContextOptions(ssl),
    {
      ...config,
      clientAuth: ssl.clientAuth,
      certificateIds: (der) => x509Ids(der, ssl.x509SuperUser),
    },
    doors,
  );
  const reload = (): void => {
    try {
      listening.setSecureContext(secureContextOptions(ssl));
      log("info", `secureClientPort: reloaded ${ssl.keyStoreLocation} and the trust store`);
    } catch (error) {
      log("warn", `secureClientPort: keeping the previous certificates: ${(error as Error).message}`);
    }
  };
  const stopWatching = ssl.certReload ? watchStores(ssl, reload) : () => {};
  const bound = listening.server.address();
  return {
    port: typeof bound === "object" && bound !== null ? bound.port : config.port,
    connections: listening.connections,
    close: () => {
      stopWatching();
      listening.close();
    },
  };
}
