import type { Request } from "../gen/paddock/v1/session.js";

export type Op = NonNullable<Request["op"]>;

/** Ops that become transactions (prep → propose → commit → apply). */
export function isWrite(op: Op): boolean {
  switch (op.$case) {
    case "create":
    case "delete":
    case "setData":
    case "setAcl":
    case "multi":
    case "txn":
    case "reconfig":
    case "close":
      return true;
    default:
      return false;
  }
}

/** Linearizable consistency requested: the read waits until every write proposed before it applied. */
export function isLinearizable(op: Op): boolean {
  switch (op.$case) {
    case "sync":
      return true;
    case "getData":
    case "getChildren":
    case "exists":
      return op.value.consistency === 1;
    default:
      return false;
  }
}

/** The path an op concerns, for spans and errors. */
export function opPath(op: Op): string {
  const value = op.value as { path?: unknown };
  return typeof value.path === "string" ? value.path : "";
}
