import type { ACL } from "../gen/paddock/v1/data.js";
import { Code } from "../util/error-code.js";
import { PaddockError } from "../util/paddock-error.js";
import { type AuthId, isValidAclId } from "./acl-check.js";

/** Schemes whose ids say who a session is ("auth" expands to these): not ip, world or super. */
function isAuthenticatedScheme(scheme: string): boolean {
  return scheme !== "ip" && scheme !== "world" && scheme !== "super";
}

function invalid(path: string, why: string): PaddockError {
  return new PaddockError(Code.InvalidACL, path, `InvalidACL for ${path}: ${why}`);
}

/**
 * ZooKeeper's PrepRequestProcessor.fixupACL: drop exact duplicates (first kept), reject an empty
 * list, expand "auth" to each of the session's authenticated ids (InvalidACL if it has none), and
 * reject ids their scheme does not accept (world only "anyone", digest "user:hash", ip "addr[/bits]").
 * Duplicates created by the expansion stay, as in ZooKeeper.
 */
export function fixupAcl(
  path: string,
  acl: readonly ACL[],
  ids: readonly AuthId[],
  entriesMax: number,
): ACL[] {
  const unique: ACL[] = [];
  const seen = new Set<string>();
  for (const a of acl) {
    const key = `${a.perms},${a.id?.scheme}:${a.id?.id}`;
    if (a.id !== undefined && seen.has(key)) continue;
    seen.add(key);
    unique.push(a);
  }
  if (unique.length === 0) throw invalid(path, "empty ACL");
  const out: ACL[] = [];
  for (const a of unique) {
    const id = a.id;
    if (id === undefined) throw invalid(path, "ACL entry without id");
    if (id.scheme === "auth") {
      const own = ids.filter((i) => isAuthenticatedScheme(i.scheme));
      if (own.length === 0) throw invalid(path, "scheme auth but the session has no authenticated id");
      for (const i of own) out.push({ perms: a.perms, id: { scheme: i.scheme, id: i.id } });
    } else if (isValidAclId(id.scheme, id.id)) {
      out.push({ perms: a.perms, id: { scheme: id.scheme, id: id.id } });
    } else {
      throw invalid(path, `invalid id ${id.scheme}:${id.id}`);
    }
  }
  if (out.length > entriesMax)
    throw invalid(path, `${out.length} ACL entries, over aclEntriesMax ${entriesMax}`);
  return out;
}
