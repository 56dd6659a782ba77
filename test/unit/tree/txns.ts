import type { Txn } from "../../../server/gen/paddock/internal/v1/txn.js";
import type { ACL } from "../../../server/gen/paddock/v1/data.js";

/** Hand-built txns for tree tests (prep builds them in production). */
export const OPEN: ACL[] = [{ perms: 31, id: { scheme: "world", id: "anyone" } }];
export const E = 0x1_0000_0000; // epoch 1

export function txn(zxid: number, body: Txn["body"], time = 1000 + zxid - E, sessionId = 0n): Txn {
  return { zxid: BigInt(zxid), sessionId, cxid: 0, origin: 0, originRef: 0, time: BigInt(time), body };
}

export function create(
  path: string,
  data = "",
  parentCversion = -1,
  ephemeralOwner = 0n,
  acl: ACL[] = OPEN,
): Txn["body"] {
  return { $case: "create", value: { path, data: Buffer.from(data), acl, ephemeralOwner, parentCversion } };
}

export function del(path: string): Txn["body"] {
  return { $case: "delete", value: { path } };
}

export function setData(path: string, data: string, version: number): Txn["body"] {
  return { $case: "setData", value: { path, data: Buffer.from(data), version } };
}

export function setAcl(path: string, acl: ACL[], version: number): Txn["body"] {
  return { $case: "setAcl", value: { path, acl, version } };
}
