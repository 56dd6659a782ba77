import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { digestId } from "../../../server/tree/data-tree.js";
import { startServer } from "../../support/launcher.js";
import { repoRoot, runProcess } from "../../support/run-process.js";
import { freePort, startZooKeeper } from "../../support/zookeeper.js";

// kazoo's client.reconfig (opcode 16), the same script against Apache ZooKeeper 3.8 (Debian's) and
// Paddock, each a one-member quorum with reconfigEnabled=true and a super user: NoAuth without
// credentials, BadArguments for removing the only voter, BadVersion for a stale -v, then a new
// observer committed with version=<hex mzxid>, dataVersion -1 and the config watch fired.

const python = join(repoRoot, ".cache/kazoo-venv/bin/python");
const script = join(repoRoot, "test/clients/zk/python/reconfig.py");
const superDigest = digestId("super", "secret");

async function kazoo(connect: string, joining: string): Promise<Record<string, unknown>> {
  const r = await runProcess(python, [script, connect, joining], { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`reconfig.py exited ${r.code}:\n${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

async function ports(): Promise<{ quorum: number; election: number; client: number }> {
  return { quorum: await freePort(), election: await freePort(), client: await freePort() };
}

describe("kazoo reconfig: ZooKeeper 3.8 and Paddock answer alike", () => {
  it("refuses, then commits an observer, on both", async () => {
    let zkLine = "";
    const zk = await startZooKeeper({
      serverLine: (p) => {
        zkLine = `127.0.0.1:${p.quorum}:${p.election};127.0.0.1:${p.client}`;
        return zkLine;
      },
      extraConfig: ["reconfigEnabled=true"],
      jvmFlags: [`-Dzookeeper.DigestAuthenticationProvider.superDigest=${superDigest}`],
    });
    const own = await ports();
    const paddockLine = `127.0.0.1:${own.quorum}:${own.election};127.0.0.1:${own.client}`;
    const paddock = await startServer({
      settings: {
        "paddock.serverId": 1,
        "server.1": paddockLine,
        standaloneEnabled: false,
        reconfigEnabled: true,
        superDigest,
      },
    });
    try {
      const [a, b] = [await ports(), await ports()];
      const observer = (p: typeof a) => `server.2=127.0.0.1:${p.quorum}:${p.election}:observer;${p.client}`;
      const [z, p] = await Promise.all([
        kazoo(zk.address, observer(a)),
        kazoo(paddock.juteAddress, observer(b)),
      ]);
      const expected = (line: string, o: typeof a) => ({
        no_auth: "NoAuthError",
        no_voter_left: "BadArgumentsError",
        bad_version: "BadVersionError",
        lines: [
          `server.1=${line.replace(";", ":participant;")}`,
          `server.2=127.0.0.1:${o.quorum}:${o.election}:observer;0.0.0.0:${o.client}`,
        ],
        version_is_mzxid: true,
        data_version: -1,
        watch: ["CHANGED"],
      });
      expect(z).toEqual(expected(zkLine, a));
      expect(p).toEqual(expected(paddockLine, b));
    } finally {
      await Promise.all([zk.stop(), paddock.stop()]);
    }
  });
});
