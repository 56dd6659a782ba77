import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { digestId } from "../../server/tree/data-tree.js";
import { watchConfig } from "../support/config-watch.js";
import { juteReconfig, type ReconfigCall } from "../support/jute-reconfig.js";
import { type ServerHandle, startServer } from "../support/launcher.js";
import { freePort, startZooKeeper, type ZooKeeperHandle } from "../support/zookeeper.js";

// reconfig (opcode 16) sent byte for byte alike to Apache ZooKeeper 3.8 (Debian's) and to Paddock,
// each a one-member quorum (standaloneEnabled=false) with reconfigEnabled=true and a super user:
// the refusals and their order are ZooKeeper's. Where Paddock refuses what ZooKeeper accepts, the
// test pins both answers and says why.

const SUPER = "super:secret";
const superDigest = digestId("super", "secret");
const OK = 0;
const Unimplemented = -6;
const BadArguments = -8;
const NewConfigNoQuorum = -13;
const NoAuth = -102;
const BadVersion = -103;
const ReconfigDisabled = -123;

interface Member {
  readonly address: string;
  /** This member's own server.1 line (its ports). */
  readonly line: string;
  stop(): Promise<void>;
}

let zk: Member;
let paddock: Member;
/** Each member's /zookeeper/config after the committed reconfig. */
const committed = new Map<Member, string>();

async function startZk(): Promise<Member> {
  let line = "";
  const handle: ZooKeeperHandle = await startZooKeeper({
    serverLine: (p) => {
      line = `server.1=127.0.0.1:${p.quorum}:${p.election}:participant;127.0.0.1:${p.client}`;
      return line.slice("server.1=".length);
    },
    extraConfig: ["reconfigEnabled=true"],
    jvmFlags: [`-Dzookeeper.DigestAuthenticationProvider.superDigest=${superDigest}`],
  });
  return { address: handle.address, line, stop: () => handle.stop() };
}

async function startPaddock(): Promise<Member> {
  const [q, e, c] = [await freePort(), await freePort(), await freePort()];
  const line = `server.1=127.0.0.1:${q}:${e}:participant;127.0.0.1:${c}`;
  const handle: ServerHandle = await startServer({
    settings: {
      "paddock.serverId": 1,
      "server.1": line.slice("server.1=".length),
      standaloneEnabled: false,
      reconfigEnabled: true,
      superDigest,
    },
  });
  return { address: handle.juteAddress, line, stop: () => handle.stop() };
}

beforeAll(async () => {
  [zk, paddock] = await Promise.all([startZk(), startPaddock()]);
});

afterAll(async () => {
  await Promise.all([zk?.stop(), paddock?.stop()]);
});

/** A second member's line on free ports (never started). */
async function line2(role: "participant" | "observer", client = true): Promise<string> {
  const [q, e, c] = [await freePort(), await freePort(), await freePort()];
  return `server.2=127.0.0.1:${q}:${e}:${role}${client ? `;127.0.0.1:${c}` : ""}`;
}

/** The same request to both; the error codes they answer. */
async function both(call: ReconfigCall): Promise<[number, number]> {
  const [z, p] = await Promise.all([juteReconfig(zk.address, call), juteReconfig(paddock.address, call)]);
  return [z.err, p.err];
}

describe("reconfig refusals match ZooKeeper 3.8", () => {
  it("ReconfigDisabled without reconfigEnabled; Unimplemented on a standalone server", async () => {
    const [zkOff, paddockOff] = await Promise.all([startZooKeeper(), startServer()]);
    const [zkStandalone, paddockStandalone] = await Promise.all([
      startZooKeeper({ extraConfig: ["reconfigEnabled=true"] }),
      startServer({ settings: { reconfigEnabled: true } }),
    ]);
    try {
      const call = { leaving: "2", digest: SUPER };
      const answers = await Promise.all([
        juteReconfig(zkOff.address, call),
        juteReconfig(paddockOff.juteAddress, call),
        juteReconfig(zkStandalone.address, call),
        juteReconfig(paddockStandalone.juteAddress, call),
      ]);
      expect(answers.map((a) => a.err)).toEqual([
        ReconfigDisabled,
        ReconfigDisabled,
        Unimplemented,
        Unimplemented,
      ]);
    } finally {
      await Promise.all([zkOff.stop(), paddockOff.stop(), zkStandalone.stop(), paddockStandalone.stop()]);
    }
  });

  it("checks the version before the ACL, and the ACL last: NoAuth only for a request that would pass", async () => {
    const joining = await line2("observer");
    expect(await both({ joining, curConfigId: 5n })).toEqual([BadVersion, BadVersion]);
    expect(await both({ joining: "server.2=nonsense" })).toEqual([BadArguments, BadArguments]);
    expect(await both({ joining })).toEqual([NoAuth, NoAuth]);
    expect(await both({ joining, curConfigId: 5n, digest: SUPER })).toEqual([BadVersion, BadVersion]);
  });

  it("BadArguments for a malformed line, a joining server without a client port, no voter left", async () => {
    expect(await both({ joining: "server.2=nonsense", digest: SUPER })).toEqual([BadArguments, BadArguments]);
    expect(await both({ joining: await line2("observer", false), digest: SUPER })).toEqual([
      BadArguments,
      BadArguments,
    ]);
    expect(await both({ leaving: "1", digest: SUPER })).toEqual([BadArguments, BadArguments]);
  });

  it("NewConfigNoQuorum for a new voter that is not running and synced", async () => {
    expect(await both({ joining: await line2("participant"), digest: SUPER })).toEqual([
      NewConfigNoQuorum,
      NewConfigNoQuorum,
    ]);
  });

  it("commits a new observer: /zookeeper/config's text, version=<hex zxid>, stat, and its watch fires", async () => {
    const joining = await line2("observer");
    const watches = await Promise.all([watchConfig(zk.address), watchConfig(paddock.address)]);
    expect(watches[1].text).toBe(`${paddock.line}\nversion=0`);
    const [z, p] = await Promise.all([
      juteReconfig(zk.address, { joining, digest: SUPER }),
      juteReconfig(paddock.address, { joining, digest: SUPER }),
    ]);
    expect(await Promise.all(watches.map((w) => w.changed))).toEqual([
      "NODE_DATA_CHANGED",
      "NODE_DATA_CHANGED",
    ]);
    for (const w of watches) w.close();
    for (const [reply, member] of [
      [z, zk],
      [p, paddock],
    ] as const) {
      expect(reply.err).toBe(OK);
      const version = BigInt(`0x${/version=([0-9a-f]+)$/.exec(reply.data ?? "")?.[1]}`);
      expect(reply.data).toBe(`${member.line}\n${joining}\nversion=${version.toString(16)}`);
      expect(reply.stat?.mzxid).toBe(version);
      expect(reply.stat?.dataLength).toBe(Buffer.byteLength(reply.data ?? ""));
      committed.set(member, reply.data ?? "");
    }
    // ZooKeeper's reconfig writes the node with version -1 (its SetDataTxn's), not a setData's +1.
    expect([z.stat?.version, z.stat?.aversion]).toEqual([-1, -1]);
    expect([p.stat?.version, p.stat?.aversion]).toEqual([-1, -1]);
  });

  it("where Paddock refuses what ZooKeeper commits: an unknown leaving id, no change, bulk and incremental together", async () => {
    // ZooKeeper commits each of these as a new version of an unchanged (or the bulk) configuration;
    // Paddock answers BadArguments naming the problem, so a typo never bumps the version unnoticed.
    const members = (m: Member): string => (committed.get(m) ?? "").split("\n").slice(0, -1).join(",");
    const pair = async (call: (m: Member) => ReconfigCall): Promise<[number, number]> => {
      const [z, p] = await Promise.all([
        juteReconfig(zk.address, call(zk)),
        juteReconfig(paddock.address, call(paddock)),
      ]);
      return [z.err, p.err];
    };
    expect(members(zk).split(",")).toHaveLength(2);
    expect(await pair(() => ({ leaving: "9", digest: SUPER }))).toEqual([OK, BadArguments]);
    expect(await pair((m) => ({ newMembers: members(m), digest: SUPER }))).toEqual([OK, BadArguments]);
    expect(await pair((m) => ({ newMembers: members(m), leaving: "2", digest: SUPER }))).toEqual([
      OK,
      BadArguments,
    ]);
  });
});
