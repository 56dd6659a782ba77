/**
 * A chroot from the connect string ("host:2181,host2:2181/app", as ZooKeeper's
 * ConnectStringParser): every request path is prefixed with it on the way out and every path in
 * a reply, error or watch event has it taken off on the way back, so the client sees `/app` as `/`.
 */
import type { OpResult, Error as WireError } from "../gen/paddock/v1/data.js";
import type { Reply } from "../gen/paddock/v1/session.js";
import type { RequestOp } from "./call.js";
import { validatePath } from "./path.js";

/** Splits "a:1,b:2/app" into the servers and the chroot ("" for none or "/"). */
export function splitChroot(connect: string): { servers: string; chroot: string } {
  const at = connect.indexOf("/");
  if (at < 0) return { servers: connect, chroot: "" };
  const chroot = connect.slice(at);
  validatePath(chroot);
  return { servers: connect.slice(0, at), chroot: chroot === "/" ? "" : chroot };
}

export function toServerPath(chroot: string, path: string): string {
  if (chroot === "" || path.length === 0) return path;
  return path === "/" ? chroot : chroot + path;
}

export function toClientPath(chroot: string, path: string): string {
  if (chroot === "") return path;
  if (path === chroot) return "/";
  return path.startsWith(`${chroot}/`) ? path.slice(chroot.length) : path;
}

type WithPath = { $case: string; value: { path: string } };

function withPath<T extends WithPath | undefined>(op: T, chroot: string): T {
  if (op === undefined) return op;
  return { ...op, value: { ...op.value, path: toServerPath(chroot, op.value.path) } };
}

/** The request as the server must see it. */
export function chrootRequest(op: RequestOp, chroot: string): RequestOp {
  if (chroot === "") return op;
  switch (op.$case) {
    case "multi":
      return { ...op, value: { ops: op.value.ops.map((o) => ({ op: withPath(o.op, chroot) })) } };
    case "multiRead":
      return { ...op, value: { ops: op.value.ops.map((o) => ({ op: withPath(o.op, chroot) })) } };
    case "txn": {
      const ops = (list: typeof op.value.thenOps) => list.map((o) => ({ op: withPath(o.op, chroot) }));
      const compare = op.value.compare.map((c) => ({ ...c, path: toServerPath(chroot, c.path) }));
      return { ...op, value: { compare, thenOps: ops(op.value.thenOps), elseOps: ops(op.value.elseOps) } };
    }
    case "getEphemerals":
      return { ...op, value: { prefixPath: toServerPath(chroot, op.value.prefixPath) } };
    default:
      return "path" in op.value ? (withPath(op as WithPath, chroot) as RequestOp) : op;
  }
}

function chrootError(error: WireError, chroot: string): WireError {
  if (error.path === "") return error;
  const path = toClientPath(chroot, error.path);
  return { ...error, path, message: error.message.split(error.path).join(path) };
}

/** The reply as the client must see it (paths without the chroot). */
export function chrootReply(reply: Reply, chroot: string): Reply {
  if (chroot === "") return reply;
  const out: Reply = { ...reply };
  if (reply.error !== undefined) out.error = chrootError(reply.error, chroot);
  const r = reply.result;
  if (r === undefined) return out;
  switch (r.$case) {
    case "create":
      out.result = { ...r, value: { ...r.value, path: toClientPath(chroot, r.value.path) } };
      break;
    case "sync":
      out.result = { ...r, value: { ...r.value, path: toClientPath(chroot, r.value.path) } };
      break;
    case "getEphemerals":
      out.result = { ...r, value: { paths: r.value.paths.map((p) => toClientPath(chroot, p)) } };
      break;
    case "multi":
      out.result = { ...r, value: { results: chrootResults(r.value.results, chroot) } };
      break;
    case "txn":
      out.result = { ...r, value: { ...r.value, results: chrootResults(r.value.results, chroot) } };
      break;
    case "multiRead":
      out.result = {
        ...r,
        value: {
          results: r.value.results.map((x) =>
            x.result?.$case === "error"
              ? { result: { ...x.result, value: chrootError(x.result.value, chroot) } }
              : x,
          ),
        },
      };
      break;
    default:
      out.result = r;
  }
  return out;
}

/** A multi's (or txn branch's) results with paths without the chroot. */
function chrootResults(results: readonly OpResult[], chroot: string): OpResult[] {
  return results.map((x) => {
    const res = x.result;
    if (res?.$case === "create")
      return { result: { ...res, value: { ...res.value, path: toClientPath(chroot, res.value.path) } } };
    if (res?.$case === "error") return { result: { ...res, value: chrootError(res.value, chroot) } };
    return x;
  });
}
