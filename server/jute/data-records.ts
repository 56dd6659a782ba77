// Jute's shared data records: Stat, Id, ACL and ClientInfo, read and written.
import type { ACL, ClientInfo, Stat } from "../gen/paddock/v1/data.js";
import type { JuteReader } from "./jute-reader.js";
import type { JuteWriter } from "./jute-writer.js";

/** Wire sizes, for checking vector counts against the bytes left. */
export const STAT_BYTES = 68;
/** perms int + two empty ustrings. */
export const ACL_BYTES_MIN = 12;
export const USTRING_BYTES_MIN = 4;

/** ZooKeeper's Stat, 11 fields in this order. */
export function writeStat(w: JuteWriter, s: Stat): void {
  w.long(s.czxid)
    .long(s.mzxid)
    .long(s.ctime)
    .long(s.mtime)
    .int(s.version)
    .int(s.cversion)
    .int(s.aversion)
    .long(s.ephemeralOwner)
    .int(s.dataLength)
    .int(s.numChildren)
    .long(s.pzxid);
}

export function readStat(r: JuteReader): Stat {
  return {
    czxid: r.long("stat.czxid"),
    mzxid: r.long("stat.mzxid"),
    ctime: r.long("stat.ctime"),
    mtime: r.long("stat.mtime"),
    version: r.int("stat.version"),
    cversion: r.int("stat.cversion"),
    aversion: r.int("stat.aversion"),
    ephemeralOwner: r.long("stat.ephemeralOwner"),
    dataLength: r.int("stat.dataLength"),
    numChildren: r.int("stat.numChildren"),
    pzxid: r.long("stat.pzxid"),
  };
}

/** A null ustring inside a record reads as "" (the pipeline rejects what it must). */
export function readString(r: JuteReader, field: string): string {
  return r.ustring(field) ?? "";
}

/** ACL {perms int, Id {scheme ustring, id ustring}}: the Id is a nested record, never null on the wire. */
export function readAcl(r: JuteReader): ACL {
  const perms = r.int("acl.perms");
  const scheme = readString(r, "acl.id.scheme");
  const id = readString(r, "acl.id.id");
  return { perms, id: { scheme, id } };
}

/** Paddock's ACL may lack an id (proto3); jute cannot say so, so it is written as empty strings. */
export function writeAcl(w: JuteWriter, a: ACL): void {
  w.int(a.perms)
    .ustring(a.id?.scheme ?? "")
    .ustring(a.id?.id ?? "");
}

export function readAclVector(r: JuteReader, field: string): ACL[] | null {
  return r.vector(field, ACL_BYTES_MIN, readAcl);
}

export function writeAclVector(w: JuteWriter, acl: readonly ACL[]): void {
  w.vectorStart(acl.length);
  for (const a of acl) writeAcl(w, a);
}

export function readStringVector(r: JuteReader, field: string): string[] | null {
  return r.vector(field, USTRING_BYTES_MIN, (x) => readString(x, field));
}

export function writeStringVector(w: JuteWriter, items: readonly string[]): void {
  w.vectorStart(items.length);
  for (const s of items) w.ustring(s);
}

export function writeClientInfo(w: JuteWriter, c: ClientInfo): void {
  w.ustring(c.authScheme).ustring(c.user);
}

export function readClientInfo(r: JuteReader): ClientInfo {
  return { authScheme: readString(r, "clientInfo.authScheme"), user: readString(r, "clientInfo.user") };
}
