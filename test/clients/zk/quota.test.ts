import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerHandle, startServer } from "../../support/launcher.js";
import { type ProcessResult, paddockCli, runProcess } from "../../support/run-process.js";
import { waitUntil } from "../../support/wait.js";
import { startZooKeeper, type ZooKeeperHandle, zkCli } from "../../support/zookeeper.js";

// ZooKeeper's quotas through zkCli's setquota, listquota and delquota (issue 16). Each script runs
// through ZooKeeper 3.8's zkCli.sh against Apache ZooKeeper and against Paddock's ZooKeeper port,
// and through `paddock cli` (gRPC) against Paddock; the normalised transcripts (stdout and stderr
// apart, and the exit code) must be equal. What ZooKeeper does is also pinned line by line where
// it decides something: the reference is the fact, Paddock follows it.
//
// Pinned from ZooKeeper 3.8.0 (Debian) and 3.9.5:
// - enforceQuota is off by default: a third child under `setquota -N 2` is created.
// - `enforceQuota=true` in zoo.cfg turns it on (ZooKeeper makes the key the system property
//   zookeeper.enforceQuota), and so does -Dzookeeper.enforceQuota=true; then a write past a hard
//   limit fails with QuotaExceeded ("Quota has exceeded : <path>") and changes nothing, and a soft
//   limit passed lets the write through.
// - The server logs "Quota exceeded: <path> [current count=N, softCountLimit=M]" (WARN) only with
//   enforcement on: off, it does not check at all.
// - The quota nodes are ordinary open znodes: any client reads, writes and deletes them.

/** Drops banners, connection notices and times; zxids become 0xZ. */
function normalise(r: ProcessResult): { code: number | null; stdout: string[]; stderr: string[] } {
  const keep = (l: string): boolean =>
    l !== "" &&
    !/^(Connecting to |Welcome to ZooKeeper|JLine support|WATCHER::|WatchedEvent |SLF4J:|ZooKeeper -server |\t)/.test(
      l,
    ) &&
    !/^[cm]time = /.test(l);
  const clean = (s: string): string[] =>
    s
      .split("\n")
      .filter(keep)
      .map((l) => l.replace(/^([cmp]Zxid) = 0x[0-9a-f]+$/, "$1 = 0xZ"));
  return { code: r.code, stdout: clean(r.stdout), stderr: clean(r.stderr) };
}

type Transcript = ReturnType<typeof normalise>;

/** Two Paddock servers: zkCli.sh talks to one, `paddock cli` to the other (the scripts use absolute paths). */
interface Paddocks {
  jute: ServerHandle;
  grpc: ServerHandle;
}

async function startPaddocks(settings: Record<string, boolean> = {}): Promise<Paddocks> {
  const [jute, grpc] = await Promise.all([startServer({ settings }), startServer({ settings })]);
  return { jute, grpc };
}

/** Runs the script on ZooKeeper and on Paddock both ways; returns ZooKeeper's transcript. */
async function same(zookeeper: ZooKeeperHandle, paddock: Paddocks, lines: string[]): Promise<Transcript> {
  const script = `${lines.join("\n")}\n`;
  const [z, j, p] = await Promise.all([
    zookeeper.cli(script),
    zkCli(paddock.jute.juteAddress, script),
    paddockCli(paddock.grpc.address, [], script),
  ]);
  const reference = normalise(z);
  expect(normalise(j), "zkCli.sh on Paddock's ZooKeeper port").toEqual(reference);
  expect(normalise(p), "paddock cli on Paddock's gRPC port").toEqual(reference);
  return reference;
}

const LIMITS_N2 = "count=-1,bytes=-1=;byteHardLimit=-1;countHardLimit=2";

describe("quotas with enforceQuota off (the default of both)", () => {
  let zookeeper: ZooKeeperHandle;
  let paddock: Paddocks;
  beforeAll(async () => {
    [zookeeper, paddock] = await Promise.all([startZooKeeper({ serverLog: true }), startPaddocks()]);
  });
  afterAll(async () => {
    await Promise.all([zookeeper?.stop(), paddock?.jute.stop(), paddock?.grpc.stop()]);
  });

  it("setquota writes the limits node; the server keeps the stats; a third child under -N 2 is created", async () => {
    const t = await same(zookeeper, paddock, [
      "create /q",
      "setquota -N 2 /q",
      "listquota /q",
      "get -s /zookeeper/quota/q/zookeeper_limits",
      "get -s /zookeeper/quota/q/zookeeper_stats",
      "create /q/a hello",
      "create /q/b xy",
      "create /q/c z",
      "listquota /q",
      "set /q/a longer-data",
      "get -s /zookeeper/quota/q/zookeeper_stats",
      "delete /q/c",
      "listquota /q",
      "getAcl /zookeeper/quota/q",
      "getAcl /zookeeper/quota/q/zookeeper_stats",
      "get /zookeeper/quota/q",
    ]);
    expect(t.stderr).toContain("Created /q/c");
    // ZooKeeper checks (and logs) quotas only with enforceQuota on; Paddock logs the limit passed.
    expect(zookeeper.log()).toContain("WARN");
    expect(zookeeper.log()).not.toContain("Quota exceeded");
    expect(paddock.jute.log()).toContain(
      "Quota exceeded: /q [current count=3, hardCountLimit=2] (not enforced: enforceQuota=false)",
    );
    expect(t.stdout).toEqual([
      `Output quota for /q ${LIMITS_N2}`,
      "Output stat for /q count=1,bytes=0",
      LIMITS_N2,
      "cZxid = 0xZ",
      "mZxid = 0xZ",
      "pZxid = 0xZ",
      "cversion = 0",
      "dataVersion = 0",
      "aclVersion = 0",
      "ephemeralOwner = 0x0",
      "dataLength = 52",
      "numChildren = 0",
      "count=1,bytes=0",
      "cZxid = 0xZ",
      "mZxid = 0xZ",
      "pZxid = 0xZ",
      "cversion = 0",
      "dataVersion = 0",
      "aclVersion = 0",
      "ephemeralOwner = 0x0",
      "dataLength = 15",
      "numChildren = 0",
      `Output quota for /q ${LIMITS_N2}`,
      "Output stat for /q count=4,bytes=8",
      // The stats node's data changed in place: dataVersion still 0.
      "count=4,bytes=14",
      "cZxid = 0xZ",
      "mZxid = 0xZ",
      "pZxid = 0xZ",
      "cversion = 0",
      "dataVersion = 0",
      "aclVersion = 0",
      "ephemeralOwner = 0x0",
      "dataLength = 16",
      "numChildren = 0",
      `Output quota for /q ${LIMITS_N2}`,
      "Output stat for /q count=3,bytes=13",
      "'world,'anyone",
      ": cdrwa",
      "'world,'anyone",
      ": cdrwa",
      "null",
    ]);
  });

  it("setquota on a quota'd path replaces that kind of limit and warns of limits already passed; delquota -n|-b|-N|-B clears one, delquota all", async () => {
    const t = await same(zookeeper, paddock, [
      "create /u",
      "create /u/a 12",
      "create /u/b 345",
      "setquota -n 5 /u",
      "setquota -n 2 /u",
      "setquota -b 3 /u",
      "setquota -N 1 /u",
      "setquota -B 100 /u",
      "listquota /u",
      "delquota -n /u",
      "listquota /u",
      "delquota -N /u",
      "delquota -b /u",
      "listquota /u",
      "delquota /u",
      "listquota /u",
      "ls /zookeeper/quota",
      "delquota /u",
      "delquota -B /u",
      "create /u/c",
    ]);
    expect(t.stdout).toEqual([
      "[Warning]: the count quota you create is less than the existing count:3",
      "[Warning]: the count quota you create is less than the existing count:3",
      "[Warning]: the bytes quota you create is less than the existing bytes:5",
      "[Warning]: the count quota you create is less than the existing count:3",
      "[Warning]: the bytes quota you create is less than the existing bytes:5",
      "[Warning]: the count quota you create is less than the existing count:3",
      "[Warning]: the bytes quota you create is less than the existing bytes:5",
      "Output quota for /u count=2,bytes=3=;byteHardLimit=100;countHardLimit=1",
      "Output stat for /u count=3,bytes=5",
      "Output quota for /u count=-1,bytes=3=;byteHardLimit=100;countHardLimit=1",
      "Output stat for /u count=3,bytes=5",
      "Output quota for /u count=-1,bytes=-1=;byteHardLimit=100;countHardLimit=-1",
      "Output stat for /u count=3,bytes=5",
      // delquota with no flag took the quota's nodes and its emptied directory.
      expect.stringMatching(/^\[.*\]$/),
      "Quota does not exist for /u",
      "Quota does not exist for /u",
    ]);
    expect(t.stdout).not.toContainEqual(expect.stringMatching(/[[ ]u[,\]]/));
    expect(t.stderr.at(-1)).toBe("Created /u/c");
  });

  it("nested quotas, missing paths, bad values and options: zkCli's own refusals", async () => {
    const t = await same(zookeeper, paddock, [
      "setquota -n 2 /nope",
      "create /p",
      "create /p/c",
      "create /p/c/d",
      "setquota -n 2 /p/c",
      "setquota -n 2 /p",
      "setquota -n 2 /p/c/d",
      "setquota -n 0 /p",
      "setquota -b -1 /p",
      "setquota -N 0 /p",
      "setquota -B -1 /p",
      "setquota -n abc /p",
      "setquota -N 99999999999 /p",
      "setquota -B 9223372036854775807 /p",
      "setquota /p",
      "setquota",
      "setquota -n 3",
      "setquota -n 3 -b 4 /p",
      "setquota -x 3 /p",
      "setquota -n",
      "setquota -n 2 /zookeeper/quota/p",
      "setquota -n 2 /zookeeper/quota",
      "setquota -n 2 p",
      "setquota -n 2 /p/",
      "setquota -n 2 /",
      "listquota",
      "listquota /none",
      "listquota p",
      "listquota /p",
      "delquota",
      "delquota /none",
      "delquota -n -b /p",
      "delquota -x /p",
      "delquota p",
      "delquota -b /p",
      "delquota /p/c",
      "ls /zookeeper/quota/p",
      "delquota /p",
      "listquota /p",
    ]);
    expect(t.stderr).toEqual([
      "/nope does not exist.",
      "Created /p",
      "Created /p/c",
      "Created /p/c/d",
      "/p has a child /p/c which has a quota",
      "/p/c/d has a parent /p/c which has a quota",
      "the num quota must be greater than zero",
      "the bytes quota must be greater than or equal to zero",
      "the num quota must be greater than zero",
      "the bytes quota must be greater than or equal to zero",
      "NumberFormatException happens when parsing the option value",
      "NumberFormatException happens when parsing the option value",
      "/p has a child /p/c which has a quota",
      "org.apache.commons.cli.MissingOptionException: Missing required option: [-n num soft quota, -b bytes soft quota, -N num hard quota, -B bytes hard quota]",
      "org.apache.commons.cli.MissingOptionException: Missing required option: [-n num soft quota, -b bytes soft quota, -N num hard quota, -B bytes hard quota]",
      "setquota -n|-b|-N|-B val path",
      "org.apache.commons.cli.AlreadySelectedException: The option 'b' was specified but an option from this group has already been selected: 'n'",
      "org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: -x",
      "org.apache.commons.cli.MissingArgumentException: Missing argument for option: n",
      "cannot set a quota under the path: /zookeeper/quota",
      "cannot set a quota under the path: /zookeeper/quota",
      "Path must start with / character",
      "Path must not end with / character",
      "Path must not end with / character",
      "listquota path",
      "absolute path is /zookeeper/quota/none/zookeeper_limits",
      "quota for /none does not exist.",
      "absolute path is /zookeeper/quotap/zookeeper_limits",
      "quota for p does not exist.",
      "absolute path is /zookeeper/quota/p/zookeeper_limits",
      "quota for /p does not exist.",
      "delquota [-n|-b|-N|-B] path",
      "org.apache.commons.cli.AlreadySelectedException: The option 'b' was specified but an option from this group has already been selected: 'n'",
      "org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: -x",
      "Node does not exist: /zookeeper/quota/p",
      "absolute path is /zookeeper/quota/p/zookeeper_limits",
      "quota for /p does not exist.",
    ]);
    expect(t.stdout).toEqual([
      "Quota does not exist for /none",
      "Quota does not exist for p",
      "Quota does not exist for /p",
      "Quota does not exist for /p",
    ]);
  });

  it("the stats node is the server's running sum: a client's write to it is added to from then on", async () => {
    const t = await same(zookeeper, paddock, [
      "create /m",
      "setquota -n 10 /m",
      "set /zookeeper/quota/m/zookeeper_stats count=7;bytes=1;extra=5",
      "create /m/a xyz",
      "get /zookeeper/quota/m/zookeeper_stats",
      "delete /zookeeper/quota/m/zookeeper_stats",
      "create /m/b",
      "create /zookeeper/quota/m/zookeeper_stats anything",
      "get /zookeeper/quota/m/zookeeper_stats",
      "listquota /m",
    ]);
    expect(t.stdout).toEqual([
      "count=8,bytes=4=;extra=5",
      // Created again, the stats node is recounted from the subtree.
      "count=3,bytes=3",
      "Output quota for /m count=10,bytes=-1=;byteHardLimit=-1;countHardLimit=-1",
      "Output stat for /m count=3,bytes=3",
    ]);
  });

  it("exit codes of single commands", async () => {
    await same(zookeeper, paddock, ["create /x", "setquota -n 1 /x"]);
    const cases: [string[], number][] = [
      [["setquota", "-n", "0", "/x"], 0],
      [["setquota", "-n", "2", "/nope"], 1],
      [["setquota", "/x"], 1],
      [["listquota", "/nope"], 0],
      [["delquota", "/nope"], 0],
      [["listquota", "/x"], 0],
    ];
    for (const [args, code] of cases) {
      const [z, p] = await Promise.all([
        runSingle(zookeeper.address, args),
        paddockCli(paddock.grpc.address, args),
      ]);
      expect(z.code, args.join(" ")).toBe(code);
      expect(normalise(p), args.join(" ")).toEqual(normalise(z));
    }
  });
});

/** zkCli.sh with the command on its command line (it runs it and exits with its code). */
function runSingle(address: string, args: string[]): Promise<ProcessResult> {
  return runProcess("/usr/share/zookeeper/bin/zkCli.sh", ["-server", address, ...args], {
    env: { ...process.env, TZ: "UTC", JVMFLAGS: "-Xshare:auto" },
  });
}

/** Hard limits refused, soft ones passed: the same script on each server with enforcement on. */
const ENFORCED = [
  "create /q",
  "setquota -N 2 /q",
  "create /q/a hello",
  "create /q/b xy",
  "create -s /q/s",
  "create -e /q/e",
  "listquota /q",
  "setquota -B 6 /q",
  "set /q/a 1234567",
  "set -v 9 /q/a 1234567",
  "set /q/a 123456",
  "delete /q/a",
  "create /q/b 1234567",
  "create /q/b 12345",
  "create /q/x/y",
  "listquota /q",
  "create /s",
  "setquota -n 2 /s",
  "create /s/a 123",
  "create /s/b 4567",
  "listquota /s",
  "create /t 0123456789",
  "setquota -B 5 /t",
  "set /t 01234567",
  "get /t",
  "create /t/e",
  "listquota /t",
  "deleteall /s",
  "listquota /s",
  "delete /zookeeper/quota/q/zookeeper_limits",
  "create /q/c",
  "create /q/d",
  "listquota /q",
];

const ENFORCED_ERRORS = [
  "Created /q",
  "Created /q/a",
  "Quota has exceeded : /q/b",
  "Quota has exceeded : /q/s",
  "Quota has exceeded : /q/e",
  "absolute path is /zookeeper/quota/q/zookeeper_limits",
  "Quota has exceeded : /q/a",
  // The quota is checked before the version.
  "Quota has exceeded : /q/a",
  "Quota has exceeded : /q/b",
  "Created /q/b",
  "Node does not exist: /q/x/y",
  "absolute path is /zookeeper/quota/q/zookeeper_limits",
  "Created /s",
  "Created /s/a",
  "Created /s/b",
  "absolute path is /zookeeper/quota/s/zookeeper_limits",
  "Created /t",
  // Still over the hard limit after it, so even a smaller value is refused.
  "Quota has exceeded : /t",
  "Created /t/e",
  "absolute path is /zookeeper/quota/t/zookeeper_limits",
  "absolute path is /zookeeper/quota/s/zookeeper_limits",
  "Created /q/c",
  "Created /q/d",
  "absolute path is /zookeeper/quota/q/zookeeper_limits",
  "quota for /q does not exist.",
];

const ENFORCED_OUTPUT = [
  `Output quota for /q ${LIMITS_N2}`,
  "Output stat for /q count=2,bytes=5",
  "Output quota for /q count=-1,bytes=-1=;byteHardLimit=6;countHardLimit=2",
  "Output stat for /q count=2,bytes=5",
  "Output quota for /s count=2,bytes=-1=;byteHardLimit=-1;countHardLimit=-1",
  // Past the soft limit: created all the same.
  "Output stat for /s count=3,bytes=7",
  "[Warning]: the bytes quota you create is less than the existing bytes:10",
  "0123456789",
  "Output quota for /t count=-1,bytes=-1=;byteHardLimit=5;countHardLimit=-1",
  "Output stat for /t count=2,bytes=10",
  "Output quota for /s count=2,bytes=-1=;byteHardLimit=-1;countHardLimit=-1",
  "Output stat for /s count=0,bytes=0",
];

describe("quotas with enforceQuota=true", () => {
  let paddock: Paddocks;
  beforeAll(async () => {
    paddock = await startPaddocks({ enforceQuota: true });
  });
  afterAll(async () => {
    await Promise.all([paddock?.jute.stop(), paddock?.grpc.stop()]);
  });

  it("ZooKeeper 3.8 with enforceQuota=true in zoo.cfg: hard limits refuse the write, soft ones let it through", async () => {
    const zookeeper = await startZooKeeper({ extraConfig: ["enforceQuota=true"], serverLog: true });
    let reference: Transcript;
    let log: string;
    try {
      reference = await same(zookeeper, paddock, ENFORCED);
      log = zookeeper.log();
    } finally {
      await zookeeper.stop();
    }
    // ZooKeeper's own lines (its RateLogger wraps them in "Message:… Value:null").
    expect(log).toContain("Message:Quota exceeded: /s [current count=3, softCountLimit=2]");
    expect(log).toContain("Message:Quota exceeded: /q [current count=3, hardCountLimit=2]");
    expect(reference.stderr).toEqual(ENFORCED_ERRORS);
    expect(reference.stdout).toEqual(ENFORCED_OUTPUT);
    // Paddock logs what it let through or refused (ZooKeeper logs it too, with enforcement on).
    for (const server of [paddock.jute, paddock.grpc]) {
      expect(server.log()).toContain("Quota exceeded: /s [current count=3, softCountLimit=2]");
      expect(server.log()).toContain("Quota exceeded: /q [current count=3, hardCountLimit=2]");
    }
  });

  it("ZooKeeper 3.9.5 with -Dzookeeper.enforceQuota=true answers the same script the same", async () => {
    const [zookeeper, fresh] = await Promise.all([
      startZooKeeper({ version: "3.9", jvmFlags: ["-Dzookeeper.enforceQuota=true"] }),
      startPaddocks({ "zookeeper.enforceQuota": true }),
    ]);
    try {
      const reference = await same(zookeeper, fresh, ENFORCED);
      expect(reference.stderr).toEqual(ENFORCED_ERRORS);
      expect(reference.stdout).toEqual(ENFORCED_OUTPUT);
      expect(zookeeper.log()).toContain("Quota exceeded: /s [current count=3, softCountLimit=2]");
    } finally {
      await Promise.all([zookeeper.stop(), fresh.jute.stop(), fresh.grpc.stop()]);
    }
  });
});

describe("a limits node right under /zookeeper/quota (a quota on /)", () => {
  it("ZooKeeper 3.8 exits applying it; Paddock keeps the node and it limits nothing", async () => {
    const [zookeeper, paddock] = await Promise.all([
      startZooKeeper({ extraConfig: ["enforceQuota=true"], serverLog: true }),
      startServer({ settings: { enforceQuota: true } }),
    ]);
    try {
      const script = "create /zookeeper/quota/zookeeper_limits count=-1,bytes=-1=;countHardLimit=1\n";
      await zookeeper.cli(script);
      await waitUntil("ZooKeeper's exit", () => zookeeper.log().includes("Exiting JVM"), 20_000);
      expect(zookeeper.log()).toContain("java.lang.IllegalArgumentException: Invalid path");
      const p = normalise(await zkCli(paddock.juteAddress, `${script}create /a\ncreate /b\n`));
      expect(p.stderr).toEqual(["Created /zookeeper/quota/zookeeper_limits", "Created /a", "Created /b"]);
    } finally {
      await Promise.all([zookeeper.stop(), paddock.stop()]);
    }
  });
});
