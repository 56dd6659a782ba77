import { expect } from "vitest";
import { type Client, connect } from "../../clients/ts/src/index.js";

/**
 * Writers that record each create's fate (the failover and reconfig tiers): a create that resolved
 * is acknowledged and must exist on every member afterwards; one that failed may or may not exist.
 */
export interface Writes {
  readonly acked: Set<string>;
  readonly unknown: Set<string>;
}

/** `workers` sequential writers under `root` until stop(); each create's fate is recorded as it ends. */
export function startWriters(
  client: Client,
  root: string,
  workers: number,
): { writes: Writes; stop(): Promise<void> } {
  const writes: Writes = { acked: new Set(), unknown: new Set() };
  let stopped = false;
  const done = Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (let i = 0; !stopped; i++) {
        const name = `w${w}-${i}`;
        try {
          await client.create(`${root}/${name}`, "x");
          writes.acked.add(name);
        } catch {
          writes.unknown.add(name);
        }
      }
    }),
  );
  return {
    writes,
    async stop() {
      stopped = true;
      await done;
    },
  };
}

/** Every member, read directly after a sync, holds every acknowledged write and nothing invented. */
export async function checkMembers(
  members: readonly { id: number; address: string }[],
  root: string,
  writes: Writes,
): Promise<void> {
  for (const member of members) {
    const direct = await connect(member.address, { sessionTimeoutMs: 20_000 });
    try {
      await direct.sync(root);
      const { children } = await direct.getChildren(root);
      const have = new Set(children);
      const lost = [...writes.acked].filter((name) => !have.has(name));
      expect(lost, `member ${member.id} lost acknowledged writes`).toEqual([]);
      const invented = children.filter((name) => !writes.acked.has(name) && !writes.unknown.has(name));
      expect(invented, `member ${member.id} has writes nobody made`).toEqual([]);
    } finally {
      await direct.close();
    }
  }
}
