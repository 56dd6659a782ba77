/**
 * The web console, mounted at "/" on the AdminServer: the built page (dist/console, made by
 * `npm run build:console`) and its JSON API under /api. Reads and writes go through the browser's
 * console session (console-sessions.ts), so the ACLs decide what it may see; every write needs a
 * digest login. The admin port may listen on every interface: the session cookie is HttpOnly and
 * SameSite=Strict, and writes must be JSON POSTs (a cross-site form cannot send one).
 */
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CreateMode } from "../gen/paddock/v1/data.js";
import type { AdminContext } from "./commands.js";
import { ensembleFigures, type MetricHistory, sessionFigures } from "./console-figures.js";
import {
  ConsoleError,
  type ConsoleOp,
  type ConsoleSession,
  type ConsoleSessions,
  replyError as replyErrorOf,
} from "./console-sessions.js";
import { consoleRead } from "./console-tree.js";
import type { HttpHandler } from "./http-server.js";

/** Where `npm run build:console` writes the page. */
export const consoleBundleDir = fileURLToPath(new URL("../../dist/console/", import.meta.url));

const assets: Record<string, string> = {
  "/index.html": "text/html; charset=utf-8",
  "/console.js": "text/javascript; charset=utf-8",
  "/console.css": "text/css; charset=utf-8",
};
const security = {
  "content-security-policy": "default-src 'self'; img-src 'self' data:; style-src 'self'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "cache-control": "no-store",
};
const cookieName = "paddock_console";
const bodyBytesMax = 1024 * 1024 + 4096;

const missingBundle = `<!doctype html><title>Paddock console not built</title>
<h1>The Paddock web console is not built</h1>
<p>Run <code>npm run build:console</code> in the Paddock checkout (it writes <code>dist/console/</code>),
then reload. The AdminServer's commands are at <a href="/commands">/commands</a>.</p>\n`;

export interface ConsoleOptions {
  readonly sessions: ConsoleSessions;
  readonly context: () => AdminContext;
  readonly history: MetricHistory;
  /** Defaults to consoleBundleDir; tests point it at a folder without a bundle. */
  readonly bundleDir?: string;
}

export function consoleHandler(options: ConsoleOptions): HttpHandler {
  const dir = options.bundleDir ?? consoleBundleDir;
  return async (request, response, path) => {
    if (path.startsWith("/api/")) {
      await api(options, request, response, path.slice(4)).catch((error: unknown) => {
        const status = error instanceof ConsoleError ? error.status : 500;
        json(response, status, { error: (error as Error).message });
      });
      return;
    }
    // The page routes by hash (#/tree, …): "/" is the page, any other unknown path is a 404.
    const file = path === "/" || path === "" ? "/index.html" : path;
    if (assets[file] === undefined) {
      response.writeHead(404, { "content-type": "text/plain; charset=utf-8", ...security });
      response.end(`no such page: ${path}\n`);
      return;
    }
    let body: Buffer;
    try {
      body = readFileSync(join(dir, file));
    } catch {
      response.writeHead(503, { "content-type": "text/html; charset=utf-8", ...security });
      response.end(missingBundle);
      return;
    }
    response.writeHead(200, { "content-type": assets[file], "content-length": body.length, ...security });
    response.end(request.method === "HEAD" ? undefined : body);
  };
}

function json(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...security,
    ...headers,
  });
  response.end(text);
}

function tokenOf(request: IncomingMessage): string | undefined {
  for (const part of (request.headers.cookie ?? "").split(";")) {
    const [name, value] = part.trim().split("=");
    if (name === cookieName && value !== undefined) return value;
  }
  return undefined;
}

function cookie(session: ConsoleSession | undefined): Record<string, string> {
  const value = session === undefined ? `${cookieName}=; Max-Age=0` : `${cookieName}=${session.token}`;
  return { "set-cookie": `${value}; HttpOnly; SameSite=Strict; Path=/` };
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  if (!(request.headers["content-type"] ?? "").startsWith("application/json")) {
    throw new ConsoleError(415, "writes are JSON POSTs (content-type: application/json)");
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > bodyBytesMax) throw new ConsoleError(413, `request body over ${bodyBytesMax} bytes`);
    chunks.push(chunk as Buffer);
  }
  const value: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
  if (typeof value !== "object" || value === null) throw new ConsoleError(400, "a JSON object, please");
  return value as Record<string, unknown>;
}

function text(body: Record<string, unknown>, key: string): string {
  const value = body[key];
  if (typeof value !== "string") throw new ConsoleError(400, `${key} must be a string`);
  return value;
}

/** An expected version, or undefined for any version (-1, absent). */
function version(body: Record<string, unknown>): number | undefined {
  const value = body["version"];
  if (value === undefined || value === null || value === -1) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value))
    throw new ConsoleError(400, "version must be an integer");
  return value;
}

const createModes: Record<string, CreateMode> = {
  persistent: CreateMode.CREATE_MODE_PERSISTENT,
  persistent_sequential: CreateMode.CREATE_MODE_PERSISTENT_SEQUENTIAL,
  container: CreateMode.CREATE_MODE_CONTAINER,
};

async function api(
  options: ConsoleOptions,
  request: IncomingMessage,
  response: ServerResponse,
  route: string,
) {
  const { sessions } = options;
  const url = new URL(request.url ?? "/", "http://localhost");
  const address = request.socket.remoteAddress ?? "?";
  const existing = sessions.get(tokenOf(request));
  if (request.method === "POST" && route === "/login") {
    const body = await readJson(request);
    const user = text(body, "user");
    if (user === "" || user.includes(":")) throw new ConsoleError(400, "a user name without ':'");
    const session = await sessions.open(address, user, text(body, "password"));
    await existing?.close();
    json(response, 200, whoami(session), cookie(session));
    return;
  }
  if (request.method === "POST" && route === "/logout") {
    await existing?.close();
    json(response, 200, { user: null }, cookie(undefined));
    return;
  }
  // The member's own figures need no ZooKeeper session, so a member that cannot open one (no
  // quorum) still shows its ensemble view, sessions and metrics.
  const figures = request.method === "GET" ? memberFigures(options, route) : undefined;
  if (figures !== undefined) return json(response, 200, figures);
  // Reads need no login: anonymous browsers get a session of their own (world and ip identities).
  const session = existing ?? (await sessions.open(address));
  const headers = existing === undefined ? cookie(session) : {};
  const answer = (status: number, body: unknown): void => json(response, status, body, headers);
  if (request.method === "POST") {
    if (session.user === undefined) throw new ConsoleError(401, "log in (digest) to change the tree");
    const body = await readJson(request);
    answer(200, await write(session, route, body));
    return;
  }
  switch (route) {
    case "/whoami":
      return answer(200, whoami(session));
    case "/watch":
      return liveView(
        session,
        url.searchParams.get("path") ?? "/",
        response,
        headers,
        sessions.liveViewsPerSessionMax,
      );
    default:
      return answer(200, await consoleRead(session, route, url.searchParams));
  }
}

/** The admin figures the console shows (what the admin commands show anyone who asks). */
function memberFigures(options: ConsoleOptions, route: string): unknown {
  switch (route) {
    case "/ensemble":
      return ensembleFigures(options.context());
    case "/sessions":
      return { sessions: sessionFigures(options.context()) };
    case "/metrics":
      return { intervalMs: options.history.intervalMs, samples: options.history.recent() };
    default:
      return undefined;
  }
}

function whoami(session: ConsoleSession): { user: string | null; sessionId: string } {
  return { user: session.user ?? null, sessionId: `0x${session.sessionId.toString(16)}` };
}

async function write(
  session: ConsoleSession,
  route: string,
  body: Record<string, unknown>,
): Promise<unknown> {
  const path = text(body, "path");
  let op: ConsoleOp;
  if (route === "/create") {
    const mode = createModes[typeof body["mode"] === "string" ? body["mode"] : "persistent"];
    if (mode === undefined)
      throw new ConsoleError(400, `mode is one of ${Object.keys(createModes).join(", ")}`);
    const data = Buffer.from(typeof body["data"] === "string" ? body["data"] : "", "utf8");
    op = { $case: "create", value: { path, data, acl: [], mode, ttl: 0n } };
  } else if (route === "/set") {
    op = {
      $case: "setData",
      value: { path, data: Buffer.from(text(body, "data"), "utf8"), version: version(body) },
    };
  } else if (route === "/delete") {
    op = { $case: "delete", value: { path, version: version(body) } };
  } else {
    throw new ConsoleError(404, `no console call ${route}`);
  }
  const [reply] = await session.call([op]);
  if (reply === undefined) throw new ConsoleError(500, "no reply");
  if (reply.error !== undefined) throw replyErrorOf(reply);
  return { ok: true, path: reply.result?.$case === "create" ? reply.result.value.path : path };
}

/** Server-sent events: each change under `path`, from a persistent recursive watch. */
async function liveView(
  session: ConsoleSession,
  path: string,
  response: ServerResponse,
  headers: Record<string, string>,
  viewsMax: number,
): Promise<void> {
  if (session.liveViews >= viewsMax)
    throw new ConsoleError(429, `at most ${viewsMax} live views per browser`);
  const stop = await session.watch(path, (event) => {
    response.write(
      `event: change\ndata: ${JSON.stringify({ type: event.type, path: event.path, zxid: `0x${event.zxid.toString(16)}` })}\n\n`,
    );
  });
  response.writeHead(200, {
    "content-type": "text/event-stream",
    "cache-control": "no-store",
    connection: "keep-alive",
    ...headers,
  });
  response.write(`event: ready\ndata: ${JSON.stringify({ path })}\n\n`);
  // A comment line now and then keeps proxies from closing an idle stream.
  const keepAlive = setInterval(() => response.write(": keep-alive\n\n"), 15_000);
  keepAlive.unref();
  response.on("close", () => {
    clearInterval(keepAlive);
    stop();
  });
}
