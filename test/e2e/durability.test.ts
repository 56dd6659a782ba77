import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Prng } from "../../server/util/prng.js";
import { type ServerHandle, startServer } from "../support/launcher.js";
import { enc, RawSession } from "../support/raw-session.js";
import { runProcess } from "../support/run-process.js";

// Rounds of SIGKILL at a random moment; PADDOCK_CRASH_ROUNDS raises it for a soak.
const rounds = Number(process.env.PADDOCK_CRASH_ROUNDS ?? 4);
const seed = Number(process.env.PADDOCK_CRASH_SEED ?? Date.now() % 1_000_000);

const handles: ServerHandle[] = [];
afterAll(async () => {
  for (const h of handles) await h.kill();
});

describe("durability with real processes", () => {
  it("keeps data and sessions across SIGKILL and restart; a resumed session keeps its ephemeral", async () => {
    let server = await startServer();
    handles.push(server);
    const s = await RawSession.connect(server.address, { timeoutMs: 20_000 });
    const hello = s.received.find((m) => m.kind?.$case === "connected");
    if (hello?.kind?.$case !== "connected") throw new Error("not connected");
    await s.call1({ $case: "create", value: { path: "/keep", data: enc("v1"), acl: [], mode: 0, ttl: 0n } });
    const set = await s.call1({ $case: "setData", value: { path: "/keep", data: enc("v2"), version: 0 } });
    expect(set.error).toBeUndefined();
    const eph = await s.call1({
      $case: "create",
      value: { path: "/eph", data: enc(""), acl: [], mode: 1, ttl: 0n },
    });
    expect(eph.error).toBeUndefined();
    s.drop();
    await server.kill();
    server = await server.restart();
    handles.push(server);
    const resumed = RawSession.open(server.address);
    resumed.sendConnect({
      sessionId: hello.kind.value.sessionId,
      password: hello.kind.value.password,
      lastZxidSeen: set.zxid,
    });
    const again = await resumed.connected();
    expect(again.sessionId).toBe(hello.kind.value.sessionId);
    const got = await resumed.call1({
      $case: "getData",
      value: { path: "/keep", watch: false, consistency: 0 },
    });
    if (got.result?.$case !== "getData") throw new Error(`getData failed: ${got.error?.message}`);
    expect(Buffer.from(got.result.value.data).toString()).toBe("v2");
    expect(got.result.value.stat?.version).toBe(1);
    const e = await resumed.call1({ $case: "exists", value: { path: "/eph", watch: false, consistency: 0 } });
    expect(e.result?.$case === "exists" && e.result.value.stat !== undefined).toBe(true);
    await resumed.close();
    await server.stop();
    // The operator's tools read the stopped server's files.
    const files = readdirSync(server.dataDir);
    const segments = files.filter((f) => f.startsWith("log."));
    const snapshot = files.find((f) => f.startsWith("snapshot.") && !f.endsWith(".tmp"));
    if (segments.length === 0 || snapshot === undefined)
      throw new Error(`no log or snapshot in ${files.join(",")}`);
    let dumped = "";
    for (const segment of segments) {
      const dump = await runProcess(process.execPath, [
        "bin/paddock.js",
        "log",
        "dump",
        join(server.dataDir, segment),
      ]);
      expect(dump.code).toBe(0);
      dumped += dump.stdout;
    }
    expect(dumped).toMatch(/type=setData path=\/keep/);
    const inspect = await runProcess(process.execPath, [
      "bin/paddock.js",
      "snapshot",
      "inspect",
      join(server.dataDir, snapshot),
    ]);
    expect(inspect.code).toBe(0);
    expect(inspect.stdout).toMatch(/digest/i);
  });

  it(`loses no acknowledged write when SIGKILLed at random moments (seed ${seed}, ${rounds} rounds)`, async () => {
    const prng = new Prng(seed);
    let server = await startServer();
    handles.push(server);
    const acked: string[] = [];
    for (let round = 0; round < rounds; round++) {
      const s = await RawSession.connect(server.address);
      const killAfter = 20 + prng.below(200);
      let i = 0;
      // Keep 16 writes in flight; kill once killAfter of them were acknowledged.
      await new Promise<void>((resolve) => {
        let inFlight = 0;
        let killing = false;
        const pump = (): void => {
          while (!killing && inFlight < 16) {
            const path = `/crash-${round}-${i++}`;
            inFlight++;
            const [xid] = s.send({
              $case: "create",
              value: { path, data: enc(path), acl: [], mode: 0, ttl: 0n },
            });
            s.reply(xid!).then(
              (reply) => {
                inFlight--;
                if (reply.error === undefined) acked.push(path);
                if (acked.length >= killAfter * (round + 1) && !killing) {
                  killing = true;
                  void server.kill().then(resolve);
                } else pump();
              },
              () => {
                inFlight--;
              },
            );
          }
        };
        pump();
      });
      s.drop();
      server = await server.restart();
      handles.push(server);
      const check = await RawSession.connect(server.address);
      for (const path of acked) {
        const r = await check.call1({ $case: "getData", value: { path, watch: false, consistency: 0 } });
        if (r.result?.$case !== "getData") {
          throw new Error(`seed ${seed} round ${round}: acknowledged ${path} lost (${r.error?.message})`);
        }
        expect(Buffer.from(r.result.value.data).toString()).toBe(path);
      }
      await check.close();
    }
    await server.stop();
  });
});
