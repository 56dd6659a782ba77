import { afterAll, describe, expect, it } from "vitest";
import { fourLetter } from "../../support/four-letter.js";
import { connectFrame, framesOf, openRaw, type RawConn } from "../../support/jute-raw.js";
import { type ServerHandle, startServer } from "../../support/launcher.js";
import { requireZooKeeper, startZooKeeper, type ZooKeeperHandle } from "../../support/zookeeper.js";

// maxCnxns and the connection throttle (connection_throttle_*) against ZooKeeper 3.8: the same keys
// in both zoo.cfg files, raw connections opened one after the other and kept open; what each got
// (a ConnectResponse, or its connection closed) must be equal, and ZooKeeper's is pinned.

const servers: (ServerHandle | ZooKeeperHandle)[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

async function pair(
  keys: Record<string, string>,
): Promise<{ paddock: ServerHandle; zookeeper: ZooKeeperHandle }> {
  requireZooKeeper();
  const [paddock, zookeeper] = await Promise.all([
    startServer({ settings: { ...keys, "4lw.commands.whitelist": "mntr" } }),
    startZooKeeper({ extraConfig: Object.entries(keys).map(([k, v]) => `${k}=${v}`) }),
  ]);
  servers.push(paddock, zookeeper);
  return { paddock, zookeeper };
}

/** Opens `count` connections in turn, each sending a ConnectRequest; "connected" or "closed" each. */
async function connectMany(address: string, count: number): Promise<string[]> {
  const conns: RawConn[] = [];
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    // A connection the server closes at accept may already fail its connect (EPIPE, ECONNRESET).
    const conn = await openRaw(address).catch(() => undefined);
    if (conn === undefined) {
      out.push("closed");
      continue;
    }
    conns.push(conn);
    conn.socket.write(connectFrame({}), () => {});
    for (;;) {
      const got = conn.received();
      if (framesOf(got).length >= 1 || conn.isClosed()) break;
      await conn.bytes(got.length + 1);
    }
    out.push(framesOf(conn.received()).length >= 1 ? "connected" : "closed");
  }
  for (const c of conns) c.socket.destroy();
  await Promise.all(conns.map((c) => c.closed));
  return out;
}

describe("connection limits (ZooKeeper 3.8)", () => {
  it("maxCnxns=2: a third connection on the port is closed without an answer", async () => {
    const { paddock, zookeeper } = await pair({ maxCnxns: "2" });
    const [z, p] = await Promise.all([
      connectMany(zookeeper.address, 3),
      connectMany(paddock.juteAddress, 3),
    ]);
    expect(p).toEqual(z);
    expect(z).toEqual(["connected", "connected", "closed"]);
    expect(await fourLetter(paddock.juteAddress, "mntr")).toMatch(/connection_rejected\t1\n/);
  }, 90_000);

  it("connection_throttle_tokens=2 with no refill in sight: the third ConnectRequest is refused", async () => {
    const { paddock, zookeeper } = await pair({
      connection_throttle_tokens: "2",
      connection_throttle_fill_time: "3600000",
    });
    const [z, p] = await Promise.all([
      connectMany(zookeeper.address, 3),
      connectMany(paddock.juteAddress, 3),
    ]);
    expect(p).toEqual(z);
    expect(z).toEqual(["connected", "connected", "closed"]);
    expect(await fourLetter(paddock.juteAddress, "mntr")).toMatch(/connection_rejected\t1\n/);
  }, 90_000);
});
