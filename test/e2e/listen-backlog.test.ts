/**
 * clientPortListenBacklog (ZooKeeper's key): the client port's listen backlog, as the kernel
 * reports it for the listening socket (`ss -ltn`: Send-Q is the backlog). Unset, Paddock asks
 * for 4,096 (the kernel caps it at net.core.somaxconn): Node's 511 made a storm of 10,000
 * reconnects wait for SYN retransmits (BENCHMARKS.md, resume-storm).
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { type ServerHandle, startServer } from "../support/launcher.js";

const servers: ServerHandle[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

function backlogOf(port: number): number {
  const out = execFileSync("ss", ["-ltnH", `sport = :${port}`], { encoding: "utf8" }).trim();
  const fields = out.split(/\s+/);
  if (fields[0] !== "LISTEN") throw new Error(`no listener on port ${port}: ${out}`);
  return Number(fields[2]);
}

const portOf = (address: string) => Number(address.slice(address.lastIndexOf(":") + 1));

describe("clientPortListenBacklog", () => {
  it("unset: 4,096, or the kernel's somaxconn when that is lower", async () => {
    const server = await startServer();
    servers.push(server);
    const somaxconn = Number(readFileSync("/proc/sys/net/core/somaxconn", "utf8").trim());
    expect(backlogOf(portOf(server.address))).toBe(Math.min(4096, somaxconn));
  });

  it("set: the listening socket's backlog is the configured one", async () => {
    const server = await startServer({ settings: { clientPortListenBacklog: 77 } });
    servers.push(server);
    expect(backlogOf(portOf(server.address))).toBe(77);
  });
});
