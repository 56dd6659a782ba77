/**
 * A read-write lock in Curator's InterProcessReadWriteLock layout: readers create
 * `<path>/_c_<uuid>-__READ__<seq>`, writers `<path>/_c_<uuid>-__WRIT__<seq>`, all sorted by
 * sequence. A writer holds when it is first; a reader holds when no writer is ahead of it (or its
 * own write lock is held, which allows downgrading). A writer watches its predecessor; a reader
 * watches the first writer ahead of it (every such reader may proceed at once when it goes).
 */
import type { Client } from "../client.js";
import { PaddockError } from "../errors.js";
import { Lock, type LockPredicate, maxLeases } from "./lock.js";

const READ = "__READ__";
const WRITE = "__WRIT__";
const markers = [READ, WRITE] as const;

export class ReadWriteLock {
  readonly writeLock: Lock;
  readonly readLock: Lock;

  constructor(client: Client, path: string) {
    this.writeLock = new Lock(client, path, {
      lockName: WRITE,
      sortMarkers: markers,
      predicate: maxLeases(1),
    });
    const reader: LockPredicate = (sorted, ours) => {
      if (this.writeLock.isHeld) return { holds: true };
      const ourIndex = sorted.indexOf(ours);
      if (ourIndex < 0) throw new PaddockError(-101, ours, `lock node ${ours} vanished (session lost?)`);
      const firstWriter = sorted.findIndex((n) => n.includes(WRITE));
      if (firstWriter < 0 || ourIndex < firstWriter) return { holds: true };
      return { holds: false, watch: sorted[firstWriter]! };
    };
    this.readLock = new Lock(client, path, { lockName: READ, sortMarkers: markers, predicate: reader });
  }
}
