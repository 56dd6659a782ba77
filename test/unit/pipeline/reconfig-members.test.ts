// nextMembers: the membership a reconfig asks for, and every refusal with its code and wording.
import { describe, expect, it } from "vitest";
import type { MemberConfig } from "../../../server/consensus/member-config.js";
import type { ConfigMember } from "../../../server/gen/paddock/internal/v1/txn.js";
import {
  nextMembers,
  type ReconfigArgs,
  type ReconfigState,
} from "../../../server/pipeline/reconfig-members.js";
import { Code } from "../../../server/util/error-code.js";
import { PaddockError } from "../../../server/util/paddock-error.js";
import { formatServerLine } from "../../../server/util/server-line.js";

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

function state(overrides: Partial<ReconfigState> = {}): ReconfigState {
  return {
    enabled: true,
    standalone: false,
    standaloneEnabled: true,
    active: three,
    pending: undefined,
    leaderId: 1,
    synced: new Set([2, 3, 4]),
    requestBytesMax: 1024 * 1024,
    ...overrides,
  };
}

const args = (a: Partial<ReconfigArgs>): ReconfigArgs => ({
  joiningServers: "",
  leavingServers: "",
  newMembers: "",
  ...a,
});

const lines = (ms: readonly ConfigMember[]): string[] => ms.map((m) => formatServerLine(m));

function refusal(
  a: Partial<ReconfigArgs>,
  s: Partial<ReconfigState> = {},
): { code: number; message: string } {
  try {
    nextMembers(args(a), state(s));
  } catch (error) {
    if (error instanceof PaddockError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error("nextMembers accepted the request");
}

const line4 = "server.4=127.0.0.1:2004:3004:participant;127.0.0.1:4004";

describe("nextMembers: the new configuration", () => {
  it("removes and adds incrementally, leaving before joining, sorted by id", () => {
    expect(lines(nextMembers(args({ leavingServers: "3" }), state()))).toEqual(lines([member(1), member(2)]));
    expect(lines(nextMembers(args({ joiningServers: line4, leavingServers: " 2 , " }), state()))).toEqual(
      lines([member(1), member(3), member(4)]),
    );
  });

  it("replaces a joining id already present (a voter becoming an observer)", () => {
    const observer3 = "server.3=127.0.0.1:2003:3003:observer;127.0.0.1:4003";
    expect(lines(nextMembers(args({ joiningServers: observer3 }), state()))).toEqual(
      lines([member(1), member(2), member(3, true)]),
    );
  });

  it("takes bulk members separated by commas or newlines, ignoring a version line", () => {
    const text = `${lines([member(1), member(2)]).join(",")}\n${line4}\nversion=100000000`;
    expect(lines(nextMembers(args({ newMembers: text }), state()))).toEqual(
      lines([member(1), member(2), member(4)]),
    );
  });

  it("accepts the version it is conditional on, and -1 for any", () => {
    for (const curConfigId of [0x1_0000_0000n, -1n])
      expect(nextMembers(args({ leavingServers: "3", curConfigId }), state())).toHaveLength(2);
  });
});

describe("nextMembers: refusals, in ZooKeeper's order", () => {
  it("ReconfigDisabled before anything else, then Unimplemented when standalone", () => {
    expect(refusal({ leavingServers: "9" }, { enabled: false, standalone: true }).code).toBe(
      Code.ReconfigDisabled,
    );
    expect(refusal({ leavingServers: "9" }, { standalone: true }).code).toBe(Code.Unimplemented);
  });

  it("ReconfigInProgress before the version check, BadVersion before the arguments", () => {
    const pending: MemberConfig = { version: 0x1_0000_0007, members: [member(1), member(2)] };
    expect(refusal({ leavingServers: "9", curConfigId: 5n }, { pending })).toEqual({
      code: Code.ReconfigInProgress,
      message: "another reconfiguration (version 0x100000007) is proposed and not yet committed",
    });
    expect(refusal({ leavingServers: "9", curConfigId: 5n })).toEqual({
      code: Code.BadVersion,
      message: "reconfig from config version 0x5: the active configuration is version 0x100000000",
    });
  });

  it("BadArguments naming the id or line", () => {
    const cases: [Partial<ReconfigArgs>, string][] = [
      [{}, "nothing to change: no joining, leaving or new members given"],
      [
        { newMembers: line4, leavingServers: "1" },
        "give either newMembers (bulk) or joining/leaving servers (incremental), not both",
      ],
      [{ leavingServers: "9" }, "leaving server 9 is not in the active configuration (version 0x100000000)"],
      [{ leavingServers: "x" }, 'leaving server id "x" must be an integer from 1 to 255'],
      [
        { joiningServers: "server.4" },
        '"server.4" is not a server.N=host:quorumPort:electionPort;clientPort line',
      ],
      [
        { joiningServers: "server.4=127.0.0.1:2004" },
        "server.4=127.0.0.1:2004: expected host:quorumPort:electionPort[:participant|:observer]",
      ],
      [
        { joiningServers: "server.4=127.0.0.1:2004:3004" },
        "server.4=127.0.0.1:2004:3004: a joining server needs a client port (…;[clientHost:]clientPort)",
      ],
      [
        { joiningServers: "server.4=127.0.0.1:2001:3004;4004" },
        "servers 1 and 4 both use address 127.0.0.1:2001",
      ],
      [{ newMembers: "tickTime=2000" }, '"tickTime=2000" in newMembers is not a server.N line'],
      [{ newMembers: `${line4},${line4}` }, "server 4 appears twice in newMembers"],
      [
        { leavingServers: "2,3" },
        "the new configuration has 1 voting member(s); with standaloneEnabled=true (the default) it needs at least 2",
      ],
      [
        { newMembers: lines(three.members).reverse().join(",") },
        "the new configuration is the active one (version 0x100000000): nothing changes",
      ],
    ];
    for (const [a, message] of cases)
      expect(refusal(a)).toEqual({ code: Code.BadArguments, message: `reconfig: ${message}` });
    expect(refusal({ leavingServers: "1,2,3" }, { standaloneEnabled: false })).toEqual({
      code: Code.BadArguments,
      message: "reconfig: the new configuration has no voting member",
    });
    expect(refusal({ joiningServers: "x".repeat(100) }, { requestBytesMax: 64 }).message).toBe(
      "reconfig: 100 characters of arguments, over requestBytesMax 64",
    );
  });

  it("NewConfigNoQuorum unless the leader and synced learners are a majority of the new voters", () => {
    const five = "server.5=127.0.0.1:2005:3005;4005";
    // New voters 1..5: the leader and 2 synced learners (2, 4) make 3 of 5.
    expect(
      nextMembers(args({ joiningServers: `${line4},${five}` }), state({ synced: new Set([2, 4]) })),
    ).toHaveLength(5);
    expect(refusal({ joiningServers: `${line4},${five}` }, { synced: new Set([4]) })).toEqual({
      code: Code.NewConfigNoQuorum,
      message:
        "the new configuration's voters [1,2,3,4,5] need 3 in sync with the leader; in sync now: [1,4] (start the new members first and let them sync)",
    });
    // A leader leaving the configuration does not count for the new one.
    expect(refusal({ leavingServers: "1" }, { synced: new Set([2]) }).code).toBe(Code.NewConfigNoQuorum);
  });
});
