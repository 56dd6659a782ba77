import { mkdtempSync, rmSync, statfsSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, Code, connect, NotReadOnlyError } from "../../clients/ts/src/index.js";
import { connectFrame, framesOf, openRaw, pathRequest } from "../support/jute-raw.js";
import { type ServerHandle, startServer } from "../support/launcher.js";
import { waitUntil } from "../support/wait.js";

// The disk floor on a real, small filesystem: the server runs in its own user and mount namespace
// (`unshare -rm`, which needs no root) with dataDir on a 48 MiB tmpfs mounted there. The test
// fills that filesystem through /proc/<pid>/root (the server's view of the mounts), sees writes
// refused with NotReadOnly while reads, sync and sessions go on, frees it, and sees writes return.

const FLOOR = 16 * 1024 * 1024;
const mount = mkdtempSync(join(tmpdir(), "paddock-tmpfs-"));
let server: ServerHandle;
let client: Client;
let filler: string;

async function admin(name: string): Promise<Record<string, unknown>> {
  const response = await fetch(`http://127.0.0.1:${server.adminPort}/commands/${name}`);
  return (await response.json()) as Record<string, unknown>;
}

async function metrics(): Promise<string> {
  return (await fetch(`http://127.0.0.1:${server.metricsPort}/metrics`)).text();
}

beforeAll(async () => {
  server = await startServer({
    dataDir: join(mount, "data"),
    wrapper: ["unshare", "-rm", "sh", "-c", 'mount -t tmpfs -o size=48m tmpfs "$0" && exec "$@"', mount],
    settings: {
      "paddock.diskFreeBytesMin": FLOOR,
      "paddock.diskCheckIntervalMs": 50,
      // 512 KiB segments' preallocation: the tmpfs holds the log with room to spare.
      preAllocSize: 512,
    },
  });
  filler = `/proc/${server.pid}/root${mount}/filler`;
  client = await connect(server.address);
});

afterAll(async () => {
  await client?.close();
  await server?.stop();
  // The tmpfs went with the server's mount namespace: an empty directory is left here.
  rmSync(mount, { recursive: true, force: true });
});

describe("the free-space floor of dataDir and dataLogDir", () => {
  it("is on a filesystem of its own: the server's dataDir is the tmpfs", () => {
    const fs = statfsSync(`/proc/${server.pid}/root${mount}`);
    expect(fs.blocks * fs.bsize).toBe(48 * 1024 * 1024);
  });

  it("below the floor: writes refused with NotReadOnly naming the directory, reads and sessions served", async () => {
    await client.create("/before", "kept");
    const disk = await admin("disk");
    expect(disk).toMatchObject({
      disk_low: false,
      dirs: [{ name: "dataDir", low: false }, { name: "dataLogDir" }],
    });

    const fs = statfsSync(`/proc/${server.pid}/root${mount}`);
    writeFileSync(filler, Buffer.alloc(fs.bavail * fs.bsize - FLOOR / 2));
    // Both directories low, not only the first one read while the filler was still growing: the
    // refusal names the first low directory of its check (dataDir), and a check that ran mid-write
    // saw dataDir above the floor and dataLogDir, read a moment later, below it.
    await waitUntil("the member to see both directories low", async () => {
      const d = await admin("disk");
      return d.disk_low === true && (d.dirs as { low: boolean }[]).every((dir) => dir.low);
    });

    const refused = await client.create("/during", "x").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(NotReadOnlyError);
    expect(refused).toMatchObject({ code: Code.NotReadOnly, path: "/during" });
    expect((refused as Error).message).toMatch(
      new RegExp(
        `dataDir ${join(mount, "data")} has \\d+ bytes free, below the floor of ${FLOOR} bytes \\(paddock.diskFreeBytesMin`,
      ),
    );
    await expect(client.setData("/before", "y")).rejects.toBeInstanceOf(NotReadOnlyError);
    // Reads, sync and a new session (its create and close are transactions, still accepted).
    expect(Buffer.from((await client.getData("/before")).data).toString()).toBe("kept");
    await client.sync("/before");
    const second = await connect(server.address);
    expect((await second.exists("/before")) !== null).toBe(true);
    await second.close();

    // Health, metrics, log.
    expect(await admin("is_read_only")).toMatchObject({ read_only: true });
    expect(await admin("ruok")).toMatchObject({ error: null });
    const text = await metrics();
    expect(text).toMatch(/^paddock_disk_low 1$/m);
    expect(text).toMatch(new RegExp(`^paddock_disk_floor_bytes\\{dir="dataDir"\\} ${FLOOR}$`, "m"));
    const free = Number(/^paddock_disk_free_bytes\{dir="dataLogDir"\} (\d+)$/m.exec(text)?.[1]);
    expect(free).toBeLessThan(FLOOR);
    expect(server.log()).toMatch(/WARN disk low: dataDir .* bytes free, below the floor/);
  });

  it("over the ZooKeeper protocol the refusal is error -119 (NotReadOnly) and the connection stays", async () => {
    const raw = await openRaw(server.juteAddress);
    raw.socket.write(connectFrame({}));
    const connected = await raw.bytes(4);
    const skip = 4 + connected.readInt32BE(0);
    // create /jute "" with world:anyone ALL, persistent (opcode 1); then getData /before (opcode 4).
    const acl = Buffer.concat([int(1), int(31), str("world"), str("anyone")]);
    raw.socket.write(pathRequest(1, 1, "/jute", Buffer.concat([int(0), acl, int(0)])));
    raw.socket.write(pathRequest(2, 4, "/before", Buffer.from([0])));
    await waitUntil("both replies", () => framesOf(raw.received(), skip).length >= 2);
    const [create, getData] = framesOf(raw.received(), skip);
    expect(create!.readInt32BE(0)).toBe(1);
    expect(create!.readInt32BE(12)).toBe(-119);
    expect(getData!.readInt32BE(0)).toBe(2);
    expect(getData!.readInt32BE(12)).toBe(0);
    expect(raw.isClosed()).toBe(false);
    raw.socket.destroy();
  });

  it("space back: writes accepted again by themselves", async () => {
    unlinkSync(filler);
    await waitUntil("the member to see space again", async () => (await admin("disk")).disk_low === false);
    await client.create("/after", "y");
    expect(await admin("is_read_only")).toMatchObject({ read_only: false });
    expect(await metrics()).toMatch(/^paddock_disk_low 0$/m);
    expect(server.log()).toMatch(/INFO disk space returned: dataDir .*: writes are accepted again/);
  });
});

function int(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

function str(s: string): Buffer {
  return Buffer.concat([int(Buffer.byteLength(s)), Buffer.from(s)]);
}
