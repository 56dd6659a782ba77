import type { ACL } from "../gen/paddock/v1/data.js";
import { assert } from "../util/assert.js";
import { Hash64 } from "./digest.js";

/** One distinct ACL list, shared by every node that carries it (ZooKeeper's ReferenceCountedACLCache). */
export interface AclEntry {
  /** Stable number of this list in snapshots (SnapshotAcl.ref / SnapshotNode.acl_ref). */
  readonly ref: number;
  readonly acl: readonly ACL[];
  readonly key: string;
  /** Nodes holding this list. */
  count: number;
  readonly hashLo: number;
  readonly hashHi: number;
}

function keyOf(acl: readonly ACL[]): string {
  return acl.map((a) => `${a.perms},${a.id?.scheme ?? ""}:${a.id?.id ?? ""}`).join("\n");
}

function copyAcl(acl: readonly ACL[]): readonly ACL[] {
  return Object.freeze(
    acl.map((a) =>
      Object.freeze({
        perms: a.perms,
        id: Object.freeze({ scheme: a.id?.scheme ?? "", id: a.id?.id ?? "" }),
      }),
    ),
  );
}

export class AclCache {
  private readonly byKey = new Map<string, AclEntry>();
  private readonly byRef = new Map<number, AclEntry>();
  private nextRef = 1;
  private readonly hash = new Hash64();

  /** The shared entry for acl, with one more holder. */
  acquire(acl: readonly ACL[]): AclEntry {
    const key = keyOf(acl);
    let entry = this.byKey.get(key);
    if (entry === undefined) entry = this.insert(this.nextRef, acl, key);
    entry.count++;
    return entry;
  }

  /** Adds an entry read from a snapshot under its recorded ref, with no holders yet. */
  restore(ref: number, acl: readonly ACL[]): void {
    assert(!this.byRef.has(ref), `duplicate ACL ref ${ref} in snapshot`);
    const key = keyOf(acl);
    assert(!this.byKey.has(key), `ACL list recorded twice in snapshot (ref ${ref})`);
    this.insert(ref, acl, key);
  }

  /** Holder count + 1 for a restored entry. */
  acquireRef(ref: number): AclEntry {
    const entry = this.byRef.get(ref);
    assert(entry !== undefined, `snapshot node names unknown ACL ref ${ref}`);
    entry.count++;
    return entry;
  }

  release(entry: AclEntry): void {
    assert(entry.count > 0, `ACL ref ${entry.ref} released more often than acquired`);
    if (--entry.count === 0) {
      this.byKey.delete(entry.key);
      this.byRef.delete(entry.ref);
    }
  }

  /** Drops restored entries no node uses. */
  prune(): void {
    for (const entry of [...this.byRef.values()]) {
      if (entry.count === 0) {
        this.byKey.delete(entry.key);
        this.byRef.delete(entry.ref);
      }
    }
  }

  get size(): number {
    return this.byRef.size;
  }

  entries(): Iterable<AclEntry> {
    return this.byRef.values();
  }

  private insert(ref: number, acl: readonly ACL[], key: string): AclEntry {
    const h = this.hash.start(0x41434c).string(key).finish();
    const entry: AclEntry = { ref, acl: copyAcl(acl), key, count: 0, hashLo: h.lo, hashHi: h.hi };
    this.byKey.set(key, entry);
    this.byRef.set(ref, entry);
    this.nextRef = Math.max(this.nextRef, ref + 1);
    return entry;
  }
}
