import type { ACL, CreateRequest, MultiRequest, Op } from "../gen/paddock/v1/data.js";

/**
 * The size ZooKeeper checks against jute.maxbuffer: the jute encoding of the whole request packet
 * after its 4-byte length prefix (request header xid+type, then the record). Strings and buffers
 * are a 4-byte length plus their UTF-8/raw bytes; an ACL is perms + scheme + id. ZooKeeper 3.8 with
 * its default 0xfffff accepts setData of path "/sz584159228204" (15 chars) with 1048540 data bytes
 * and not one more: 8 + (4+15) + (4+1048540) + 4 = 1048575.
 */
const HEADER = 8;
const MULTI_HEADER = 9; // type, done, err before each op and once at the end

export function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

const str = (s: string): number => 4 + utf8Length(s);

function aclSize(acl: readonly ACL[]): number {
  let n = 4;
  for (const a of acl) n += 4 + str(a.id?.scheme ?? "") + str(a.id?.id ?? "");
  return n;
}

function createSize(req: CreateRequest): number {
  const ttl = req.mode === 5 || req.mode === 6 ? 8 : 0;
  return str(req.path) + 4 + req.data.length + aclSize(req.acl) + 4 + ttl;
}

function opSize(op: Op): number {
  const o = op.op;
  switch (o?.$case) {
    case "create":
      return createSize(o.value);
    case "setData":
      return str(o.value.path) + 4 + o.value.data.length + 4;
    case "delete":
    case "check":
      return str(o.value.path) + 4;
    default:
      return 0;
  }
}

export const requestSize = {
  create: (req: CreateRequest): number => HEADER + createSize(req),
  setData: (path: string, data: Uint8Array): number => HEADER + str(path) + 4 + data.length + 4,
  setACL: (path: string, acl: readonly ACL[]): number => HEADER + str(path) + aclSize(acl) + 4,
  multi: (req: MultiRequest): number => {
    let n = HEADER + MULTI_HEADER;
    for (const op of req.ops) n += MULTI_HEADER + opSize(op);
    return n;
  },
};
