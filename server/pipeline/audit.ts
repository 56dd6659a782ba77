import type { ACL } from "../gen/paddock/v1/data.js";
import type { Reply, Request } from "../gen/paddock/v1/session.js";
import type { AuthId } from "../tree/data-tree.js";

/** Takes one audit line, as ZooKeeper's AuditEvent.toString() writes it (tab-separated key=value). */
export type AuditSink = (line: string) => void;

/** CreateMode as ZooKeeper's CreateMode.toString().toLowerCase(), indexed by paddock.v1.CreateMode. */
const createModes = [
  "persistent",
  "ephemeral",
  "persistent_sequential",
  "ephemeral_sequential",
  "container",
  "persistent_with_ttl",
  "persistent_sequential_with_ttl",
];

interface AuditEntry {
  readonly operation: string;
  readonly znode?: string;
  readonly znodeType?: string;
  readonly acl?: string;
}

/** ZooKeeper's ZKUtil.getPermString: r w c d a. */
function perms(bits: number): string {
  return (
    (bits & 1 ? "r" : "") +
    (bits & 2 ? "w" : "") +
    (bits & 4 ? "c" : "") +
    (bits & 8 ? "d" : "") +
    (bits & 16 ? "a" : "")
  );
}

function aclString(acl: readonly ACL[]): string {
  return acl.map((a) => `${a.id?.scheme ?? ""}:${a.id?.id ?? ""}:${perms(a.perms)}`).join(",");
}

/**
 * The user list ZooKeeper audits (Request.getUsersForAudit): each identity's user name, comma
 * separated; a digest identity shows its user part only (DigestAuthenticationProvider.getUserName).
 */
export function auditUser(ids: readonly AuthId[]): string {
  return ids
    .map((i) => (i.scheme === "digest" ? i.id.slice(0, Math.max(0, i.id.indexOf(":"))) || i.id : i.id))
    .join(",");
}

/** One line in ZooKeeper's order: session, user, ip, operation, znode, znode_type, acl, result. */
export function auditLine(
  session: string | undefined,
  user: string,
  ip: string | undefined,
  entry: AuditEntry,
  result: "success" | "failure" | "invoked",
): string {
  const parts: string[] = [];
  const add = (key: string, value: string | undefined): void => {
    if (value !== undefined) parts.push(`${key}=${value.replace(/[\t\n\r]/g, "")}`);
  };
  add("session", session);
  add("user", user);
  add("ip", ip);
  add("operation", entry.operation);
  add("znode", entry.znode);
  add("znode_type", entry.znodeType);
  add("acl", entry.acl);
  parts.push(`result=${result}`);
  return parts.join("\t");
}

/**
 * The audit lines of one answered state-changing request (ZooKeeper's AuditHelper): create,
 * delete, setData, setAcl, reconfig; a multi that succeeded as one line per create, delete and setData, one
 * that failed as a single multiOperation failure. Other requests give none.
 */
export function auditLinesOf(
  sessionId: bigint,
  ids: readonly AuthId[],
  request: Request,
  reply: Reply,
): string[] {
  const op = request.op;
  if (op === undefined) return [];
  const session = `0x${sessionId.toString(16)}`;
  const user = auditUser(ids);
  const ip = ids.find((i) => i.scheme === "ip")?.id;
  const result = reply.error === undefined ? "success" : "failure";
  const line = (entry: AuditEntry, r: "success" | "failure" = result): string =>
    auditLine(session, user, ip, entry, r);
  switch (op.$case) {
    case "create": {
      const created = reply.result?.$case === "create" ? reply.result.value.path : op.value.path;
      return [line({ operation: "create", znode: created, znodeType: createModes[op.value.mode] })];
    }
    case "delete":
      return [line({ operation: "delete", znode: op.value.path })];
    case "setData":
      return [line({ operation: "setData", znode: op.value.path })];
    case "setAcl":
      return [line({ operation: "setAcl", znode: op.value.path, acl: aclString(op.value.acl) })];
    case "reconfig":
      // As ZooKeeper's AuditHelper: the znode is the changed node, absent when refused.
      return [
        line({ operation: "reconfig", znode: reply.error === undefined ? "/zookeeper/config" : undefined }),
      ];
    case "multi":
    case "txn": {
      if (reply.error !== undefined) return [line({ operation: "multiOperation" }, "failure")];
      const r = reply.result;
      const results = r?.$case === "multi" || r?.$case === "txn" ? r.value.results : [];
      // A compare-transaction is audited as the multi its chosen branch became.
      const ops =
        op.$case === "multi"
          ? op.value.ops
          : r?.$case === "txn" && !r.value.succeeded
            ? op.value.elseOps
            : op.value.thenOps;
      const lines: string[] = [];
      ops.forEach((sub, i) => {
        const inner = sub.op;
        if (inner === undefined || inner.$case === "check") return;
        if (inner.$case === "create") {
          const r = results[i]?.result;
          const path = r?.$case === "create" ? r.value.path : inner.value.path;
          lines.push(line({ operation: "create", znode: path, znodeType: createModes[inner.value.mode] }));
        } else {
          lines.push(line({ operation: inner.$case, znode: inner.value.path }));
        }
      });
      return lines;
    }
    default:
      return [];
  }
}
