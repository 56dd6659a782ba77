import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../clients/ts/src/index.js";
import { digestId } from "../../server/tree/data-tree.js";
import { type Ensemble, startEnsemble } from "../support/ensemble.js";
import { waitUntil } from "../support/wait.js";
import { zkCli } from "../support/zookeeper.js";

/**
 * A single server grows into an ensemble (ZooKeeper's standaloneEnabled=false path): member 1
 * starts alone with one server line, members 2 and 3 start as joiners and follow it, and
 * `reconfig -add` makes the three an ensemble. The data and a session opened while member 1 was
 * alone survive member 1's death afterwards.
 */
let ensemble: Ensemble;

beforeAll(async () => {
  ensemble = await startEnsemble({
    voters: 1,
    joiners: 2,
    settings: { reconfigEnabled: true, standaloneEnabled: false, superDigest: digestId("super", "secret") },
  });
  await ensemble.waitForLeader({ timeoutMs: 30_000 });
});

afterAll(async () => {
  await ensemble?.stopAll();
});

describe("growing one server into three", () => {
  it("keeps data and sessions: 1 → 3 by reconfig -add, then the first member dies", async () => {
    // srvr says standalone for an ensemble of one, standaloneEnabled or not.
    expect(["leader", "standalone"]).toContain(await ensemble.mode(1));
    const addresses = ensemble.members.map((m) => m.address);
    // The session lives on member 1 first, and may move to 2 or 3 when 1 dies.
    const client = await connect([addresses[0]!, ...addresses.slice(1)], {
      sessionTimeoutMs: 30_000,
      shuffleServers: false,
    });
    await client.create("/alone", "before");
    await client.create("/alone/eph", "", { mode: "EPHEMERAL" });
    const sessionId = client.sessionId;

    const add = [2, 3].map((id) => `server.${id}=${ensemble.serverLine(1, id)}`).join(",");
    const result = await zkCli(addresses[0]!, `addauth digest super:secret\nreconfig -add ${add}\n`);
    expect(result.stdout, result.stderr).toContain("Committed new configuration:");
    expect(result.stdout).toMatch(/server\.3=[^\n]*:participant/);

    await ensemble.kill(1);
    const leader = await ensemble.waitForLeader({ timeoutMs: 30_000 });
    expect([2, 3]).toContain(leader);
    await waitUntil(
      "the session writes on the two that are left",
      async () => {
        try {
          await client.create("/alone/after", "x");
          return true;
        } catch {
          return false;
        }
      },
      30_000,
    );
    expect(client.sessionId).toBe(sessionId);
    expect(new TextDecoder().decode((await client.getData("/alone")).data)).toBe("before");
    expect((await client.getChildren("/alone")).children.sort()).toEqual(["after", "eph"]);
    await client.close();
  });
});
