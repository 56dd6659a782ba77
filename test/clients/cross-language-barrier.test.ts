import { type ChildProcessByStdio, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, connect, DoubleBarrier } from "../../clients/ts/src/index.js";
import { type ServerHandle, startServer } from "../support/launcher.js";
import { waitUntil } from "../support/wait.js";
import { buildPrograms, type Language, type Programs } from "./cross-language-programs.js";

// The double barrier (Curator's DistributedDoubleBarrier layout, docs/RECIPES.md) with one member
// per language: nobody is through `enter` before the fourth member arrives, nobody is through
// `leave` before the last member starts leaving. Order is checked on one event log, never on time.
let server: ServerHandle;
let programs: Programs;
let client: Client;
const PATH = "/barriers/xlang";
const languages: Language[] = ["go", "py", "java"];
const log: string[] = [];

beforeAll(async () => {
  programs = buildPrograms(mkdtempSync(join(tmpdir(), "paddock-xbarrier-")));
  server = await startServer();
  client = await connect(server.address, { sessionTimeoutMs: 10_000 });
});

afterAll(async () => {
  await client?.close();
  await server?.stop();
});

interface Member {
  child: ChildProcessByStdio<Writable, Readable, null>;
  exited: Promise<number>;
}

function startMember(language: Language): Member {
  const argv = programs.command(language, "barrier", { server: server.address, path: PATH, count: "4" });
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ["pipe", "pipe", "inherit"] });
  let out = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
    const lines = out.split("\n");
    out = lines.pop() ?? "";
    for (const line of lines) if (line.length > 0) log.push(`${language} ${line}`);
  });
  const exited = new Promise<number>((resolve) => child.on("exit", (code) => resolve(code ?? -1)));
  return { child, exited };
}

const membersIn = async () => (await client.getChildren(PATH)).children.filter((c) => c !== "ready").length;

describe("cross-language double barrier", () => {
  it("Go, Python, Java and TypeScript members enter together and leave together", async () => {
    const members = Object.fromEntries(languages.map((l) => [l, startMember(l)])) as Record<Language, Member>;
    await waitUntil("three members waiting inside", async () => (await membersIn().catch(() => 0)) === 3);
    const barrier = new DoubleBarrier(client, PATH, 4);
    log.push("ts enter");
    expect(await barrier.enter(60_000)).toBe(true);
    await waitUntil(
      "every member through enter",
      async () => log.filter((l) => l.endsWith(" ENTERED")).length === 3,
    );
    expect(log.indexOf("ts enter")).toBe(0); // no member was through enter before the fourth came

    // Three members start leaving; they wait for the TypeScript member, still inside.
    for (const l of languages) members[l].child.stdin.end();
    await waitUntil("the leaving members' nodes gone (a lowest one waits on its node)", async () => {
      const n = await membersIn();
      return n <= 2;
    });
    log.push("ts leave");
    expect(await barrier.leave(60_000)).toBe(true);
    for (const l of languages) expect(await members[l].exited, `${l} exit`).toBe(0);
    const tsLeave = log.indexOf("ts leave");
    for (const l of languages) expect(log.indexOf(`${l} LEFT`), log.join(", ")).toBeGreaterThan(tsLeave);
    expect(await membersIn()).toBe(0);
  });
});
