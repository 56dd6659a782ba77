import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../clients/ts/src/index.js";
import type { EnsembleView } from "../../server/admin/console-wire.js";
import { mntrKeysLeftOut } from "../../server/admin/mntr.js";
import { adminJson, httpGet, mntrFamily, unexplainedKeys } from "../support/admin-shapes.js";
import { type Ensemble, startEnsemble } from "../support/ensemble.js";
import { waitUntil } from "../support/wait.js";
import { freePort, startZooKeeper, type ZooKeeperHandle } from "../support/zookeeper.js";

/**
 * A three-member ensemble with Prometheus /metrics on (each member on its own free port): the
 * scrape shows ZooKeeper's names with sane values on the leader and the followers, and the
 * leader's mntr keys are a real ZooKeeper 3.8 leader's (a one-member quorum) or documented.
 * Last, a follower's web console shows every member as the leader sees it while members die.
 */
let ensemble: Ensemble;
let zk: ZooKeeperHandle;
let zkAdminPort = 0;

function sample(text: string, name: string): number | undefined {
  const match = new RegExp(`^${name} (\\S+)$`, "m").exec(text);
  return match ? Number(match[1]) : undefined;
}

beforeAll(async () => {
  zkAdminPort = await freePort();
  [ensemble, zk] = await Promise.all([
    startEnsemble({
      voters: 3,
      settings: {
        "metricsProvider.className": "org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider",
      },
    }),
    startZooKeeper({
      serverLine: ({ quorum, election, client }) => `127.0.0.1:${quorum}:${election};127.0.0.1:${client}`,
      extraConfig: [
        "admin.enableServer=true",
        "admin.serverAddress=127.0.0.1",
        `admin.serverPort=${zkAdminPort}`,
      ],
    }),
  ]);
  await ensemble.waitForLeader({ timeoutMs: 20_000 });
});

afterAll(async () => {
  await Promise.all([ensemble?.stopAll(), zk?.stop()]);
});

describe("metrics of a three-member ensemble", () => {
  it("the leader reports quorum_size 3 and two synced followers; znode_count grows everywhere", async () => {
    const leader = await ensemble.waitForLeader({ timeoutMs: 20_000 });
    const scrape = (id: number) =>
      httpGet(`http://127.0.0.1:${ensemble.members[id - 1]!.metricsPort}/metrics`);
    const before = await scrape(leader);
    expect(sample(before, "quorum_size")).toBe(3);
    expect(sample(before, "synced_followers")).toBe(2);
    expect(sample(before, "election_time_count")).toBeGreaterThanOrEqual(1);
    // Each follower was synchronised by DIFF (nothing to send) when the leader took over.
    expect(sample(before, "diff_count")).toBeGreaterThanOrEqual(2);
    expect(sample(before, "snap_count")).toBe(0);
    const nodes = sample(before, "znode_count")!;
    const client = await connect(ensemble.connectString, { sessionTimeoutMs: 30_000 });
    try {
      await client.create("/metrics", "");
      await Promise.all(Array.from({ length: 20 }, (_, i) => client.create(`/metrics/n${i}`, "v")));
      await client.sync("/metrics");
    } finally {
      await client.close();
    }
    const after = await scrape(leader);
    expect(sample(after, "znode_count")).toBe(nodes + 21);
    expect(sample(after, "proposal_latency_count")).toBeGreaterThanOrEqual(21);
    expect(sample(after, "fsynctime_count")).toBeGreaterThan(0);
    expect(sample(after, "approximate_data_size")).toBeGreaterThan(sample(before, "approximate_data_size")!);
    expect(sample(after, "paddock_peer_bytes_sent")).toBeGreaterThan(0);
    expect(after).toMatch(/^paddock_learner_lag\{learner="\d",observer="false"\} -?\d+$/m);
    for (const m of ensemble.members.filter((x) => x.id !== leader)) {
      const text = await scrape(m.id);
      // A follower applies the same stream; ZooKeeper's leader-only figures read 0 there.
      expect(sample(text, "znode_count")).toBeGreaterThanOrEqual(nodes);
      expect(sample(text, "quorum_size")).toBe(0);
      expect(sample(text, "election_time_count")).toBeGreaterThanOrEqual(1);
    }
  });

  it("the leader's mntr keys are a ZooKeeper 3.8 leader's, or documented as left out", async () => {
    const leader = await ensemble.waitForLeader({ timeoutMs: 20_000 });
    const ours = await adminJson(ensemble.members[leader - 1]!.adminPort!, "mntr");
    const theirs = await adminJson(zkAdminPort, "mntr");
    expect(theirs.server_state).toBe("leader");
    expect(ours.server_state).toBe("leader");
    expect(unexplainedKeys(Object.keys(theirs), Object.keys(ours))).toEqual([]);
    const zkKeys = new Set(Object.keys(theirs));
    expect(Object.keys(ours).filter((k) => !k.startsWith("paddock_") && !zkKeys.has(k))).toEqual([]);
    expect(Object.keys(ours).filter((k) => mntrKeysLeftOut[k] ?? mntrKeysLeftOut[mntrFamily(k)])).toEqual([]);
    expect(ours.quorum_size).toBe(3);
    expect(ours.synced_followers).toBe(2);
  });

  it("a follower's console shows every member as the leader sees it, and members going down", async () => {
    const leader = await ensemble.waitForLeader({ timeoutMs: 20_000 });
    const [follower, other] = ensemble.members.filter((m) => m.id !== leader);
    const url = `http://127.0.0.1:${follower!.adminPort}/api/ensemble`;
    const view = async (): Promise<EnsembleView> => JSON.parse(await httpGet(url)) as EnsembleView;
    const seen = (v: EnsembleView): Record<number, string> =>
      Object.fromEntries(v.members.map((m) => [m.id, `${m.role}/${m.health}`]));
    const waitFor = async (what: string, wanted: Record<number, string>): Promise<EnsembleView> => {
      let last: EnsembleView | undefined;
      const matches = async (): Promise<boolean> => {
        last = await view();
        return JSON.stringify(seen(last)) === JSON.stringify(wanted);
      };
      await waitUntil(what, matches, 20_000).catch((error: Error) => {
        throw new Error(`${error.message}; last seen ${JSON.stringify(last && seen(last))}`);
      });
      return last!;
    };
    const all = await waitFor("every member up", {
      [leader]: "leader/up",
      [follower!.id]: "follower/up",
      [other!.id]: "follower/up",
    });
    expect(all.serverId).toBe(follower!.id);
    expect(all.leaderId).toBe(leader);
    expect(all.members.find((m) => m.self)?.id).toBe(follower!.id);
    for (const m of all.members) expect(m.zxid, `member ${m.id}'s zxid`).toMatch(/^0x[0-9a-f]+$/);

    // The leader no longer counts the killed follower as a learner: down on the follower's page.
    await ensemble.kill(other!.id);
    await waitFor("the killed follower down", {
      [leader]: "leader/up",
      [follower!.id]: "follower/up",
      [other!.id]: "/down",
    });

    // No quorum left: the follower looks for a leader, and its page still answers (no session
    // needed), with the members it cannot reach down.
    await ensemble.kill(leader);
    await waitFor("no leader, both others unreachable", {
      [leader]: "/down",
      [follower!.id]: "looking/up",
      [other!.id]: "/down",
    });
  });
});
