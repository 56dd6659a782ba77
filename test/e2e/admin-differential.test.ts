import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registryRows } from "../../scripts/readme-metrics.js";
import { mntrKeysLeftOut } from "../../server/admin/mntr.js";
import {
  adminJson,
  httpGet,
  metricTypes,
  mntrFamily,
  shape,
  unexplainedKeys,
  zookeeperMntrKeys,
} from "../support/admin-shapes.js";
import { type ServerHandle, startServer } from "../support/launcher.js";
import { freePort, prometheusClasspath, startZooKeeper, type ZooKeeperHandle } from "../support/zookeeper.js";

// ZooKeeper 3.8 (Debian) with its AdminServer and Prometheus provider beside a Paddock server:
// the same command gives the same JSON shape, mntr's keys are ZooKeeper's or documented as left
// out, and /metrics uses ZooKeeper's names with ZooKeeper's types.
let zk: ZooKeeperHandle;
let paddock: ServerHandle;
const zkPorts = { admin: 0, metrics: 0 };

beforeAll(async () => {
  zkPorts.admin = await freePort();
  zkPorts.metrics = await freePort();
  [zk, paddock] = await Promise.all([
    startZooKeeper({
      classpath: [prometheusClasspath()],
      extraConfig: [
        "admin.enableServer=true",
        "admin.serverAddress=127.0.0.1",
        `admin.serverPort=${zkPorts.admin}`,
        "metricsProvider.className=org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider",
        "metricsProvider.httpHost=127.0.0.1",
        `metricsProvider.httpPort=${zkPorts.metrics}`,
      ],
    }),
    startServer(),
  ]);
});

afterAll(async () => {
  await Promise.all([zk?.stop(), paddock?.stop()]);
});

const both = async (command: string) =>
  Promise.all([adminJson(zkPorts.admin, command), adminJson(paddock.adminPort!, command)]);

describe("AdminServer JSON against ZooKeeper 3.8's", () => {
  it.each([
    "srvr",
    "stat",
    "conf",
    "cons",
    "dirs",
    "dump",
    "isro",
    "lsnp",
    "gtmk",
    "wchs",
    "wchc",
    "wchp",
    "obsr",
    "crst",
    "srst",
    "ruok",
    "voting_view",
    "zabstate",
  ])("%s has ZooKeeper's keys and value kinds", async (command) => {
    const [theirs, ours] = await both(command);
    expect(shape(ours)).toEqual(shape(theirs));
  });

  it.each(["lead", "ruok", "isro", "obsr", "voting_view", "zabstate", "crst"])(
    "%s answers a standalone server exactly as ZooKeeper",
    async (command) => {
      const [theirs, ours] = await both(command);
      expect(ours).toEqual(theirs);
    },
  );

  it("hash has ZooKeeper's keys (Paddock lists the current digest, ZooKeeper its recent ones)", async () => {
    const [theirs, ours] = await both("hash");
    expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
    expect(ours.digests).toEqual([{ zxid: expect.any(Number), digest: expect.stringMatching(/^\d+$/) }]);
  });

  it("an unknown command is ZooKeeper's error", async () => {
    const [theirs, ours] = await both("nope");
    expect(ours).toEqual(theirs);
  });

  it("mntr: every standalone key ZooKeeper shows is Paddock's or documented as left out", async () => {
    const [theirs, ours] = await both("mntr");
    const zkKeys = zookeeperMntrKeys(Object.keys(theirs));
    const paddockKeys = Object.keys(ours);
    expect(unexplainedKeys(zkKeys, paddockKeys)).toEqual([]);
    // Paddock's keys outside paddock_ are ZooKeeper's names (its summary sets show, with the
    // Prometheus provider on, as the provider's samples: fsynctime{quantile=...}), and none is
    // both shown and left out.
    const zkSet = new Set(zkKeys);
    const families = new Set(Object.keys(theirs).map((k) => mntrFamily(k.replace(/\{.*$/, ""))));
    expect(
      paddockKeys.filter((k) => !k.startsWith("paddock_") && !zkSet.has(k) && !families.has(mntrFamily(k))),
    ).toEqual([]);
    expect(paddockKeys.filter((k) => mntrKeysLeftOut[k] ?? mntrKeysLeftOut[mntrFamily(k)])).toEqual([]);
    for (const key of paddockKeys.filter((k) => zkSet.has(k)))
      expect(typeof ours[key], key).toBe(typeof theirs[key] === "number" ? "number" : typeof theirs[key]);
  });
});

describe("/metrics against ZooKeeper 3.8's Prometheus provider", () => {
  it("ZooKeeper's metric names with ZooKeeper's types; the rest documented as left out", async () => {
    const [theirs, ours] = await Promise.all([
      httpGet(`http://127.0.0.1:${zkPorts.metrics}/metrics`),
      httpGet(`http://127.0.0.1:${paddock.metricsPort}/metrics`),
    ]);
    const zkTypes = metricTypes(theirs);
    const ourTypes = metricTypes(ours);
    const wanted = [
      "znode_count",
      "watch_count",
      "ephemerals_count",
      "approximate_data_size",
      "outstanding_requests",
      "avg_latency",
      "min_latency",
      "max_latency",
      "num_alive_connections",
      "global_sessions",
      "packets_received",
      "packets_sent",
      "fsynctime",
      "snapshottime",
      "readlatency",
      "updatelatency",
      "proposal_latency",
      "election_time",
      "open_file_descriptor_count",
      "process_open_fds",
      "process_max_fds",
    ];
    for (const name of wanted) {
      expect(zkTypes.get(name), `ZooKeeper's ${name}`).toBeDefined();
      expect(ourTypes.get(name), name).toBe(zkTypes.get(name));
    }
    // Every ZooKeeper name (JVM figures aside) is served or documented as left out.
    const missing = [...zkTypes.keys()].filter(
      (n) => !n.startsWith("jvm_") && !ourTypes.has(n) && mntrKeysLeftOut[n] === undefined,
    );
    expect(missing).toEqual([]);
  });

  it("every name the README's metric table marks ZooKeeper's has ZooKeeper's type", async () => {
    const zkTypes = metricTypes(await httpGet(`http://127.0.0.1:${zkPorts.metrics}/metrics`));
    const marked = registryRows().filter((r) => r.zookeeper === "yes");
    const differ = marked.filter((r) => zkTypes.has(r.names[0]!) && zkTypes.get(r.names[0]!) !== r.type);
    expect(differ).toEqual([]);
    // A standalone ZooKeeper lacks only the leader's figures.
    const absent = marked.map((r) => r.names[0]!).filter((n) => !zkTypes.has(n));
    expect(absent.sort()).toEqual([
      "leader_uptime",
      "learners",
      "quorum_size",
      "synced_followers",
      "synced_observers",
    ]);
  });
});
