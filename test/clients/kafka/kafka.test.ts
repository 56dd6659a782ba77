// An unchanged Kafka 3.7 broker in ZooKeeper mode, its metadata under the chroot /kafka, against
// Paddock and, side by side, against Apache ZooKeeper 3.8 (the reference). Kafka's own AdminClient,
// producer and consumer (KafkaTool.java) drive it. Jars and classes come from
// scripts/install-kafka-dubbo.sh (.cache/kafka); the test throws, never skips, when they are missing.
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer } from "../../support/launcher.js";
import { repoRoot, runProcess } from "../../support/run-process.js";
import { waitUntil } from "../../support/wait.js";
import { freePort, startZooKeeper } from "../../support/zookeeper.js";
import { openZkReader, type ZkReader } from "./zk-reader.js";

const here = join(repoRoot, "test/clients/kafka");
const lib = join(repoRoot, ".cache/kafka/lib");
const classes = join(repoRoot, ".cache/kafka/classes");
const classpath = `${lib}/*:${classes}`;
const log4j = `-Dlog4j.configuration=file:${join(here, "log4j.properties")}`;
const MESSAGES = 1000;
/** Kafka's ZooKeeper session: short, so a killed broker's registration expires quickly. */
const SESSION_MS = 6000;

function requireInstalled(): void {
  for (const f of [join(lib, "kafka_2.13-3.7.2.jar"), join(classes, "KafkaTool.class")])
    if (!existsSync(f)) throw new Error(`${f} missing: run bash scripts/install-kafka-dubbo.sh first`);
}

function tail(text: string, lines = 80): string {
  return text.split("\n").slice(-lines).join("\n");
}

interface Coordinator {
  readonly name: string;
  readonly address: string;
  log(): string;
  stop(): Promise<void>;
}

async function startCoordinator(kind: "paddock" | "zookeeper"): Promise<Coordinator> {
  if (kind === "paddock") {
    const server = await startServer();
    return { name: kind, address: server.juteAddress, log: () => server.log(), stop: () => server.kill() };
  }
  const zk = await startZooKeeper();
  return { name: kind, address: zk.address, log: () => "", stop: () => zk.stop() };
}

/** One broker process (kafka.Kafka server.properties); its log goes to a file in its directory. */
class Broker {
  private child: ChildProcess | undefined;
  private exit: Promise<void> = Promise.resolve();
  readonly logFile: string;
  readonly properties: string;

  constructor(
    readonly dir: string,
    readonly port: number,
    zookeeperConnect: string,
  ) {
    this.logFile = join(dir, "broker.log");
    this.properties = join(dir, "server.properties");
    writeFileSync(
      this.properties,
      [
        "broker.id=0",
        `listeners=PLAINTEXT://127.0.0.1:${port}`,
        `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
        `log.dirs=${join(dir, "kafka-logs")}`,
        `zookeeper.connect=${zookeeperConnect}`,
        `zookeeper.session.timeout.ms=${SESSION_MS}`,
        "zookeeper.connection.timeout.ms=30000",
        "offsets.topic.replication.factor=1",
        "offsets.topic.num.partitions=1",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "transaction.state.log.num.partitions=1",
        "group.initial.rebalance.delay.ms=0",
        "auto.create.topics.enable=false",
        "delete.topic.enable=true",
        "num.partitions=1",
        "",
      ].join("\n"),
    );
  }

  start(): void {
    const fd = openSync(this.logFile, "a");
    const child = spawn(
      "java",
      [
        "-Xms256m",
        "-Xmx512m",
        log4j,
        "-Dkafka.test.level=INFO",
        "-cp",
        `${lib}/*`,
        "kafka.Kafka",
        this.properties,
      ],
      { cwd: this.dir, stdio: ["ignore", fd, fd] },
    );
    closeSync(fd);
    this.child = child;
    this.exit = new Promise((r) => child.once("exit", () => r()));
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  log(): string {
    return existsSync(this.logFile) ? readFileSync(this.logFile, "utf8") : "";
  }

  async kill(): Promise<void> {
    if (this.running) this.child?.kill("SIGKILL");
    await this.exit;
  }
}

/** Runs KafkaTool once; returns its JSON line, or throws with its output and the broker's log tail. */
async function tool(broker: Broker, ...args: string[]): Promise<Record<string, unknown>> {
  const result = await runProcess(
    "java",
    [
      "-XX:TieredStopAtLevel=1",
      "-Xmx256m",
      log4j,
      "-Dkafka.test.level=WARN",
      "-cp",
      classpath,
      "KafkaTool",
      `127.0.0.1:${broker.port}`,
      ...args,
    ],
    { timeoutMs: 90_000 },
  );
  const lines = result.stdout.trim().split("\n").filter(Boolean);
  const last =
    lines.length > 0 ? (JSON.parse(lines[lines.length - 1] as string) as Record<string, unknown>) : {};
  if (result.code !== 0 || "error" in last)
    throw new Error(
      `KafkaTool ${args.join(" ")} failed (exit ${result.code}): ${result.stdout}\n${tail(result.stderr, 30)}\n` +
        `--- broker log tail ---\n${tail(broker.log())}`,
    );
  return last;
}

for (const kind of ["paddock", "zookeeper"] as const) {
  describe(`Kafka 3.7 in ZooKeeper mode on ${kind}`, () => {
    let coordinator: Coordinator;
    let zk: ZkReader;
    let broker: Broker;

    /** Waits until broker 0 is registered under /kafka/brokers/ids with this broker's endpoint. */
    async function registered(what: string): Promise<void> {
      await waitUntil(
        `${what} (broker 0 under /kafka/brokers/ids on ${kind})`,
        async () => {
          if (!broker.running)
            throw new Error(
              `broker exited before registering:\n${tail(broker.log())}\n${tail(coordinator.log())}`,
            );
          const ids = await zk.children("/kafka/brokers/ids");
          return ids?.includes("0") === true;
        },
        60_000,
      );
    }

    beforeAll(async () => {
      requireInstalled();
      coordinator = await startCoordinator(kind);
      const dir = mkdtempSync(join(tmpdir(), `paddock-kafka-${kind}-`));
      broker = new Broker(dir, await freePort(), `${coordinator.address}/kafka`);
      zk = await openZkReader(coordinator.address);
    });

    afterAll(async () => {
      await broker?.kill();
      zk?.close();
      await coordinator?.stop();
      // Failures already carry the broker log's tail; the log segments are not worth keeping.
      if (broker) rmSync(broker.dir, { recursive: true, force: true });
    });

    it("the broker starts, creates its chroot and registers under /kafka/brokers/ids", async () => {
      broker.start();
      await registered("first start");
      const node = await zk.get("/kafka/brokers/ids/0");
      expect(node?.ephemeralOwner).not.toBe("0000000000000000");
      const info = JSON.parse(node?.data ?? "{}") as { endpoints?: string[] };
      expect(info.endpoints).toEqual([`PLAINTEXT://127.0.0.1:${broker.port}`]);
      // The controller (this broker) and the top-level paths Kafka creates at start.
      await waitUntil("/kafka/controller", async () => (await zk.get("/kafka/controller")) !== null, 30_000);
      expect(JSON.parse((await zk.get("/kafka/controller"))?.data ?? "{}")).toMatchObject({ brokerid: 0 });
      const top = await zk.children("/kafka");
      for (const name of [
        "admin",
        "brokers",
        "cluster",
        "config",
        "controller",
        "controller_epoch",
        "isr_change_notification",
      ])
        expect(top).toContain(name);
      expect(await zk.children("/")).toContain("kafka");
    });

    it("AdminClient creates a topic, adds partitions, changes a config and deletes it", async () => {
      expect(await tool(broker, "create", "paddock-admin", "3")).toEqual({
        topic: "paddock-admin",
        partitions: 3,
        leaders: [0, 0, 0],
        config: {},
      });
      const assignment = JSON.parse((await zk.get("/kafka/brokers/topics/paddock-admin"))?.data ?? "{}") as {
        partitions?: Record<string, number[]>;
      };
      expect(Object.keys(assignment.partitions ?? {}).sort()).toEqual(["0", "1", "2"]);

      expect(await tool(broker, "add-partitions", "paddock-admin", "5")).toMatchObject({ partitions: 5 });
      const grown = JSON.parse((await zk.get("/kafka/brokers/topics/paddock-admin"))?.data ?? "{}") as {
        partitions?: Record<string, number[]>;
      };
      expect(Object.keys(grown.partitions ?? {}).sort()).toEqual(["0", "1", "2", "3", "4"]);

      expect(await tool(broker, "set-config", "paddock-admin", "retention.ms", "3600000")).toMatchObject({
        config: { "retention.ms": "3600000" },
      });
      const config = JSON.parse((await zk.get("/kafka/config/topics/paddock-admin"))?.data ?? "{}") as {
        config?: Record<string, string>;
      };
      expect(config.config).toEqual({ "retention.ms": "3600000" });

      expect(await tool(broker, "delete", "paddock-admin")).toEqual({ deleted: "paddock-admin", topics: [] });
      await waitUntil(
        "the deleted topic to leave /kafka/brokers/topics and /kafka/admin/delete_topics",
        async () =>
          !(await zk.children("/kafka/brokers/topics"))?.includes("paddock-admin") &&
          ((await zk.children("/kafka/admin/delete_topics")) ?? []).length === 0,
        30_000,
      );
      expect(await zk.get("/kafka/config/topics/paddock-admin")).toBeNull();
    });

    it("a znode Kafka created with null data reads back as null (/kafka/latest_producer_id_block before any producer)", async () => {
      // Kafka creates /latest_producer_id_block with null data and, when a broker first needs
      // producer ids (every idempotent producer: Kafka's default), parses the data only if it is
      // not null (KafkaZkClient.getDataAndVersion -> Option(data)). Empty bytes fail that parse.
      const node = await zk.get("/kafka/latest_producer_id_block");
      expect(node).not.toBeNull();
      expect(node?.data).toBeNull();
    });

    it(`${MESSAGES} messages are produced and consumed back intact`, async () => {
      expect(await tool(broker, "create", "paddock-events", "3")).toMatchObject({ partitions: 3 });
      const produced = await tool(broker, "produce", "paddock-events", String(MESSAGES));
      expect(produced.produced).toBe(MESSAGES);
      const consumed = await tool(broker, "consume", "paddock-events", String(MESSAGES));
      expect(consumed).toMatchObject({
        consumed: MESSAGES,
        distinct: MESSAGES,
        missing: 0,
        duplicates: 0,
        corrupt: 0,
      });
      expect(consumed.perPartition).toEqual(produced.perPartition);
    });

    it("after kill -9 the registration expires; the restarted broker re-registers and the messages are still there", async () => {
      const before = await zk.get("/kafka/brokers/ids/0");
      expect(before).not.toBeNull();
      await broker.kill();
      // The killed broker's session ends only by expiry: its ephemerals go when the server expires it.
      const killedAt = Date.now();
      await waitUntil(
        `the killed broker's ephemerals (/kafka/brokers/ids/0, /kafka/controller) to go by session expiry on ${kind}`,
        async () =>
          (await zk.get("/kafka/brokers/ids/0")) === null && (await zk.get("/kafka/controller")) === null,
        SESSION_MS * 4,
      );
      const expiredAfterMs = Date.now() - killedAt;
      expect(expiredAfterMs).toBeGreaterThan(SESSION_MS / 2);

      broker.start();
      await registered("restart");
      const after = await zk.get("/kafka/brokers/ids/0");
      expect(after?.ephemeralOwner).not.toBe(before?.ephemeralOwner);
      expect(await tool(broker, "describe", "paddock-events")).toMatchObject({
        partitions: 3,
        leaders: [0, 0, 0],
      });
      const consumed = await tool(broker, "consume", "paddock-events", String(MESSAGES));
      expect(consumed).toMatchObject({
        consumed: MESSAGES,
        distinct: MESSAGES,
        missing: 0,
        duplicates: 0,
        corrupt: 0,
      });
    });
  });
}
