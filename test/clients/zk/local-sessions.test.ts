import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startEnsemble } from "../../support/ensemble.js";
import { startServer } from "../../support/launcher.js";
import { repoRoot, runProcess } from "../../support/run-process.js";
import { startZooKeeper } from "../../support/zookeeper.js";
import { startZooKeeperEnsemble } from "../../support/zookeeper-ensemble.js";

// ZooKeeper's local sessions (localSessionsEnabled, localSessionsUpgradingEnabled), differential:
// the kazoo scenario python/local_sessions.py runs against a real three-member ZooKeeper 3.8
// ensemble and a real three-member Paddock ensemble with the same keys, and prints its outcomes;
// they must be equal. ZooKeeper's outcomes are also pinned here, so a change on either side shows.
//
// Pinned from ZooKeeper 3.8.0 (Debian), three members:
// - A new session is local to its member: that member's local_sessions grows, no global_sessions
//   anywhere; a session on the leader is local too.
// - Without upgrading, an ephemeral create fails with EphemeralOnLocalSession (-120), on a
//   follower and on the leader; a multi with an ephemeral fails whole, its ephemeral op with
//   EphemeralOnLocalSession on the leader but SessionExpired on a follower (the leader does not know
//   the follower's session). The session lives on.
// - A local session resumes on its own member only (SessionExpired elsewhere); its close and its
//   expiry need no transaction, and its watches go with it.
// - With upgrading, the first ephemeral create turns the session global (a CreateSession
//   transaction): the follower's local_sessions drops, the leader's global_sessions grows, and
//   the session then resumes on any member and owns its ephemerals until it closes.
// - Standalone (no server lines), ZooKeeper ignores localSessionsEnabled: sessions are global and
//   ephemerals allowed.

const python = join(repoRoot, ".cache/kazoo-venv/bin/python");
const scenario = join(repoRoot, "test/clients/zk/python/local_sessions.py");

async function kazoo(args: readonly string[]): Promise<unknown> {
  const r = await runProcess(python, [scenario, ...args], { timeoutMs: 100_000 });
  if (r.code !== 0) throw new Error(`local_sessions.py ${args.join(" ")} exited ${r.code}:\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

const keys = (upgrading: boolean) => ({
  localSessionsEnabled: true,
  localSessionsUpgradingEnabled: upgrading,
});

/** The scenario against both ensembles at once (two cores: each side is mostly waiting). */
async function bothEnsembles(upgrading: boolean): Promise<{ zookeeper: unknown; paddock: unknown }> {
  const settings = keys(upgrading);
  const zkLines = Object.entries(settings).map(([k, v]) => `${k}=${v}`);
  const zookeeper = async (): Promise<unknown> => {
    const zk = await startZooKeeperEnsemble({ size: 3, version: "3.8", extraConfig: zkLines });
    try {
      return await kazoo([zk.leader, ...zk.followers]);
    } finally {
      await zk.stop();
    }
  };
  const paddock = async (): Promise<unknown> => {
    const e = await startEnsemble({ voters: 3, settings: { ...settings, "4lw.commands.whitelist": "*" } });
    try {
      const leader = await e.waitForLeader({ timeoutMs: 30_000 });
      const address = (id: number): string => e.members.find((m) => m.id === id)!.address;
      const followers = e.members.filter((m) => m.id !== leader).map((m) => m.address);
      return await kazoo([address(leader), ...followers]);
    } finally {
      await e.stopAll();
    }
  };
  const [z, p] = await Promise.all([zookeeper(), paddock()]);
  return { zookeeper: z, paddock: p };
}

const common = {
  open_on_follower: { follower_global: 0, follower_local: 1, leader_global: 0 },
  persistent_create: "ok",
  resume_on_own_member: "resumed",
  ephemeral_after_close: false,
  resume_after_close: "expired",
  expiry: { local_before: 1, local_after: 0, resume: "expired", watches_after: 0, watches_before: 1 },
};

describe("local sessions: kazoo against ZooKeeper 3.8 and Paddock ensembles", () => {
  it("without upgrading: ephemerals refused, the session stays on its member", async () => {
    const { zookeeper, paddock } = await bothEnsembles(false);
    expect(zookeeper).toEqual({
      ...common,
      ephemeral_create: "EphemeralOnLocalSessionError",
      ephemeral_sequential_create: "EphemeralOnLocalSessionError",
      multi_with_ephemeral: ["RolledBackError", "SessionExpiredError"],
      multi_persistent_created: false,
      after_ephemerals: { ephemeral_exists: false, follower_local: 1, leader_global: 0 },
      resume_on_other_member: "expired",
      ephemeral_before_close: false,
      leader_session_ephemeral: {
        ephemeral_create: "EphemeralOnLocalSessionError",
        multi_with_ephemeral: ["RolledBackError", "EphemeralOnLocalSessionError"],
      },
    });
    expect(paddock).toEqual(zookeeper);
  });

  it("with upgrading: the first ephemeral makes the session global", async () => {
    const { zookeeper, paddock } = await bothEnsembles(true);
    expect(zookeeper).toEqual({
      ...common,
      ephemeral_create: "ok",
      ephemeral_sequential_create: "ok",
      multi_with_ephemeral: ["ok", "ok"],
      multi_persistent_created: true,
      after_ephemerals: { ephemeral_exists: true, follower_local: 0, leader_global: 1 },
      resume_on_other_member: "resumed",
      ephemeral_before_close: true,
      leader_session_ephemeral: { ephemeral_create: "ok", multi_with_ephemeral: ["ok", "ok"] },
    });
    expect(paddock).toEqual(zookeeper);
  });

  it("standalone: localSessionsEnabled is ignored, as ZooKeeper does", async () => {
    const settings = { ...keys(false), "4lw.commands.whitelist": "*" };
    const [zk, server] = await Promise.all([
      startZooKeeper({ extraConfig: Object.entries(settings).map(([k, v]) => `${k}=${v}`) }),
      startServer({ settings }),
    ]);
    try {
      const [z, p] = await Promise.all([
        kazoo(["standalone", zk.address]),
        kazoo(["standalone", server.juteAddress]),
      ]);
      expect(z).toEqual({ ephemeral_create: "ok", global: 1, local: 0 });
      expect(p).toEqual(z);
    } finally {
      await Promise.all([zk.stop(), server.stop()]);
    }
  });
});
