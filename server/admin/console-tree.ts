/**
 * The console's tree reads, on the browser's own session (so its ACLs apply): a page of a node's
 * children (sorted, with each child's child count for the lazy tree) and one node's data, Stat
 * and ACL. Data travels as base64; the page shows it as text, JSON or hex.
 */
import { Consistency, type Stat } from "../gen/paddock/v1/data.js";
import type { Reply } from "../gen/paddock/v1/session.js";
import { ConsoleError, type ConsoleSession, replyError } from "./console-sessions.js";
import type { StatJson } from "./console-wire.js";

/** Children per page, at most (each costs one exists in the same batch). */
export const childrenPageMax = 200;

const hex = (n: bigint): string => `0x${n.toString(16)}`;

export function statJson(stat: Stat | undefined): StatJson | undefined {
  if (stat === undefined) return undefined;
  return {
    czxid: hex(stat.czxid),
    mzxid: hex(stat.mzxid),
    pzxid: hex(stat.pzxid),
    ctime: Number(stat.ctime),
    mtime: Number(stat.mtime),
    version: stat.version,
    cversion: stat.cversion,
    aversion: stat.aversion,
    ephemeralOwner: hex(stat.ephemeralOwner),
    dataLength: stat.dataLength,
    numChildren: stat.numChildren,
  };
}

function checked(reply: Reply | undefined): Reply {
  if (reply === undefined) throw new ConsoleError(500, "no reply");
  if (reply.error !== undefined) throw replyError(reply);
  return reply;
}

function pathParam(params: URLSearchParams): string {
  const path = params.get("path") ?? "/";
  if (!path.startsWith("/")) throw new ConsoleError(400, "path must start with /");
  return path;
}

function intParam(params: URLSearchParams, name: string, fallback: number, max: number): number {
  const raw = params.get(name);
  const value = raw === null ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new ConsoleError(400, `${name} must be a whole number`);
  return Math.min(value, max);
}

const child = (parent: string, name: string): string => (parent === "/" ? `/${name}` : `${parent}/${name}`);
const sequential = Consistency.CONSISTENCY_SEQUENTIAL;

export async function consoleRead(
  session: ConsoleSession,
  route: string,
  params: URLSearchParams,
): Promise<unknown> {
  const path = pathParam(params);
  if (route === "/children") {
    const offset = intParam(params, "offset", 0, Number.MAX_SAFE_INTEGER);
    const limit = intParam(params, "limit", 50, childrenPageMax);
    const [reply] = await session.call([
      { $case: "getChildren", value: { path, watch: false, consistency: sequential } },
    ]);
    const result = checked(reply).result;
    if (result?.$case !== "getChildren") throw new ConsoleError(500, "unexpected reply");
    const names = [...result.value.children].sort();
    const page = names.slice(offset, offset + limit);
    const stats = await session.call(
      page.map((name) => ({
        $case: "exists" as const,
        value: { path: child(path, name), watch: false, consistency: sequential },
      })),
    );
    return {
      path,
      total: names.length,
      offset,
      children: page.map((name, i) => {
        const r = stats[i]?.result;
        const numChildren = r?.$case === "exists" ? (r.value.stat?.numChildren ?? 0) : 0;
        return { name, path: child(path, name), numChildren };
      }),
    };
  }
  if (route === "/node") {
    const [data, acl] = await session.call([
      { $case: "getData", value: { path, watch: false, consistency: sequential } },
      { $case: "getAcl", value: { path } },
    ]);
    const d = checked(data).result;
    if (d?.$case !== "getData") throw new ConsoleError(500, "unexpected reply");
    const a = acl?.result?.$case === "getAcl" ? acl.result.value.acl : [];
    return {
      path,
      data: Buffer.from(d.value.data).toString("base64"),
      dataNull: d.value.dataNull === true,
      stat: statJson(d.value.stat),
      acl: a.map((entry) => ({ scheme: entry.id?.scheme ?? "", id: entry.id?.id ?? "", perms: entry.perms })),
      aclError: acl?.error?.message,
    };
  }
  throw new ConsoleError(404, `no console call ${route}`);
}
