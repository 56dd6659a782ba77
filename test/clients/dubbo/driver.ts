// Runs inside the network namespace (see in-netns.sh): starts the coordinator (Paddock or Apache
// ZooKeeper 3.8), an unchanged Dubbo provider and consumer (DubboApp.java) registering at ADDRESS,
// and reads the registry with node-zookeeper-client. Prints one JSON line per step on stdout; the
// test (dubbo.test.ts) checks them. Waits are deadlines, never sleeps.
//
//   node --import tsx driver.ts ADDRESS paddock|zookeeper
import { type ChildProcess, spawn } from "node:child_process";
import { appendFileSync, closeSync, existsSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { connect as connectTs, DubboApplications, DubboRegistry } from "../../../clients/ts/src/index.js";
import { startServer } from "../../support/launcher.js";
import { repoRoot, runProcess } from "../../support/run-process.js";
import { waitUntil } from "../../support/wait.js";
import { startZooKeeper } from "../../support/zookeeper.js";
import { openZkReader } from "../kafka/zk-reader.js";

const [address = "", kind = ""] = process.argv.slice(2);
const classpath = `${join(repoRoot, ".cache/dubbo/lib")}/*:${join(repoRoot, ".cache/dubbo/classes")}`;
/** The registry session of every Dubbo process: short, so a killed provider expires quickly. */
const SESSION_MS = 4000; // dubbo.test.ts checks expiry against the same value
const INTERFACE = "DubboApp$Greeter";
const PROVIDER_APP = "paddock-dubbo-provider";
const dir = mkdtempSync(join(tmpdir(), `paddock-dubbo-${kind}-`));
const children: ChildProcess[] = [];

function emit(step: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ step, ...fields })}\n`);
}

function tail(file: string, lines = 60): string {
  return existsSync(file) ? readFileSync(file, "utf8").split("\n").slice(-lines).join("\n") : "";
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, host, () => {
      const a = s.address();
      const port = typeof a === "object" && a !== null ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

const javaEnv = { ...process.env, DUBBO_IP_TO_REGISTRY: address, DUBBO_IP_TO_BIND: address };
const javaArgs = [
  "-XX:TieredStopAtLevel=1",
  "-Xmx256m",
  "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
  "-cp",
  classpath,
  "DubboApp",
];

/** Starts the provider; resolves with its pid once it printed {"event":"exported"}. */
function startProvider(
  registry: string,
  port: number,
  logFile: string,
  flags: string[] = [],
): Promise<{ child: ChildProcess; line: Record<string, unknown> }> {
  const fd = openSync(logFile, "a");
  const child = spawn(
    "java",
    [...flags, ...javaArgs, "provider", registry, address, String(port), String(SESSION_MS)],
    {
      env: javaEnv,
      stdio: ["ignore", "pipe", fd],
    },
  );
  closeSync(fd);
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(
      () => reject(new Error(`provider not exported in 60 s: ${out}\n${tail(logFile)}`)),
      60_000,
    );
    child.stdout?.setEncoding("utf8").on("data", (c: string) => {
      out += c;
      // Complete lines only: a chunk may end mid-line.
      for (const l of out.split("\n").slice(0, -1)) {
        if (!l.startsWith("{")) continue;
        const line = JSON.parse(l) as Record<string, unknown>;
        if (line.event === "exported") {
          clearTimeout(timer);
          resolve({ child, line });
        } else if (line.event === "error") {
          clearTimeout(timer);
          reject(new Error(`provider failed: ${l}\n${tail(logFile)}`));
        }
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`provider exited with ${code} before exporting: ${out}\n${tail(logFile)}`));
    });
  });
}

async function consumer(
  registry: string,
  expect: "reply" | "no-provider",
  logFile: string,
  flags: string[] = [],
): Promise<Record<string, unknown>> {
  const r = await runProcess(
    "java",
    [...flags, ...javaArgs, "consumer", registry, String(SESSION_MS), "paddock", expect],
    {
      env: javaEnv,
      timeoutMs: 60_000,
    },
  );
  appendFileSync(logFile, r.stderr);
  const lines = r.stdout.split("\n").filter((l) => l.startsWith("{"));
  const last =
    lines.length > 0 ? (JSON.parse(lines[lines.length - 1] as string) as Record<string, unknown>) : {};
  return {
    exit: r.code,
    ...last,
    ...(r.code !== 0 || last.event === "error" ? { log: tail(logFile, 40) } : {}),
  };
}

/**
 * A TS-registered application instance beside Dubbo's: the mapping gains its application (the
 * Dubbo one kept) and its node holds JSON with the same fields as the instance Dubbo wrote. It
 * points at a second Dubbo provider that exports Greeter but registers nowhere
 * (dubbo.registry.register=false), so a consumer restricted to application-level discovery can
 * reach that provider only through what the TypeScript recipe wrote.
 */
async function registerFromTs(
  zk: Awaited<ReturnType<typeof openZkReader>>,
  coordinatorAddress: string,
  registry: string,
  dubboInstances: string,
): Promise<void> {
  const port = await freePort(address);
  const provider = await startProvider(registry, port, join(dir, "provider-unregistered.log"), [
    "-Ddubbo.registry.register=false",
  ]);
  const ts = await connectTs(coordinatorAddress);
  const apps = new DubboApplications(ts);
  const mine = await apps.register({ app: "paddock-ts-provider", address, port }, [INTERFACE]);
  const written = await zk.get(apps.instancePath(mine.app, mine.id));
  const revision = mine.metadata["dubbo.metadata.revision"] ?? "";
  emit("ts-app-register", {
    port,
    pid: provider.line.pid,
    mapping: (await zk.get(`/dubbo/mapping/${INTERFACE}`))?.data ?? null,
    ephemeral: written !== null && written.ephemeralOwner !== "0000000000000000",
    json: written?.data ?? null,
    metadataReport: (await zk.get(`/dubbo/metadata/${mine.app}/${revision}`))?.data ?? null,
    applications: await apps.applicationsOf(INTERFACE),
    found: await apps.providersOf(INTERFACE),
    dubboInstancesLeft: (await zk.children(dubboInstances)) ?? [],
  });
  emit(
    "call-app-level",
    await consumer(registry, "reply", join(dir, "consumer-app-level.log"), [
      "-Ddubbo.application.service-discovery.migration=FORCE_APPLICATION",
    ]),
  );
  // The second provider wrote no entry of its own at either level, before or after the call.
  emit("unregistered-provider", {
    providers: (await zk.children(`/dubbo/${encodeURIComponent(INTERFACE)}/providers`)) ?? [],
    instances: (await zk.children(dubboInstances)) ?? [],
  });
  await ts.close();
}

async function main(): Promise<void> {
  const interfaces = Object.entries(networkInterfaces()).map(([name, addrs]) => ({
    name,
    addresses: (addrs ?? []).map((a) => a.address).sort(),
  }));
  emit("netns", { interfaces });
  const coordinator =
    kind === "paddock"
      ? await startServer().then((s) => ({
          address: s.juteAddress,
          log: () => s.log(),
          stop: () => s.kill(),
        }))
      : kind === "zookeeper"
        ? await startZooKeeper().then((z) => ({ address: z.address, log: () => "", stop: () => z.stop() }))
        : undefined;
  if (coordinator === undefined) throw new Error(`unknown coordinator ${kind}`);
  // session in the address too: the config centre and metadata report Dubbo derives from the
  // registry share one ZooKeeper client with it, created first from the address alone.
  const registry = `zookeeper://${coordinator.address}?session=${SESSION_MS}`;
  emit("coordinator", { kind, registry });
  const zk = await openZkReader(coordinator.address);
  /** The registry's tree below path (names only), for diagnostics. */
  async function tree(path: string, depth = 4): Promise<string[]> {
    const names = depth === 0 ? [] : ((await zk.children(path)) ?? []);
    const out: string[] = [];
    for (const n of names) {
      const child = path === "/" ? `/${n}` : `${path}/${n}`;
      out.push(child, ...(await tree(child, depth - 1)));
    }
    return out;
  }
  const providersPath = `/dubbo/${encodeURIComponent(INTERFACE)}/providers`;
  const instancesPath = `/services/${PROVIDER_APP}`;
  const mappingPath = `/dubbo/mapping/${INTERFACE}`;
  try {
    const providerLog = join(dir, "provider.log");
    const port = await freePort(address);
    const provider = await startProvider(registry, port, providerLog);
    emit("exported", { pid: provider.line.pid, port });

    // Interface-level entry (/dubbo/<interface>/providers/<url>) and application-level instance
    // (/services/<app>/<host:port>): Dubbo 3 registers both by default.
    await waitUntil(
      "the provider's interface- and application-level entries",
      async () =>
        ((await zk.children(providersPath)) ?? []).length > 0 &&
        ((await zk.children(instancesPath)) ?? []).length > 0 &&
        (await zk.get(mappingPath)) !== null,
      30_000,
    );
    const providers = (await zk.children(providersPath)) ?? [];
    const instances = (await zk.children(instancesPath)) ?? [];
    const providerNode = await zk.get(`${providersPath}/${providers[0]}`);
    const instanceNode = await zk.get(`${instancesPath}/${instances[0]}`);
    emit("registered", {
      providers: providers.map((p) => decodeURIComponent(p)),
      providerEphemeral: providerNode !== null && providerNode.ephemeralOwner !== "0000000000000000",
      providerOwner: providerNode?.ephemeralOwner,
      instanceOwner: instanceNode?.ephemeralOwner,
      instances,
      instanceEphemeral: instanceNode !== null && instanceNode.ephemeralOwner !== "0000000000000000",
      instanceData: instanceNode?.data ?? null,
      mapping: await zk.get(mappingPath),
    });

    if (kind === "paddock") {
      // The TypeScript client's DubboRegistry view (over gRPC, same port) reads what Dubbo wrote,
      // and its encoder names the node exactly as Dubbo did.
      const ts = await connectTs(coordinator.address);
      const view = new DubboRegistry(ts);
      const urls = await view.lookup(INTERFACE);
      emit("ts-view", {
        urls,
        path: view.pathOf(urls[0] ?? "dubbo://none/x"),
        expectedPath: `${providersPath}/${providers[0]}`,
      });
      // Application level: the interface's mapping names the provider's application, whose
      // instance the recipe parses from Dubbo's own JSON.
      const apps = new DubboApplications(ts);
      emit("ts-app-view", {
        applications: await apps.applicationsOf(INTERFACE),
        instances: await apps.providersOf(INTERFACE),
      });
      await ts.close();
    }

    const consumerLog = join(dir, "consumer.log");
    emit("call", await consumer(registry, "reply", consumerLog));
    // A consumer that stopped cleanly leaves no entry under consumers (its ephemeral, or its
    // explicit unregister).
    const consumersPath = `/dubbo/${encodeURIComponent(INTERFACE)}/consumers`;
    await waitUntil(
      "the stopped consumer's entry to go",
      async () => ((await zk.children(consumersPath)) ?? []).length === 0,
      30_000,
    );
    emit("consumer-gone", {});

    // kill -9: the provider cannot unregister; only session expiry removes its entries.
    provider.child.kill("SIGKILL");
    await new Promise<void>((r) =>
      provider.child.exitCode !== null || provider.child.signalCode !== null
        ? r()
        : provider.child.once("exit", () => r()),
    );
    const killedAt = Date.now();
    let providersLeft: string[] = [];
    let instancesLeft: string[] = [];
    let expired = true;
    try {
      await waitUntil(
        "the killed provider's entries to go by session expiry",
        async () => {
          providersLeft = (await zk.children(providersPath)) ?? [];
          instancesLeft = (await zk.children(instancesPath)) ?? [];
          return providersLeft.length === 0 && instancesLeft.length === 0;
        },
        SESSION_MS * 5,
      );
    } catch {
      expired = false;
    }
    emit("provider-expired", { expired, afterMs: Date.now() - killedAt, providersLeft, instancesLeft });
    emit("call-after-expiry", await consumer(registry, "no-provider", consumerLog));
    if (kind === "paddock") await registerFromTs(zk, coordinator.address, registry, instancesPath);
  } catch (error) {
    emit("error", {
      error: String(error),
      tree: await tree("/").catch(String),
      coordinatorLog: coordinator.log().split("\n").slice(-40).join("\n"),
    });
  } finally {
    zk.close();
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    await coordinator.stop();
    emit("done");
  }
}

main().catch((error) => {
  emit("error", { error: String(error) });
  process.exit(1);
});
