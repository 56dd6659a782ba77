/**
 * zkCli's ACL argument: "scheme:id:perms[,scheme:id:perms...]". As zkCli, a malformed entry or
 * an unknown permission letter is reported and skipped, not fatal.
 */
import type { ACL } from "../src/types.js";

const permBits: Record<string, number> = { r: 1, w: 2, c: 4, d: 8, a: 16 };

export function parseAcl(text: string, warn: (line: string) => void): ACL[] {
  const out: ACL[] = [];
  for (const entry of text.split(",")) {
    const first = entry.indexOf(":");
    const last = entry.lastIndexOf(":");
    if (first === -1 || first === last) {
      warn(`${entry} does not have the form scheme:id:perm`);
      continue;
    }
    let perms = 0;
    for (const c of entry.slice(last + 1)) {
      const bit = permBits[c];
      if (bit === undefined) warn(`Unknown perm type: ${c}`);
      else perms |= bit;
    }
    out.push({ perms, id: { scheme: entry.slice(0, first), id: entry.slice(first + 1, last) } });
  }
  return out;
}
