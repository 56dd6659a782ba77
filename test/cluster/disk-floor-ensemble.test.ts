import { mkdtempSync, rmSync, statfsSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, connect, NotReadOnlyError } from "../../clients/ts/src/index.js";
import { type Ensemble, startEnsemble } from "../support/ensemble.js";
import { waitUntil } from "../support/wait.js";

/**
 * The disk floor in an ensemble, each member's dataLogDir on its own 48 MiB tmpfs (a mount
 * namespace per member, `unshare -rm`, no root needed), filled and freed through
 * /proc/<pid>/root. A leader below its floor refuses every write, forwarded ones included; a
 * follower below its floor refuses its own clients' writes and still logs and applies the rest.
 */
const FLOOR = 16 * 1024 * 1024;
const mounts = new Map<number, string>();
let ensemble: Ensemble;
const clients: Client[] = [];

beforeAll(async () => {
  for (const id of [1, 2, 3]) mounts.set(id, mkdtempSync(join(tmpdir(), `paddock-tmpfs-${id}-`)));
  ensemble = await startEnsemble({
    voters: 3,
    settings: { "paddock.diskFreeBytesMin": FLOOR, "paddock.diskCheckIntervalMs": 50, preAllocSize: 512 },
    memberSettings: (id) => ({ dataLogDir: mounts.get(id)! }),
    wrapper: (id) => [
      "unshare",
      "-rm",
      "sh",
      "-c",
      'mount -t tmpfs -o size=48m tmpfs "$0" && exec "$@"',
      mounts.get(id)!,
    ],
  });
  await ensemble.waitForLeader({ timeoutMs: 30_000 });
});

afterAll(async () => {
  for (const c of clients) await c.close();
  await ensemble?.stopAll();
  for (const dir of mounts.values()) rmSync(dir, { recursive: true, force: true });
});

const member = (id: number) => ensemble.members.find((m) => m.id === id)!;
const filler = (id: number) => `/proc/${member(id).pid}/root${mounts.get(id)}/filler`;

async function fill(id: number): Promise<void> {
  const fs = statfsSync(`/proc/${member(id).pid}/root${mounts.get(id)}`);
  writeFileSync(filler(id), Buffer.alloc(fs.bavail * fs.bsize - FLOOR / 2));
  await waitUntil(`member ${id} read-only`, async () => (await ensemble.admin(id, "isro")) === "ro");
}

async function free(id: number): Promise<void> {
  unlinkSync(filler(id));
  await waitUntil(`member ${id} writable`, async () => (await ensemble.admin(id, "isro")) === "rw");
}

async function clientOf(id: number): Promise<Client> {
  const c = await connect(member(id).address, { sessionTimeoutMs: 30_000 });
  clients.push(c);
  return c;
}

describe("the disk floor in an ensemble", () => {
  it("a leader below its floor refuses every write, a follower's forwarded ones too; reads go on", async () => {
    const leader = await ensemble.waitForLeader({ timeoutMs: 30_000 });
    const follower = [1, 2, 3].find((id) => id !== leader)!;
    const viaLeader = await clientOf(leader);
    const viaFollower = await clientOf(follower);
    await viaFollower.create("/before", "v");
    await fill(leader);
    const refused = await viaFollower.create("/forwarded", "x").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(NotReadOnlyError);
    expect((refused as Error).message).toContain(`dataLogDir ${mounts.get(leader)} has `);
    await expect(viaLeader.create("/local", "x")).rejects.toBeInstanceOf(NotReadOnlyError);
    await viaFollower.sync("/");
    expect(Buffer.from((await viaFollower.getData("/before")).data).toString()).toBe("v");
    await free(leader);
    await viaFollower.create("/after-leader", "x");
  });

  it("a follower below its floor refuses its own clients' writes and keeps applying the others'", async () => {
    const leader = await ensemble.waitForLeader({ timeoutMs: 30_000 });
    const [low, other] = [1, 2, 3].filter((id) => id !== leader) as [number, number];
    const viaLow = await clientOf(low);
    const viaOther = await clientOf(other);
    await fill(low);
    const refused = await viaLow.create("/through-low", "x").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(NotReadOnlyError);
    expect((refused as Error).message).toContain(`dataLogDir ${mounts.get(low)} has `);
    await viaOther.create("/through-other", "y");
    await viaLow.sync("/through-other");
    expect(Buffer.from((await viaLow.getData("/through-other")).data).toString()).toBe("y");
    expect(await ensemble.mode(low)).toBe("follower");
    await free(low);
    await viaLow.create("/through-low", "x");
  });
});
