/**
 * Starts and stops the servers under test as child processes on 127.0.0.1, each with its own temp
 * data dir: Paddock (its launch contract: --port 0 and a ready file), the no-op echo, ZooKeeper 3.8
 * (ZooKeeperServerMain with a generated zoo.cfg, forceSync on) and etcd 3.4. With --members N, an
 * ensemble of N member processes of the same target instead (ensemble-servers.ts).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TargetName } from "./args.js";
import { startEnsemble } from "./ensemble-servers.js";
import {
  type Deployment,
  exited,
  freePorts,
  launchFor,
  type ServerHandle,
  spawnServer,
  terminate,
} from "./server-process.js";

export {
  type Deployment,
  type EnsembleHandle,
  type EnsembleMember,
  isEnsemble,
  repoRoot,
  type ServerHandle,
  tsxLoader,
} from "./server-process.js";

async function launch(
  target: TargetName,
  dataDir: string,
  port: number | undefined,
  peerPort: number,
): Promise<ServerHandle> {
  const l = launchFor(target, dataDir, port, peerPort);
  const { child, stderr } = await spawnServer(l.command, l.args);
  const actualPort = await l.ready(child, stderr);
  const handle: ServerHandle = {
    target,
    address: `127.0.0.1:${actualPort}`,
    pid: child.pid!,
    pids: [child.pid!],
    members: 1,
    dataDir,
    stop: () => terminate(child),
    kill: async () => {
      child.kill("SIGKILL");
      await exited(child);
    },
    restart: async () => {
      await handle.stop();
      return launch(target, dataDir, actualPort, peerPort);
    },
    dispose: async () => {
      await handle.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return handle;
}

export async function startServer(target: TargetName): Promise<ServerHandle> {
  const dataDir = mkdtempSync(join(tmpdir(), `paddock-bench-${target}-`));
  const [port, peerPort] = target === "zookeeper" || target === "etcd" ? await freePorts(2) : [undefined, 0];
  return launch(target, dataDir, port, peerPort ?? 0);
}

/** One server (members 1) or an ensemble of `members`. */
export function startDeployment(target: TargetName, members: number): Promise<Deployment> {
  return members === 1 ? startServer(target) : startEnsemble(target, members);
}
