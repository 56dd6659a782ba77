import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startZooKeeper, type ZooKeeperHandle } from "../../support/zookeeper.js";
import type { Line } from "./normalise.js";
import {
  type RunnerName,
  recipeNames,
  requireRunners,
  runScenarios,
  scenarioFile,
  scenarioNames,
} from "./runners.js";

// Every runner's scenarios against two fresh Apache ZooKeeper servers: the normalised transcripts
// must be identical (so the harness is deterministic and fit to compare Paddock against) and must
// say something. Needs `bash scripts/install-zk-clients.sh` first.
const clients: RunnerName[] = ["java", "kazoo", "node", "go"];
const all: RunnerName[] = [...clients, "kazoo-recipes"];
const names = scenarioNames();
const steps = JSON.parse(readFileSync(scenarioFile, "utf8")) as Record<
  string,
  { steps: Record<string, unknown>[] }
>;
type Runs = Map<RunnerName, Map<string, Line[]>>;
let servers: ZooKeeperHandle[] = [];
let runs: Runs[] = [];

beforeAll(async () => {
  requireRunners();
  servers = await Promise.all([startZooKeeper(), startZooKeeper()]);
  // Ten client processes at once: each mostly waits on the servers, and the JVM's compile is the cost.
  runs = await Promise.all(
    servers.map(async (zk) => {
      const entries = await Promise.all(
        all.map(
          async (r) =>
            [r, await runScenarios(r, zk.address, r === "kazoo-recipes" ? recipeNames : names)] as const,
        ),
      );
      return new Map(entries);
    }),
  );
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

const transcript = (r: RunnerName, scenario: string, run = 0): Line[] =>
  runs[run]?.get(r)?.get(scenario) ?? [];
const lineAt = (lines: Line[], i: number): Line | undefined => lines.find((l) => l.i === i && "op" in l);
const events = (lines: Line[]): Line[] => lines.filter((l) => "event" in l);
/** The `ok` of step i, and its stat. */
const ok = (lines: Line[], i: number): Line => (lineAt(lines, i)?.ok ?? {}) as Line;
const statAt = (lines: Line[], i: number): Line => (ok(lines, i).stat ?? {}) as Line;

describe.each(all)("%s runner on ZooKeeper", (runner) => {
  const list = runner === "kazoo-recipes" ? recipeNames : names;
  it.each(list)("%s: same transcript on two servers, no crash, every wait satisfied", (scenario) => {
    const first = transcript(runner, scenario);
    expect(first[0]).toMatchObject({ scenario });
    if (first[0]?.skipped !== undefined) return;
    expect(transcript(runner, scenario, 1)).toEqual(first);
    expect(first.length).toBeGreaterThan(3);
    expect(first.filter((l) => "crash" in l)).toEqual([]);
    for (const l of first.filter((x) => x.op === "wait"))
      expect(l.got, `wait at step ${l.i}`).toBe(steps[scenario]?.steps[l.i as number]?.events);
  });
});

describe("every client sees the same watch events in the same order", () => {
  it.each(["watches", "watch-order", "ephemeral"])("%s", (scenario) => {
    const java = events(transcript("java", scenario));
    expect(java.length).toBeGreaterThan(0);
    for (const r of clients) expect(events(transcript(r, scenario)), r).toEqual(java);
  });
});

// Fine points observed on Apache ZooKeeper 3.8.0 (Debian 3.8.0-11+deb12u2), pinned so a change in
// the reference or the harness is noticed; Paddock must match them through differential.test.ts.
describe("ZooKeeper 3.8.0 fine points", () => {
  it("a delete bumps the parent's cversion but not the next sequential suffix", () => {
    const t = transcript("java", "sequential");
    const created = t.filter((l) => l.op === "create" && "ok" in l).map((l) => (l.ok as Line).path);
    expect(created.slice(2)).toEqual([
      "/q/n-0000000000",
      "/q/n-0000000001",
      "/q/n-0000000002",
      "/q/n-0000000003",
      "/q/plain",
      "/q/e-0000000005",
      "/q/0000000006",
    ]);
    expect(statAt(t, 7).cversion).toBe(4); // after 3 creates and 1 delete
    expect(statAt(t, 14).cversion).toBe(8);
  });

  it("a multi's ops share one zxid; a failed multi reports Ok, the error, then RuntimeInconsistency", () => {
    const t = transcript("java", "multi");
    const m1 = statAt(t, 3);
    const m2 = statAt(t, 4);
    expect([m1.mzxid, m2.czxid, m2.pzxid]).toEqual([m1.czxid, m1.czxid, m1.czxid]);
    expect(lineAt(t, 5)).toMatchObject({
      err: "NoNode",
      results: [{ err: "Ok" }, { err: "NoNode" }, { err: "RuntimeInconsistency" }],
    });
  });

  it("container and TTL nodes report ephemeralOwner 0", () => {
    const t = transcript("java", "modes");
    for (const i of [3, 6]) expect(statAt(t, i).ephemeralOwner).toBe("0");
  });

  it("a session's own write fires its watch before the write's reply", () => {
    const t = transcript("java", "watch-order");
    const at = (i: number) => t.findIndex((l) => l.i === i && "op" in l);
    expect(t[at(5) - 1]).toEqual({ event: "NodeDataChanged", s: "A", path: "/w" });
    expect(t.slice(at(9) - 2, at(9))).toEqual([
      { event: "NodeCreated", s: "A", path: "/w2" },
      { event: "NodeChildrenChanged", s: "A", path: "/" },
    ]);
  });

  it("one NodeDeleted for a node watched by both exists and getChildren", () => {
    const t = transcript("java", "watches");
    expect(events(t).filter((e) => e.path === "/d" && e.event === "NodeDeleted")).toHaveLength(1);
  });

  // exists on an unreadable node is in no scenario (3.8.0 and 3.8.4+ differ): identity.test.ts pins it.
  it("getACL needs READ; an ACL with no permissions is accepted", () => {
    const t = transcript("java", "acl");
    expect(lineAt(t, 7)).toMatchObject({ op: "getAcl", err: "NoAuth" });
    expect(lineAt(t, 21)).toMatchObject({ op: "create", ok: { path: "/noperm" } });
  });

  it("removing a persistent watch is reported locally as PersistentWatchRemoved; recursive watches skip NodeChildrenChanged", () => {
    const t = transcript("java", "persistent-watches");
    expect(events(t).filter((e) => e.path?.toString().startsWith("/r"))).toEqual([
      { event: "NodeCreated", s: "A", path: "/r/a" },
      { event: "NodeCreated", s: "A", path: "/r/a/b" },
      { event: "NodeDataChanged", s: "A", path: "/r/a/b" },
      { event: "NodeDeleted", s: "A", path: "/r/a/b" },
      { event: "NodeDataChanged", s: "A", path: "/r/a" },
      { event: "PersistentWatchRemoved", s: "A", path: "/r" },
    ]);
  });

  it("whoAmI lists the digest identity before the ip one", () => {
    expect(lineAt(transcript("java", "introspection"), 15)?.ok).toEqual({
      clients: [
        { scheme: "digest", id: "user" },
        { scheme: "ip", id: "127.0.0.1" },
      ],
    });
  });
});
