import zookeeper from "node-zookeeper-client";
import { describe, expect, it } from "vitest";
import { startServer } from "../support/launcher.js";
import { startZooKeeper } from "../support/zookeeper.js";

// /zookeeper/config as Apache ZooKeeper 3.8 shows it for the same shape of zoo.cfg, read by
// node-zookeeper-client through each server's ZooKeeper port. Curator's EnsembleTracker replaces
// its connect string with the client addresses found here, so a wrong entry sends every Curator
// user elsewhere. Ports differ between the two runs and are replaced by their role.

type Ports = { quorum: number; election: number; client: number };

function readConfig(address: string): Promise<{ text: string; dataLength: number }> {
  const client = zookeeper.createClient(address, { sessionTimeout: 10_000, retries: 0 });
  return new Promise((resolve, reject) => {
    client.once("connected", () => {
      client.getData("/zookeeper/config", (error, data, stat) => {
        client.close();
        if (error) reject(error);
        else resolve({ text: data?.toString() ?? "", dataLength: stat.dataLength });
      });
    });
    client.connect();
  });
}

function normalise(text: string, ports: Ports): string {
  return text
    .replaceAll(`:${ports.quorum}:`, ":QUORUM:")
    .replaceAll(`:${ports.election}:`, ":ELECTION:")
    .replaceAll(`${ports.client}`, "CLIENT");
}

/** The same server.1 line shape on ZooKeeper (a one-member quorum) and on Paddock. */
async function both(line: (p: Ports) => string): Promise<[string, string]> {
  let zkPorts: Ports | undefined;
  const zk = await startZooKeeper({
    serverLine: (p) => {
      zkPorts = p;
      return line(p);
    },
  });
  try {
    // Paddock as the same one-member ensemble: a lone member binds no quorum port, and its client
    // port is --port; these numbers only appear in the text.
    const paddockPorts = { quorum: 31001, election: 31002, client: 31003 };
    const member = await startServer({ settings: { "paddock.serverId": 1, "server.1": line(paddockPorts) } });
    try {
      const [z, p] = await Promise.all([readConfig(zk.address), readConfig(member.juteAddress)]);
      expect(z.dataLength).toBe(Buffer.byteLength(z.text));
      expect(p.dataLength).toBe(Buffer.byteLength(p.text));
      return [normalise(z.text, zkPorts!), normalise(p.text, paddockPorts)];
    } finally {
      await member.stop();
    }
  } finally {
    await zk.stop();
  }
}

describe("/zookeeper/config matches ZooKeeper 3.8 for the same zoo.cfg", () => {
  it("is empty on a standalone server", async () => {
    const [zk, paddock] = await Promise.all([startZooKeeper(), startServer()]);
    try {
      const [z, p] = await Promise.all([readConfig(zk.address), readConfig(paddock.juteAddress)]);
      expect(z.text).toBe("");
      expect(p).toEqual(z);
    } finally {
      await Promise.all([zk.stop(), paddock.stop()]);
    }
  });

  it("lists server lines without a client part when zoo.cfg has none, then version=0", async () => {
    const [zk, paddock] = await both((p) => `127.0.0.1:${p.quorum}:${p.election}`);
    expect(zk).toBe("server.1=127.0.0.1:QUORUM:ELECTION:participant\nversion=0");
    expect(paddock).toBe(zk);
  });

  it("keeps a client part host:port where the line has one", async () => {
    const [zk, paddock] = await both((p) => `127.0.0.1:${p.quorum}:${p.election};127.0.0.1:${p.client}`);
    expect(zk).toBe("server.1=127.0.0.1:QUORUM:ELECTION:participant;127.0.0.1:CLIENT\nversion=0");
    expect(paddock).toBe(zk);
  });

  it("writes a bare client port with the wildcard address, as ZooKeeper does", async () => {
    const [zk, paddock] = await both((p) => `127.0.0.1:${p.quorum}:${p.election};${p.client}`);
    expect(zk).toBe("server.1=127.0.0.1:QUORUM:ELECTION:participant;0.0.0.0:CLIENT\nversion=0");
    expect(paddock).toBe(zk);
  });
});
