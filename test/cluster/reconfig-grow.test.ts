import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../clients/ts/src/index.js";
import { digestId } from "../../server/tree/data-tree.js";
import { type Ensemble, startEnsemble } from "../support/ensemble.js";
import { waitUntil } from "../support/wait.js";
import { checkMembers, startWriters } from "../support/writers.js";
import { zkCli } from "../support/zookeeper.js";

/**
 * Growing 3 → 5 and shrinking 5 → 3 under write load, through ZooKeeper's own zkCli, on real
 * member processes: members 4 and 5 start as joiners (their zoo.cfg lists 1–3 and themselves, the others'
 * only 1–3) and follow without a vote until `reconfig -add` makes them voters. Proof that they
 * vote: with two original members killed, writes still commit on 3 of 5. Then `reconfig -remove`
 * takes them out, and a member whose disk is wiped rejoins from a snapshot.
 */
let ensemble: Ensemble;

beforeAll(async () => {
  ensemble = await startEnsemble({
    voters: 3,
    joiners: 2,
    settings: { reconfigEnabled: true, superDigest: digestId("super", "secret") },
  });
  await ensemble.waitForLeader({ timeoutMs: 30_000 });
});

afterAll(async () => {
  await ensemble?.stopAll();
});

async function reconfig(at: number, args: string): Promise<string> {
  const result = await zkCli(
    ensemble.members[at - 1]!.address,
    `addauth digest super:secret\nreconfig ${args}\n`,
  );
  expect(result.stdout, result.stderr).toContain("Committed new configuration:");
  return result.stdout;
}

async function configOf(id: number): Promise<string> {
  const client = await connect(ensemble.members[id - 1]!.address, { sessionTimeoutMs: 20_000 });
  try {
    await client.sync("/zookeeper/config");
    return new TextDecoder().decode((await client.getData("/zookeeper/config")).data);
  } finally {
    await client.close();
  }
}

const voters = (text: string): number[] =>
  [...text.matchAll(/^server\.(\d+)=[^\n]*:participant/gm)].map((m) => Number(m[1]));

describe("growing and shrinking an ensemble under write load", () => {
  it("3 → 5: the joiners become voters (writes commit with two originals down), 5 → 3, then a wiped member rejoins", async () => {
    const leader = await ensemble.waitForLeader({ timeoutMs: 30_000 });
    const client = await connect(
      ensemble.members.slice(0, 3).map((m) => m.address),
      { sessionTimeoutMs: 30_000 },
    );
    await client.create("/grow", "");
    const writers = startWriters(client, "/grow", 3);
    await waitUntil("writes flow", () => writers.writes.acked.size >= 50, 20_000);

    // 3 → 5 in one incremental reconfig (the three originals are a quorum of the five).
    const add = [4, 5].map((id) => `server.${id}=${ensemble.serverLine(leader, id)}`).join(",");
    await reconfig(leader, `-add ${add}`);
    for (const id of [1, 2, 3, 4, 5])
      expect(voters(await configOf(id)), `member ${id}`).toEqual([1, 2, 3, 4, 5]);
    const grown = writers.writes.acked.size;
    await waitUntil(
      "writes keep flowing after the reconfig",
      () => writers.writes.acked.size >= grown + 50,
      20_000,
    );

    // Two originals down: only 3 of the 5 are left, so the joiners' acks are what commits.
    const down = [1, 2, 3].filter((id) => id !== leader).slice(0, 2);
    for (const id of down) await ensemble.kill(id);
    const survivors = [1, 2, 3, 4, 5].filter((id) => !down.includes(id));
    const direct = await connect(
      survivors.map((id) => ensemble.members[id - 1]!.address),
      {
        sessionTimeoutMs: 30_000,
      },
    );
    await waitUntil(
      "a write commits on 3 of 5",
      async () => {
        try {
          await direct.create("/grow-3of5", "");
          return true;
        } catch {
          return false;
        }
      },
      30_000,
    );
    await direct.close();
    for (const id of down) await ensemble.restart(id);
    const again = await ensemble.waitForLeader({ timeoutMs: 30_000 });

    // 5 → 3: the joiners leave; the originals commit alone afterwards.
    await reconfig(again, "-remove 4,5");
    for (const id of [1, 2, 3]) expect(voters(await configOf(id)), `member ${id}`).toEqual([1, 2, 3]);
    for (const id of [4, 5]) await ensemble.kill(id);
    const shrunk = writers.writes.acked.size;
    await waitUntil("writes flow on three", () => writers.writes.acked.size >= shrunk + 50, 30_000);

    // A member loses its disk (all but myid and zoo.cfg) and rejoins: SNAP brings the data back.
    const current = await ensemble.waitForLeader({ timeoutMs: 30_000 });
    const victim = [1, 2, 3].find((id) => id !== current)!;
    await ensemble.kill(victim);
    const dir = ensemble.members[victim - 1]!.dataDir;
    for (const name of readdirSync(dir))
      if (name !== "myid" && name !== "zoo.cfg") rmSync(join(dir, name), { recursive: true });
    await ensemble.restart(victim);
    await writers.stop();
    await client.close();
    await waitUntil(
      "every member of the three serves",
      async () => (await ensemble.mode(victim)) === "follower" || (await ensemble.mode(victim)) === "leader",
      30_000,
    );
    await checkMembers(ensemble.members.slice(0, 3), "/grow", writers.writes);
    expect(voters(await configOf(victim))).toEqual([1, 2, 3]);
  });

  it("removing the leader hands leadership over: the other two elect one and keep committing", async () => {
    const leader = await ensemble.waitForLeader({ timeoutMs: 30_000 });
    const rest = [1, 2, 3].filter((id) => id !== leader);
    const stdout = await reconfig(rest[0]!, `-remove ${leader}`);
    expect(stdout).not.toMatch(new RegExp(`^server\\.${leader}=`, "m"));
    const next = await ensemble.waitForLeader({ timeoutMs: 30_000, exclude: [leader, 4, 5] });
    expect(rest).toContain(next);
    const client = await connect(
      rest.map((id) => ensemble.members[id - 1]!.address),
      { sessionTimeoutMs: 30_000 },
    );
    await client.create("/after-handover", "");
    for (const id of rest) expect(voters(await configOf(id))).toEqual(rest);
    await client.close();
  });
});
