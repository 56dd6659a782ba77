import { describe, expect, it } from "vitest";
import { idsConfig } from "../../../server/consensus/member-config.js";
import type { ZabNode } from "../../../server/consensus/zab-node.js";
import type { ReconfigRequest } from "../../../server/gen/paddock/v1/data.js";
import { prepReconfig, type ReconfigOptions } from "../../../server/pipeline/reconfig-prep.js";
import { DataTree } from "../../../server/tree/data-tree.js";
import { Prep, type PrepContext } from "../../../server/tree/prep.js";
import { Code } from "../../../server/util/error-code.js";
import { defaultLimits } from "../../../server/util/limits.js";
import { PaddockError } from "../../../server/util/paddock-error.js";
import { ensemble, member, reconfigTxn } from "../consensus/zab-node-harness.js";

// prepReconfig on real ZabNodes: the leader's configurations, its own id and the learners it sees
// in sync are what nextMembers checks; zoo.cfg's options and requestBytesMax come from the source;
// then Prep checks the ACL of /zookeeper/config and records it.

const on: ReconfigOptions = { enabled: true, standalone: false, standaloneEnabled: true };
const superCtx: PrepContext = {
  sessionId: 1n,
  ids: [{ scheme: "super", id: "" }],
  now: 0,
  ephemeralAllowed: true,
};
const five = "server.5=127.0.0.1:2005:3005;4005";

const request = (more: Partial<ReconfigRequest>): ReconfigRequest => ({
  joiningServers: "",
  leavingServers: "",
  newMembers: "",
  ...more,
});

function run(
  node: ZabNode,
  more: Partial<ReconfigRequest>,
  options: Partial<ReconfigOptions> = {},
  { ctx = superCtx, requestBytesMax = defaultLimits.requestBytesMax } = {},
) {
  const prep = new Prep(new DataTree(), { limits: defaultLimits, extendedTypesEnabled: false });
  const body = prepReconfig(prep, request(more), ctx, 0x1_0000_0005, {
    options: { ...on, ...options },
    node,
    requestBytesMax,
  });
  return { body, prep };
}

function refusal(...args: Parameters<typeof run>): string {
  try {
    run(...args);
  } catch (error) {
    if (error instanceof PaddockError) return `${error.code} ${error.message}`;
    throw error;
  }
  throw new Error("accepted");
}

/** Voters 1..3 with node 3 cut off until the others settle, then let in until the leader sees it unsynced. */
function leaderWithUnsyncedLearner(): { leader: ZabNode; follower: ZabNode } {
  const config = idsConfig([1, 2, 3]);
  const nodes = new Map([1, 2, 3].map((id) => [id, member(id, config)] as const));
  const cut = new Set([3]);
  const leaderOf = () => [...nodes.values()].find((n) => n.currentRole === "leading");
  const step = (until: () => boolean): void => {
    for (let tick = 0; tick < 300; tick++) {
      for (let round = 0; round < 1000; round++) {
        let moved = false;
        for (const node of nodes.values()) {
          if (!node.hasReady()) continue;
          moved = true;
          const ready = node.ready();
          node.advance(ready);
          if (ready.entries.length > 0) node.persisted(ready);
          for (const { to, message } of ready.messages) {
            if (cut.has(to) || cut.has(node.serverId)) continue;
            nodes.get(to)?.step(node.serverId, message);
            if (until()) return;
          }
        }
        if (!moved) break;
      }
      if (until()) return;
      for (const node of nodes.values()) node.tick();
    }
    throw new Error("not reached in 300 ticks");
  };
  step(
    () =>
      leaderOf()
        ?.learners()
        .some((l) => l.synced) === true,
  );
  cut.clear();
  step(() =>
    leaderOf()!
      .learners()
      .some((l) => l.id === 3 && !l.synced),
  );
  const leader = leaderOf()!;
  const follower = [...nodes.values()].find((n) => n !== leader && n.serverId !== 3)!;
  return { leader, follower };
}

describe("prepReconfig", () => {
  it("turns a request into the reconfig transaction, sorted, recording /zookeeper/config", () => {
    const { leader } = ensemble();
    const { body, prep } = run(leader, { joiningServers: five, leavingServers: "4" });
    expect(body.$case).toBe("reconfig");
    const members = body.$case === "reconfig" ? body.value.members : [];
    expect(members.map((m) => `${m.id}${m.observer ? "o" : ""}`)).toEqual(["1", "2", "3", "5"]);
    expect(prep.outstandingCount).toBe(1);
  });

  it("checks the ACL of /zookeeper/config after the membership", () => {
    const { leader } = ensemble();
    const anonymous: PrepContext = { ...superCtx, ids: [] };
    expect(refusal(leader, { leavingServers: "9" }, {}, { ctx: anonymous })).toBe(
      `${Code.BadArguments} reconfig: leaving server 9 is not in the active configuration (version 0x0)`,
    );
    expect(refusal(leader, { joiningServers: five }, {}, { ctx: anonymous })).toMatch(
      new RegExp(`^${Code.NoAuth} `),
    );
  });

  it("reads reconfigEnabled, standalone, standaloneEnabled and requestBytesMax from its source", () => {
    const { leader } = ensemble();
    expect(refusal(leader, { joiningServers: five }, { enabled: false })).toBe(
      `${Code.ReconfigDisabled} reconfig is disabled: set reconfigEnabled=true in zoo.cfg`,
    );
    expect(refusal(leader, { joiningServers: five }, { standalone: true })).toMatch(
      new RegExp(`^${Code.Unimplemented} reconfig needs an ensemble`),
    );
    expect(refusal(leader, { leavingServers: "2,3" })).toBe(
      `${Code.BadArguments} reconfig: the new configuration has 1 voting member(s); with standaloneEnabled=true (the default) it needs at least 2`,
    );
    expect(run(leader, { leavingServers: "2,3" }, { standaloneEnabled: false }).body.$case).toBe("reconfig");
    expect(refusal(leader, { joiningServers: five }, {}, { requestBytesMax: 10 })).toBe(
      `${Code.BadArguments} reconfig: ${five.length} characters of arguments, over requestBytesMax 10`,
    );
  });

  it("refuses a second reconfig while the leader's first is pending, naming its version", () => {
    const { leader } = ensemble();
    const { body } = run(leader, { joiningServers: five });
    const zxid = leader.propose({
      ...reconfigTxn(idsConfig([1, 2, 3])),
      body,
    });
    expect(refusal(leader, { leavingServers: "4" })).toBe(
      `${Code.ReconfigInProgress} another reconfiguration (version 0x${zxid.toString(16)}) is proposed and not yet committed`,
    );
  });

  it("counts the leader itself and its synced learners only, not one still syncing", () => {
    const { leader, follower } = leaderWithUnsyncedLearner();
    const l = leader.serverId;
    // Without the follower the new voters are the leader and 3, which is not in sync yet.
    expect(refusal(leader, { leavingServers: `${follower.serverId}` })).toBe(
      `${Code.NewConfigNoQuorum} the new configuration's voters [${[l, 3].sort().join(",")}] need 2 in sync with the leader; in sync now: [${l}] (start the new members first and let them sync)`,
    );
    // Without 3: the leader and its synced follower.
    expect(run(leader, { leavingServers: "3" }).body.$case).toBe("reconfig");
  });
});
