import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { digestId } from "../../server/tree/data-tree.js";
import { watchConfig } from "../support/config-watch.js";
import { type Ensemble, startEnsemble } from "../support/ensemble.js";
import { paddockCli } from "../support/run-process.js";
import { waitUntil } from "../support/wait.js";
import { zkCli } from "../support/zookeeper.js";

/**
 * A real three-member ensemble changes its members through ZooKeeper's own zkCli (Debian's 3.8):
 * `reconfig -remove` takes a follower out, `reconfig -add` brings it back, and /zookeeper/config
 * on every member shows each new configuration with `version=<hex zxid>`, firing the data watch a
 * ZooKeeper client (node-zookeeper-client) set on it.
 */
let ensemble: Ensemble;

beforeAll(async () => {
  ensemble = await startEnsemble({
    voters: 3,
    settings: { reconfigEnabled: true, superDigest: digestId("super", "secret") },
  });
  await ensemble.waitForLeader({ timeoutMs: 20_000 });
});

afterAll(async () => {
  await ensemble?.stopAll();
});

/** zkCli's "Committed new configuration:" block (the lines up to version=). */
function committed(stdout: string): string {
  const at = stdout.indexOf("Committed new configuration:\n");
  expect(at, stdout).toBeGreaterThanOrEqual(0);
  const rest = stdout.slice(at + "Committed new configuration:\n".length);
  return rest.slice(0, rest.indexOf("\n", rest.indexOf("version=")));
}

const ids = (text: string): number[] => [...text.matchAll(/^server\.(\d+)=/gm)].map((m) => Number(m[1]));

describe("reconfig on a real ensemble, from zkCli", () => {
  it("removes a follower and adds it back; /zookeeper/config follows and fires its watch", async () => {
    const leader = await ensemble.waitForLeader({ timeoutMs: 20_000 });
    const follower = ensemble.members.find((m) => m.id !== leader)!;
    const at = ensemble.members[leader - 1]!.address;
    const before = await watchConfig(at);
    // The leader's own view of the follower's peer address, with a client part (reconfig -add needs one).
    const line = new RegExp(`^server\\.${follower.id}=(\\S+)$`, "m").exec(before.text)?.[1];
    expect(line, before.text).toBeDefined();

    const removed = await zkCli(at, `addauth digest super:secret\nreconfig -remove ${follower.id}\n`);
    const afterRemove = committed(removed.stdout);
    expect(ids(afterRemove)).toEqual([1, 2, 3].filter((id) => id !== follower.id));
    expect(await before.changed).toBe("NODE_DATA_CHANGED");
    before.close();
    const removedVersion = /version=([0-9a-f]+)$/.exec(afterRemove)?.[1];
    expect(BigInt(`0x${removedVersion}`)).toBeGreaterThan(0n);

    const watched = await watchConfig(at);
    expect(watched.text).toBe(afterRemove);
    const joining = `server.${follower.id}=${line};127.0.0.1:${follower.clientPort}`;
    const added = await zkCli(
      at,
      `addauth digest super:secret\nreconfig -v ${removedVersion} -add ${joining}\nconfig\n`,
    );
    const afterAdd = committed(added.stdout);
    expect(ids(afterAdd)).toEqual([1, 2, 3]);
    expect(afterAdd).toContain(joining);
    expect(await watched.changed).toBe("NODE_DATA_CHANGED");
    watched.close();
    // `config -c`: zkCli's connect string (Java's Properties order) and paddock cli's agree.
    const version = /version=([0-9a-f]+)$/.exec(afterAdd)?.[1];
    const connectLine = (out: string) => new RegExp(`^${version} .*$`, "m").exec(out)?.[0];
    const [theirs, ours] = await Promise.all([zkCli(at, "config -c\n"), paddockCli(at, ["config", "-c"])]);
    expect(connectLine(theirs.stdout), theirs.stdout).toContain(`127.0.0.1:${follower.clientPort}`);
    expect(connectLine(ours.stdout)).toBe(connectLine(theirs.stdout));
    // Every member, the re-added one included, ends up showing the same configuration.
    await waitUntil(
      "every member showing the new configuration",
      async () => {
        const texts = await Promise.all(
          ensemble.members.map((m) =>
            watchConfig(m.address).then(
              (r) => {
                r.close();
                return r.text;
              },
              () => "",
            ),
          ),
        );
        return texts.every((t) => t === afterAdd);
      },
      60_000,
    );
  });
});
