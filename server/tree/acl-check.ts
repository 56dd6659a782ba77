import type { ACL } from "../gen/paddock/v1/data.js";
import { isDistinguishedName } from "../util/x500-name.js";

/** A session's identities, e.g. {scheme:"ip",id:"127.0.0.1"}, {scheme:"digest",id:"bob:<hash>"}, {scheme:"super",id:""}. */
export interface AuthId {
  scheme: string;
  id: string;
}

/** ZooKeeper's permission bits (paddock.v1.Perm). */
export const Perms = { READ: 1, WRITE: 2, CREATE: 4, DELETE: 8, ADMIN: 16, ALL: 31 } as const;

export function permName(perm: number): string {
  const names = Object.entries(Perms)
    .filter(([name, bit]) => name !== "ALL" && (perm & bit) !== 0)
    .map(([name]) => name);
  return names.join("|") || "NONE";
}

/** True when ids hold super rights: a {scheme:"super"} id, or the digest id equal to superDigest. */
export function isSuper(ids: readonly AuthId[], superDigest?: string): boolean {
  for (const id of ids) {
    if (id.scheme === "super") return true;
    if (superDigest !== undefined && id.scheme === "digest" && id.id === superDigest) return true;
  }
  return false;
}

/**
 * ZooKeeper's checkACL: an empty list allows everything; otherwise some entry must grant one of the
 * bits in perm to world:anyone or to one of ids (digest by equality, ip by address range).
 */
export function checkAcl(
  acl: readonly ACL[],
  perm: number,
  ids: readonly AuthId[],
  superDigest?: string,
): boolean {
  if (isSuper(ids, superDigest)) return true;
  if (acl.length === 0) return true;
  for (const entry of acl) {
    if ((entry.perms & perm) === 0 || entry.id === undefined) continue;
    const { scheme, id } = entry.id;
    if (scheme === "world" && id === "anyone") return true;
    for (const auth of ids) {
      if (auth.scheme !== scheme) continue;
      if (scheme === "ip" ? ipMatches(auth.id, id) : auth.id === id) return true;
      // SASLAuthenticationProvider.matches: the SASL user "super" matches every sasl entry.
      if (scheme === "sasl" && auth.id === "super") return true;
    }
  }
  return false;
}

/** Is id a valid identity of scheme in an ACL (ZooKeeper's provider isValid)? "auth" is not a scheme here. */
export function isValidAclId(scheme: string, id: string): boolean {
  switch (scheme) {
    case "world":
      return id === "anyone";
    case "digest":
      return javaSplitLength(id, ":") === 2;
    case "ip":
      return parseIpRange(id) !== undefined;
    case "x509":
      return isDistinguishedName(id);
    case "sasl":
      // SASLAuthenticationProvider.isValid: a KerberosName (primary[/instance]@REALM, or no "@").
      return !id.includes("@") || /^[^/@]*(\/[^/@]*)?@[^/@]*$/.test(id);
    default:
      return false;
  }
}

/** Number of parts Java's String.split(sep) yields (trailing empty parts are dropped). */
function javaSplitLength(text: string, sep: string): number {
  const parts = text.split(sep);
  while (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
  return parts.length === 0 && text.length === 0 ? 1 : parts.length;
}

interface IpRange {
  bytes: Uint8Array;
  bits: number;
}

function parseIpRange(expr: string): IpRange | undefined {
  const slash = expr.indexOf("/");
  const bytes = parseIp(slash < 0 ? expr : expr.slice(0, slash));
  if (bytes === undefined) return undefined;
  let bits = bytes.length * 8;
  if (slash >= 0) {
    const text = expr.slice(slash + 1);
    if (!/^[+-]?\d+$/.test(text)) return undefined;
    bits = Number(text);
    if (bits < 0 || bits > bytes.length * 8) return undefined;
  }
  return { bytes, bits };
}

/** ZooKeeper's IPAuthenticationProvider.matches: addr equals the ACL's address under its mask. */
export function ipMatches(addr: string, aclExpr: string): boolean {
  const range = parseIpRange(aclExpr);
  const remote = parseIp(addr);
  if (range === undefined || remote === undefined || remote.length !== range.bytes.length) return false;
  for (let i = 0; i < remote.length; i++) {
    const bitsHere = Math.max(0, Math.min(8, range.bits - i * 8));
    const mask = (0xff << (8 - bitsHere)) & 0xff;
    if ((remote[i]! & mask) !== (range.bytes[i]! & mask)) return false;
  }
  return true;
}

export function parseIp(text: string): Uint8Array | undefined {
  return text.includes(":") ? parseIpv6(text) : parseIpv4(text);
}

function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i]!;
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    out[i] = Number(part);
  }
  return out;
}

function parseIpv6(text: string): Uint8Array | undefined {
  const zone = text.indexOf("%");
  const body = zone >= 0 ? text.slice(0, zone) : text;
  const halves = body.split("::");
  if (halves.length > 2) return undefined;
  const groups = (half: string): number[] | undefined => {
    if (half === "") return [];
    const out: number[] = [];
    const parts = half.split(":");
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      if (i === parts.length - 1 && part.includes(".")) {
        const v4 = parseIpv4(part);
        if (v4 === undefined) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(part)) {
        out.push(Number.parseInt(part, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...new Array<number>(missing).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}
