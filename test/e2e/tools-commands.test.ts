import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../clients/ts/src/index.js";
import { startServer } from "../support/launcher.js";
import { runProcess } from "../support/run-process.js";

/**
 * The operator tools as processes (`node bin/paddock.js …`) on files a real server wrote: help,
 * bad arguments, purge's checks, `log dump` and `snapshot inspect`.
 */
const paddock = (...args: string[]) =>
  runProcess(process.execPath, ["bin/paddock.js", ...args], { timeoutMs: 60_000 });
const stackTrace = /^\s+at /m;

let dataDir: string;
let segment: string;
let snapshot: string;
const binary = Uint8Array.from([0x00, 0xff, 0x10, 0x80]);

/** A real server's data directory after a few writes; its files are read once it has stopped. */
async function serverFiles(settings: Record<string, number>): Promise<string> {
  const server = await startServer({ settings });
  const client = await connect(server.address, { sessionTimeoutMs: 10_000 });
  try {
    await client.create("/text", "hello\nworld");
    await client.create("/text/child", "");
    await client.create("/binary", binary);
    await client.setData("/text", "long ".repeat(40));
    // With a small snapCount, later writes make sure a snapshot holds all of the above.
    for (let i = 0; i < 6; i++) await client.create(`/pad-${i}`, "");
  } finally {
    await client.close();
  }
  await server.stop();
  return server.dataDir;
}

/** The newest file named prefix.<hex zxid> (snapshot.…, log.…). */
function newest(dir: string, prefix: string): string {
  const zxid = (name: string) => Number.parseInt(name.slice(prefix.length), 16);
  const names = readdirSync(dir).filter((f) => f.startsWith(prefix) && !f.endsWith(".tmp"));
  return join(dir, names.sort((a, b) => zxid(a) - zxid(b)).at(-1)!);
}

beforeAll(async () => {
  // One log segment (the default snapCount never rolls it here); then snapshots every few writes.
  dataDir = await serverFiles({});
  segment = newest(dataDir, "log.");
  snapshot = newest(await serverFiles({ snapCount: 2 }), "snapshot.");
});

describe("help", () => {
  it.each([
    ["server"],
    ["ensemble"],
    ["purge"],
    ["backup"],
    ["restore"],
    ["log", "dump"],
    ["snapshot", "inspect"],
    ["cli"],
    ["bench"],
  ])("paddock %s %s --help and -h print usage on stdout and exit 0", async (...command) => {
    for (const flag of ["--help", "-h"]) {
      const r = await paddock(...command, flag);
      expect(r.code, `${command.join(" ")} ${flag}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^usage: paddock ${command[0]}`));
      expect(r.stderr).toBe("");
    }
  });

  it("paddock help lists the commands; help <command> shows that command's usage", async () => {
    const all = await paddock("help");
    expect(all.code).toBe(0);
    for (const name of ["server", "ensemble", "cli", "purge", "log dump", "snapshot inspect", "bench"]) {
      expect(all.stdout).toContain(`  ${name}`);
    }
    const one = await paddock("help", "purge");
    expect(one.stdout).toMatch(/^usage: paddock purge/);
  });
});

describe("bad arguments: non-zero exit, one line, no stack trace", () => {
  it.each([
    [["server", "--bogus"], 2, "paddock server: unknown argument --bogus"],
    [["server", "--port"], 2, "paddock server: --port needs a value"],
    [["ensemble", "--size", "x"], 2, "paddock ensemble: --size x: not a number"],
    [["ensemble", "--size", "0"], 2, "paddock ensemble: --size 0"],
    [["purge", "-n", "2"], 2, "paddock purge: -n must be an integer >= 3"],
    [["log", "dump"], 2, "paddock log: dump takes one file, got 0"],
    [["log", "dump", "--frob", "x"], 2, "paddock log: unknown option --frob"],
    [["log", "cat", "x"], 2, "paddock log: expected dump, got cat"],
    [["snapshot", "inspect", "a", "b"], 2, "paddock snapshot: inspect takes one file, got 2"],
    [["snapshot", "inspect", "/nonexistent/snap"], 1, "/nonexistent/snap"],
    [["backup", "--to", "/tmp/x"], 2, "paddock backup: give one of --from host:adminPort"],
    [["backup", "--data-dir", "/nonexistent"], 2, "paddock backup: --to DIR is required"],
    [["restore", "--from", "/nonexistent", "--data-dir", "/tmp/x"], 1, "/nonexistent: no backup.json"],
    [["frob"], 2, "paddock: unknown command frob"],
  ])("paddock %j exits %i", async (args, code, message) => {
    const r = await paddock(...args);
    expect(r.code, r.stderr).toBe(code);
    expect(r.stderr).toContain(message);
    expect(r.stderr.trimEnd().split("\n"), r.stderr).toHaveLength(1);
    expect(r.stdout).toBe("");
  });

  it("cli and bench refuse a bad flag without a stack trace", async () => {
    const cli = await paddock("cli", "-timeout", "x");
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toBe("-timeout must be a positive integer\n");
    const bench = await paddock("bench", "--frob");
    expect(bench.code).toBe(2);
    expect(bench.stderr.split("\n")[0]).toMatch(/^paddock bench: /);
    expect(bench.stderr).not.toMatch(stackTrace);
  });

  it("purge --data-dir /nonexistent fails naming the path", async () => {
    const r = await paddock("purge", "--data-dir", "/nonexistent");
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("paddock purge: /nonexistent: no such directory\n");
  });

  it("purge on the server's real data directory keeps what it needs and says so", async () => {
    const r = await paddock("purge", "--data-dir", dataDir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/kept the newest 3 snapshots and the logs they need; removed \d+ files/);
  });
});

describe("paddock log dump", () => {
  it("shows each transaction's data: quoted text when printable, hex otherwise", async () => {
    const r = await paddock("log", "dump", segment);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe(`# ${segment}`);
    expect(lines.find((l) => l.includes("path=/text "))).toMatch(
      /type=create path=\/text data="hello\\nworld" owner=0x0/,
    );
    expect(lines.find((l) => l.includes("path=/binary "))).toMatch(
      /type=create path=\/binary data=0x00ff1080/,
    );
    expect(lines.find((l) => l.includes("type=setData"))).toContain(
      `data=${JSON.stringify("long ".repeat(40))}`,
    );
    expect(lines.at(-1)).toMatch(/^# \d+ records; data ends at offset \d+ \(clean\)$/);
  });

  it("--hex shows all data as hex", async () => {
    const r = await paddock("log", "dump", "--hex", segment);
    expect(r.stdout).toContain(`path=/text data=0x${Buffer.from("hello\nworld").toString("hex")} `);
  });

  it("--json prints one object per transaction on stdout and the summary on stderr", async () => {
    const r = await paddock("log", "dump", "--json", segment);
    expect(r.code, r.stderr).toBe(0);
    const txns = r.stdout
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(txns.every((t) => typeof t.zxid === "string" && typeof t.type === "string")).toBe(true);
    expect(txns.find((t) => t.path === "/binary")).toMatchObject({
      type: "create",
      data: "00ff1080",
      encoding: "hex",
    });
    expect(txns.find((t) => t.path === "/text" && t.type === "create")).toMatchObject({
      data: "hello\nworld",
      encoding: "utf8",
    });
    expect(r.stderr).toMatch(
      new RegExp(`^${segment}: ${txns.length} records; data ends at offset \\d+ \\(clean\\)\\n$`),
    );
  });
});

describe("paddock snapshot inspect", () => {
  it("prints the header, the digest checked against the nodes, and the sessions", async () => {
    const r = await paddock("snapshot", "inspect", snapshot);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^snapshot .*\nformat version 1\nzxid 0x[0-9a-f]+\nnodes \d+ \(header: \d+\)\n/);
    expect(r.stdout).toMatch(/^digest 0x[0-9a-f]+ \(recomputed from the nodes: matches\)$/m);
    expect(r.stdout).not.toContain("tree (");
  });

  it("--tree lists every node in path order with its stat summary and a data preview", async () => {
    const r = await paddock("snapshot", "inspect", "--tree", snapshot);
    expect(r.code, r.stderr).toBe(0);
    const tree = r.stdout.split("\n").filter((l) => l.startsWith("  /"));
    const paths = tree.map((l) => l.trim().split(" ")[0]);
    expect(paths).toEqual([...paths].sort());
    expect(paths).toEqual(expect.arrayContaining(["/", "/binary", "/text", "/text/child", "/zookeeper"]));
    const text = tree.find((l) => l.startsWith("  /text "))!;
    expect(text).toMatch(
      / version=1 cversion=1 aversion=0 owner=0x0 children=1 mzxid=0x[0-9a-f]+ length=200 /,
    );
    // 48 of the 200 bytes, then how many were left out.
    expect(text).toContain(`data=${JSON.stringify("long ".repeat(40).slice(0, 48))}…+152 bytes`);
    expect(tree.find((l) => l.startsWith("  /binary "))).toContain("length=4 data=0x00ff1080");
  });

  it("--json prints one object with the digest check and, with --tree, the nodes", async () => {
    const r = await paddock("snapshot", "inspect", "--json", "--tree", snapshot);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as {
      digest: string;
      computedDigest: string;
      digestMatches: boolean;
      nodes: { path: string; data: string | null; encoding: string | null; numChildren: number }[];
    };
    expect(report.digestMatches).toBe(true);
    expect(report.computedDigest).toBe(report.digest);
    expect(report.nodes.find((n) => n.path === "/binary")).toMatchObject({
      data: "00ff1080",
      encoding: "hex",
    });
    expect(report.nodes.find((n) => n.path === "/text")).toMatchObject({ numChildren: 1, encoding: "utf8" });
  });

  it("a damaged snapshot is one line naming the file and offset, exit 1", async () => {
    const damaged = join(dataDir, "damaged-snapshot");
    writeFileSync(damaged, Buffer.from("not a snapshot at all, really"));
    const r = await paddock("snapshot", "inspect", damaged);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^paddock snapshot: .*${damaged}.*\\n$`));
  });
});
