import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerHandle, startServer } from "../../support/launcher.js";
import { startZooKeeper, type ZooKeeperHandle } from "../../support/zookeeper.js";
import { type Run, requireCurator, runScenarios, scenarioNames, transcript } from "./runner.js";

// Curator 5 recipes and ZooKeeper's 3.9 Java client (java/CuratorRunner.java) against Apache
// ZooKeeper 3.8 and against Paddock's ZooKeeper-protocol door: the transcripts of checked outcomes
// must be equal (a differential test), and every guarantee the runner checks must hold on both.
// Needs `bash scripts/install-curator.sh` (and Debian's zookeeper, as test/clients/zk does).
let zk: ZooKeeperHandle | undefined;
let paddock: ServerHandle | undefined;
let reaper: ServerHandle | undefined;
let reference: Run;
let candidate: Run;
let reaped: Run;

beforeAll(async () => {
  requireCurator();
  // The reference runs with -Dzookeeper.extendedTypesEnabled=true (TTL nodes): so does Paddock.
  // A second Paddock reaps containers every 100 ms for the one scenario that needs it (the
  // reference's interval is ZooKeeper's default 60 s, fixed by test/support/zookeeper.ts).
  [zk, paddock, reaper] = await Promise.all([
    startZooKeeper(),
    startServer({ settings: { extendedTypesEnabled: true } }),
    startServer({ settings: { "znode.container.checkIntervalMs": 100 } }),
  ]);
  [reference, candidate, reaped] = await Promise.all([
    runScenarios(zk.address, scenarioNames),
    runScenarios(paddock.juteAddress, scenarioNames),
    runScenarios(reaper.juteAddress, ["container-reaped"]),
  ]);
});

afterAll(async () => {
  await Promise.all([zk?.stop(), paddock?.stop(), reaper?.stop()]);
});

/**
 * Pinned differences, each with its reason. `event-zxids`: ZooKeeper 3.9 puts the zxid of the
 * transaction that fired a watch event in the notification's header and its client exposes it as
 * WatchedEvent.getZxid(); the 3.8 reference always sends -1 there ("none"), Paddock speaks 3.9 and
 * sends the transaction's zxid ("txn": equal to the czxid/mzxid/pzxid the change produced).
 */
const pinned: Record<string, Record<string, { reference: unknown; paddock: unknown }>> = {
  zk39: {
    "event-zxids": {
      reference: ["none", "none", "none", "none", "none", "none"],
      paddock: ["txn", "txn", "txn", "txn", "txn", "txn"],
    },
  },
};

function value(run: Run, scenario: string, check: string): unknown {
  const found = run.outcomes.filter((o) => o.scenario === scenario && o.check === check);
  expect(found, `${scenario}/${check} printed once`).toHaveLength(1);
  return found[0]!.value;
}

describe("Curator 5 + ZooKeeper 3.9 client: Paddock answers as ZooKeeper 3.8 does", () => {
  it.each(scenarioNames)("%s", (scenario) => {
    const expected = transcript(reference, scenario);
    const actual = transcript(candidate, scenario);
    expect(expected.length, `reference transcript of ${scenario}`).toBeGreaterThan(0);
    for (const [check, pin] of Object.entries(pinned[scenario] ?? {})) {
      expect(expected.find((o) => o.check === check)?.value, `reference ${check} (pinned)`).toEqual(
        pin.reference,
      );
      expect(actual.find((o) => o.check === check)?.value, `Paddock ${check} (pinned)`).toEqual(pin.paddock);
    }
    const unpinned = (o: { check: string }): boolean => pinned[scenario]?.[o.check] === undefined;
    expect(actual.filter(unpinned)).toEqual(expected.filter(unpinned));
  });
});

describe("every guarantee the runner checks holds", () => {
  it.each(scenarioNames)("%s on ZooKeeper 3.8 (the reference is sane)", (scenario) => {
    const mine = reference.outcomes.filter((o) => o.scenario === scenario);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.filter((o) => !o.ok)).toEqual([]);
  });

  it.each(scenarioNames)("%s on Paddock", (scenario) => {
    const mine = candidate.outcomes.filter((o) => o.scenario === scenario);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.filter((o) => !o.ok)).toEqual([]);
  });

  it("the runners exit 0 (no violated guarantee, no crash)", () => {
    expect(reference.code, reference.stderr.slice(-3000)).toBe(0);
    expect(candidate.code, candidate.stderr.slice(-3000)).toBe(0);
  });

  it("InterProcessMutex: reentrant, exclusive among three clients, no lost update", () => {
    expect(value(candidate, "mutex", "reentrant-acquire")).toBe(true);
    expect(value(candidate, "mutex", "other-client-times-out-while-held")).toBe(false);
    expect(value(candidate, "mutex", "max-simultaneous-holders")).toBe(1);
    expect(value(candidate, "mutex", "counter-after-3x8")).toBe(24);
  });

  it("LeaderLatch hands off on close with one leader at a time", () => {
    expect(value(candidate, "leader-latch", "round-1-one-leader-of")).toBe(2);
    expect(value(candidate, "leader-latch", "max-simultaneous-leaders")).toBe(1);
  });

  it("PersistentNode survives a reconnect and is recreated after a forced session expiry", () => {
    expect(value(candidate, "persistent-node", "survives-reconnect")).toBe(true);
    expect(value(candidate, "persistent-node", "states-on-expiry")).toEqual([
      "SUSPENDED",
      "LOST",
      "RECONNECTED",
    ]);
    expect(value(candidate, "persistent-node", "recreated-after-expiry")).toBe("hello");
  });

  it("CuratorCache sees create/update/delete in a subtree through a persistent recursive watch", () => {
    expect(value(candidate, "curator-cache", "subtree-events-as-expected")).toBe(true);
  });

  it("ServiceDiscovery: the instance disappears when its client closes", () => {
    expect(value(candidate, "discovery", "instances")).toEqual([
      { id: "pay-1", address: "10.1.2.3", port: 8080, type: "DYNAMIC" },
    ]);
    expect(value(candidate, "discovery", "gone-after-client-close")).toBe(true);
  });

  // Paddock only (pinned): the reference reaps containers every 60 s, too slow for this tier.
  it("containers made by creatingParentContainersIfNeeded are reaped after their last child (Paddock)", () => {
    expect(reaped.outcomes.filter((o) => !o.ok)).toEqual([]);
    expect(reaped.outcomes.map((o) => o.check)).toEqual([
      "emptied-containers-reaped",
      "never-used-container-stays",
      "persistent-parent-stays",
    ]);
    expect(reaped.code, reaped.stderr.slice(-3000)).toBe(0);
  });
});
