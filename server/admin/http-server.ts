import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

/** Answers one request under its mount point; `path` is what follows the prefix ("" or "/..."). */
export type HttpHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
) => void | Promise<void>;

/**
 * A small HTTP listener with handlers mounted at path prefixes, longest prefix first: the
 * AdminServer mounts its commands at admin.commandURL (/commands), the metrics listener mounts
 * /metrics, and the web console (console-http.ts) is mounted at "/" on the same listener without
 * touching either. A mount serves GET and HEAD unless it names more methods; anything unmounted is a 404.
 */
export class HttpRouter {
  private readonly mounts: { prefix: string; handler: HttpHandler; methods: readonly string[] }[] = [];

  /** `methods`: what the mount serves (GET and HEAD unless it says more, as the web console's POSTs). */
  mount(prefix: string, handler: HttpHandler, methods: readonly string[] = ["GET", "HEAD"]): this {
    const normalised = prefix === "/" ? "" : prefix.replace(/\/+$/, "");
    if (this.mounts.some((m) => m.prefix === normalised)) throw new Error(`${prefix} is mounted twice`);
    this.mounts.push({ prefix: normalised, handler, methods });
    this.mounts.sort((a, b) => b.prefix.length - a.prefix.length);
    return this;
  }

  handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? "/", "http://localhost");
    const path = url.pathname;
    for (const { prefix, handler, methods } of this.mounts) {
      if (path !== prefix && !path.startsWith(`${prefix}/`)) continue;
      if (!methods.includes(request.method ?? "")) {
        send(response, 405, "text/plain", `only ${methods.join(" and ")}\n`);
        return;
      }
      Promise.resolve(handler(request, response, path.slice(prefix.length))).catch((error: unknown) => {
        if (!response.headersSent) send(response, 500, "text/plain", `${(error as Error).message}\n`);
        else response.destroy();
      });
      return;
    }
    send(response, 404, "text/plain", `no handler for ${path}\n`);
  }
}

export function send(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body) });
  response.end(body);
}

/** A listening HTTP server: the bound port, and close. */
export interface HttpListener {
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

/**
 * Listens on host:port (0 for any free port). A port that cannot be bound is an error naming the
 * zoo.cfg key that chose it, so the operator knows what to change.
 */
export function listenHttp(
  router: HttpRouter,
  host: string,
  port: number,
  key: string,
): Promise<HttpListener> {
  const server = createServer((request, response) => router.handle(request, response));
  // Scrapes and admin calls are short: idle keep-alive sockets must not hold shutdown.
  server.keepAliveTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      const why =
        error.code === "EADDRINUSE" ? "is in use" : `cannot be bound (${error.code ?? error.message})`;
      reject(new Error(`${key}: ${host}:${port} ${why}; set ${key} to a free port, or turn it off`));
    });
    server.listen(port, host, () => {
      const address = server.address();
      const bound = typeof address === "object" && address !== null ? address.port : port;
      resolve({
        port: bound,
        server,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
