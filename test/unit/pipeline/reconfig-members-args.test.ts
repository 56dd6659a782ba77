// nextMembers' reading of its arguments, beyond reconfig-members.test.ts: the path each refusal
// names, how the three strings are counted and trimmed, bulk text (comments, blank lines, spaces,
// no client port), leaving ids at their bounds, the members it returns field by field and sorted,
// and observers kept out of the voter count and the synced quorum.
import { describe, expect, it } from "vitest";
import { idsConfig, type MemberConfig } from "../../../server/consensus/member-config.js";
import type { ConfigMember } from "../../../server/gen/paddock/internal/v1/txn.js";
import {
  nextMembers,
  type ReconfigArgs,
  type ReconfigState,
} from "../../../server/pipeline/reconfig-members.js";
import { Code } from "../../../server/util/error-code.js";
import { PaddockError } from "../../../server/util/paddock-error.js";

const member = (id: number, observer = false): ConfigMember => ({
  id,
  host: "127.0.0.1",
  quorumPort: 2000 + id,
  electionPort: 3000 + id,
  observer,
  clientHost: "127.0.0.1",
  clientPort: 4000 + id,
});

const three: MemberConfig = { version: 0x1_0000_0000, members: [member(1), member(2), member(3)] };

const state = (overrides: Partial<ReconfigState> = {}): ReconfigState => ({
  enabled: true,
  standalone: false,
  standaloneEnabled: true,
  active: three,
  pending: undefined,
  leaderId: 1,
  synced: new Set([2, 3, 4, 5, 6]),
  requestBytesMax: 1024 * 1024,
  ...overrides,
});

const args = (a: Partial<ReconfigArgs>): ReconfigArgs => ({
  joiningServers: "",
  leavingServers: "",
  newMembers: "",
  ...a,
});

function refusal(a: Partial<ReconfigArgs>, s: Partial<ReconfigState> = {}) {
  try {
    nextMembers(args(a), state(s));
  } catch (error) {
    if (error instanceof PaddockError) return { code: error.code, path: error.path, message: error.message };
    throw error;
  }
  throw new Error("nextMembers accepted the request");
}

const bad = (message: string) => ({
  code: Code.BadArguments,
  path: "/zookeeper/config",
  message: `reconfig: ${message}`,
});
const ids = (ms: readonly ConfigMember[]) => ms.map((m) => `${m.id}${m.observer ? "o" : ""}`);
const line = (id: number, more = "") => `server.${id}=127.0.0.1:${2000 + id}:${3000 + id}${more}`;

describe("the path each refusal names", () => {
  it("none for the member's state, /zookeeper/config for the request's content", () => {
    expect(refusal({ leavingServers: "3" }, { enabled: false })).toEqual({
      code: Code.ReconfigDisabled,
      path: "",
      message: "reconfig is disabled: set reconfigEnabled=true in zoo.cfg",
    });
    expect(refusal({ leavingServers: "3" }, { standalone: true })).toEqual({
      code: Code.Unimplemented,
      path: "",
      message:
        "reconfig needs an ensemble: this server runs standalone (no server.N lines, or one voter with standaloneEnabled=true)",
    });
    expect(refusal({ leavingServers: "3" }, { pending: { version: 7, members: [] } }).path).toBe("");
    expect(refusal({ leavingServers: "3", curConfigId: 1n }).path).toBe("/zookeeper/config");
    expect(refusal({ leavingServers: "1,2" }, { standaloneEnabled: false, synced: new Set() })).toEqual({
      code: Code.NewConfigNoQuorum,
      path: "",
      message:
        "the new configuration's voters [3] need 1 in sync with the leader; in sync now: [] (start the new members first and let them sync)",
    });
  });
});

describe("the arguments", () => {
  it("count the characters of all three strings together, up to requestBytesMax included", () => {
    const a = { joiningServers: "j".repeat(10), leavingServers: "l".repeat(5), newMembers: "n".repeat(7) };
    expect(refusal(a, { requestBytesMax: 21 })).toEqual(
      bad("22 characters of arguments, over requestBytesMax 21"),
    );
    // At the limit the size passes; the next check (both kinds given) refuses.
    expect(refusal(a, { requestBytesMax: 22 }).message).toBe(
      "reconfig: give either newMembers (bulk) or joining/leaving servers (incremental), not both",
    );
  });

  it("treat a string of spaces as not given", () => {
    expect(ids(nextMembers(args({ newMembers: " \n ", leavingServers: "3" }), state()))).toEqual(["1", "2"]);
    const bulk = [line(1, ";4001"), line(2, ";4002")].join("\n");
    expect(ids(nextMembers(args({ newMembers: bulk, joiningServers: "  " }), state()))).toEqual(["1", "2"]);
    expect(ids(nextMembers(args({ newMembers: bulk, leavingServers: "\t" }), state()))).toEqual(["1", "2"]);
  });

  it("take leaving ids 1..255 as plain decimal integers only", () => {
    for (const text of ["0", "256", "1x", "x1", "-1", "1.5", "+2"]) {
      expect(refusal({ leavingServers: text })).toEqual(
        bad(`leaving server id "${text}" must be an integer from 1 to 255`),
      );
    }
    expect(refusal({ leavingServers: "255" })).toEqual(
      bad("leaving server 255 is not in the active configuration (version 0x100000000)"),
    );
    expect(ids(nextMembers(args({ leavingServers: "1" }), state({ synced: new Set([2, 3]) })))).toEqual([
      "2",
      "3",
    ]);
  });
});

describe("the members returned", () => {
  it("field by field, a client port and host only when given, sorted by id", () => {
    const text = [
      "# the new ensemble",
      "",
      `   ${line(6, ":observer;4006")}  `,
      "\t",
      line(5, ";10.0.0.5:4005"),
      "version = 100000000",
      line(4, ""),
      `server.2 = ${line(2, ";4002").split("=")[1]}`,
    ].join("\n");
    const members = nextMembers(args({ newMembers: text }), state());
    expect(members.map((m) => ({ ...m }))).toStrictEqual([
      { id: 2, host: "127.0.0.1", quorumPort: 2002, electionPort: 3002, observer: false, clientPort: 4002 },
      { id: 4, host: "127.0.0.1", quorumPort: 2004, electionPort: 3004, observer: false },
      {
        id: 5,
        host: "127.0.0.1",
        quorumPort: 2005,
        electionPort: 3005,
        observer: false,
        clientPort: 4005,
        clientHost: "10.0.0.5",
      },
      { id: 6, host: "127.0.0.1", quorumPort: 2006, electionPort: 3006, observer: true, clientPort: 4006 },
    ]);
  });

  it("a joining line is split at its first '=' only, and needs its key", () => {
    const joined = nextMembers(args({ joiningServers: ` ${line(4, ";4004")} ` }), state());
    expect(joined.find((m) => m.id === 4)).toStrictEqual({
      id: 4,
      host: "127.0.0.1",
      quorumPort: 2004,
      electionPort: 3004,
      observer: false,
      clientPort: 4004,
    });
    expect(refusal({ joiningServers: "=127.0.0.1:2004:3004;4004" })).toEqual(
      // The text before '=' is the key: an empty one has no server id.
      bad(": server id must be an integer from 1 to 255"),
    );
  });

  it("members of an idsConfig (no addresses) never clash on port 0", () => {
    const active = { ...idsConfig([1, 2, 3]), version: 5 };
    expect(ids(nextMembers(args({ leavingServers: "3" }), state({ active })))).toEqual(["1", "2"]);
  });

  it("a member is only compared with others for a shared address", () => {
    const same = "server.4=127.0.0.1:2004:2004;4004";
    expect(ids(nextMembers(args({ joiningServers: same }), state()))).toEqual(["1", "2", "3", "4"]);
  });
});

describe("observers", () => {
  it("do not count as voters", () => {
    const text = [line(1, ";4001"), line(5, ":observer;4005"), line(6, ":observer;4006")].join("\n");
    expect(refusal({ newMembers: text })).toEqual(
      bad(
        "the new configuration has 1 voting member(s); with standaloneEnabled=true (the default) it needs at least 2",
      ),
    );
  });

  it("are not part of the synced quorum of the new voters", () => {
    // Voters 1, 2, 3 and observers 5, 6: the leader alone is 1 of the 2 needed.
    const joining = [line(5, ":observer;4005"), line(6, ":observer;4006")].join(",");
    expect(refusal({ joiningServers: joining }, { synced: new Set([5, 6]) })).toEqual({
      code: Code.NewConfigNoQuorum,
      path: "",
      message:
        "the new configuration's voters [1,2,3] need 2 in sync with the leader; in sync now: [1] (start the new members first and let them sync)",
    });
  });
});
