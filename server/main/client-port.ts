import { createServer, type Server as NetServer, type Socket } from "node:net";
import type { Duplex } from "node:stream";

/** The HTTP/2 connection preface every gRPC client opens with. */
const HTTP2_PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

export interface ClientPortDoors {
  /** gRPC: grpc-js's connection injector takes the socket with its first bytes put back. */
  grpc(socket: Duplex): void;
  /** ZooKeeper's protocol (or a four-letter word): the bytes read so far travel along. */
  jute(socket: Socket, address: string, first: Buffer): void;
}

/**
 * One port for both protocols, told apart by the first bytes: a gRPC client starts with the
 * HTTP/2 preface ("PRI * HTTP/2.0..."), a ZooKeeper client with a 4-byte frame length (or a
 * four-letter word). Only the first bytes of a connection are inspected; after that each door
 * reads the socket itself.
 */
export interface ClientPort {
  readonly server: NetServer;
  /** Its connections: counts and bytes, for mntr and /metrics. */
  readonly connections: ConnectionCounter;
  /** Stops listening and destroys every connection still open. */
  close(): void;
}

export interface ClientPortOptions {
  /** maxClientCnxns: TCP connections per client address, 0 for no limit (as ZooKeeper counts them). */
  readonly connectionsPerAddressMax: number;
  /** maxCnxns: TCP connections on this port from every address together, 0 for no limit. */
  readonly connectionsMax: number;
  /** A connection that sends nothing for this long is closed before a door is chosen. */
  readonly firstBytesTimeoutMs: number;
  /** clientPortListenBacklog; -1: LISTEN_BACKLOG_DEFAULT. */
  readonly listenBacklog: number;
  readonly log: (level: "warn", message: string) => void;
}

export function listenClientPort(
  host: string,
  port: number,
  options: ClientPortOptions,
  doors: ClientPortDoors,
): Promise<ClientPort> {
  const connections = new ConnectionCounter(options);
  const server = createServer({ noDelay: true }, (socket) => {
    const address = connections.admit(socket);
    if (address !== undefined) sniff(socket, address, options.firstBytesTimeoutMs, doors);
  });
  return listen(server, host, port, connections, options.listenBacklog);
}

/**
 * The listen backlog when clientPortListenBacklog is unset (ZooKeeper leaves it to Java, 50 on
 * Linux; Node's own default is 511). One event loop accepts between requests, so a connect storm
 * fills a short queue, and every SYN dropped then waits a second for its retransmit: with 511, a
 * storm of 10,000 resumes took twice as long. The kernel caps it at net.core.somaxconn.
 */
export const LISTEN_BACKLOG_DEFAULT = 4096;

/** Binds the server; resolves once it listens, with a close that also ends every connection. */
export function listen(
  server: NetServer,
  host: string,
  port: number,
  connections: ConnectionCounter,
  backlog: number,
): Promise<ClientPort> {
  const close = (): void => {
    server.close();
    connections.destroyAll();
  };
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port, host, backlog: backlog === -1 ? LISTEN_BACKLOG_DEFAULT : backlog }, () => {
      server.off("error", reject);
      resolve({ server, connections, close });
    });
  });
}

/** The TCP connections of one listener, counted per address against maxClientCnxns. */
export class ConnectionCounter {
  private readonly sockets = new Set<Socket>();
  private readonly perAddress = new Map<string, number>();
  /** Connections refused over maxClientCnxns or maxCnxns (ZooKeeper's connection_rejected). */
  rejected = 0;
  /** Bytes of connections already closed; open ones are added when asked. */
  private closedBytesRead = 0;
  private closedBytesWritten = 0;

  constructor(private readonly options: ClientPortOptions) {}

  get open(): number {
    return this.sockets.size;
  }

  /** Bytes received and sent on this port since start: read at scrape time, nothing per request. */
  bytes(): { received: number; sent: number } {
    let received = this.closedBytesRead;
    let sent = this.closedBytesWritten;
    for (const socket of this.sockets) {
      received += socket.bytesRead;
      sent += socket.bytesWritten;
    }
    return { received, sent };
  }

  /** Counts a new socket; its address, or undefined when it is over the limit (and destroyed). */
  admit(socket: Socket): string | undefined {
    const address = addressOf(socket);
    const count = this.perAddress.get(address) ?? 0;
    const max = this.options.connectionsPerAddressMax;
    const total = this.options.connectionsMax;
    // As ZooKeeper: over maxClientCnxns or maxCnxns the connection is closed at once.
    const over =
      max > 0 && count >= max
        ? `too many connections from ${address}: maxClientCnxns is ${max}`
        : total > 0 && this.sockets.size >= total
          ? `too many connections on this port: maxCnxns is ${total}`
          : undefined;
    if (over !== undefined) {
      this.options.log("warn", over);
      socket.destroy();
      this.rejected++;
      return undefined;
    }
    this.perAddress.set(address, count + 1);
    this.sockets.add(socket);
    socket.once("close", () => {
      this.sockets.delete(socket);
      this.closedBytesRead += socket.bytesRead;
      this.closedBytesWritten += socket.bytesWritten;
      const left = (this.perAddress.get(address) ?? 1) - 1;
      if (left <= 0) this.perAddress.delete(address);
      else this.perAddress.set(address, left);
    });
    return address;
  }

  destroyAll(): void {
    for (const socket of this.sockets) socket.destroy();
  }
}

export function sniff(socket: Socket, address: string, timeoutMs: number, doors: ClientPortDoors): void {
  let seen: Buffer = Buffer.alloc(0);
  const timer = setTimeout(() => socket.destroy(), timeoutMs);
  const onError = (): void => {
    clearTimeout(timer);
    socket.destroy();
  };
  const onData = (chunk: Buffer): void => {
    seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk]);
    const http2 = isPrefixOf(seen, HTTP2_PREFACE);
    // Four bytes decide for ZooKeeper; a preface needs its first bytes to match as far as seen.
    if (http2 && seen.length < 4) return;
    clearTimeout(timer);
    socket.off("data", onData);
    socket.off("error", onError);
    socket.pause();
    if (http2) {
      socket.unshift(seen);
      doors.grpc(socket);
    } else {
      doors.jute(socket, address, seen);
      socket.resume();
    }
  };
  socket.on("data", onData);
  socket.on("error", onError);
}

function isPrefixOf(seen: Buffer, preface: Buffer): boolean {
  const n = Math.min(seen.length, preface.length);
  return seen.subarray(0, n).equals(preface.subarray(0, n));
}

/** The peer's bare address, for ip ACLs and maxClientCnxns (IPv4-mapped IPv6 unwrapped). */
export function addressOf(socket: Socket): string {
  const address = socket.remoteAddress ?? "unknown";
  return address.startsWith("::ffff:") ? address.slice(7) : address;
}
