import { afterAll, describe, expect, it } from "vitest";
import { type ServerHandle, startServer } from "../support/launcher.js";
import { enc, RawSession } from "../support/raw-session.js";

// 200k znodes written as 200 multis of 1,000 creates; snapCount=100 makes the server snapshot
// part-way, so recovery exercises a large snapshot plus log replay after it.
const multis = 200;
const perMulti = 1000;
let server: ServerHandle | undefined;

afterAll(async () => {
  await server?.kill();
});

describe("recovery of a large tree", () => {
  it(`restores ${multis * perMulti} znodes from snapshot + log after SIGKILL`, async () => {
    server = await startServer({ settings: { snapCount: 100 } });
    const s = await RawSession.connect(server.address);
    await s.call1({ $case: "create", value: { path: "/big", data: enc(""), acl: [], mode: 0, ttl: 0n } });
    const value = Buffer.alloc(100, 7);
    for (let m = 0; m < multis; m += 10) {
      const xids = s.send(
        ...Array.from({ length: 10 }, (_, k) => ({
          $case: "multi" as const,
          value: {
            ops: Array.from({ length: perMulti }, (_, i) => ({
              op: {
                $case: "create" as const,
                value: { path: `/big/n${(m + k) * perMulti + i}`, data: value, acl: [], mode: 0, ttl: 0n },
              },
            })),
          },
        })),
      );
      for (const xid of xids) expect((await s.reply(xid)).error).toBeUndefined();
    }
    s.drop();
    // A snapshot of thousands of znodes was taken part-way (the rest must come from the log).
    expect(server.log()).toMatch(/snapshot \S+: \d{4,} znodes/);
    await server.kill();
    server = await server.restart();
    expect(server.log()).toMatch(/recovered \d+ znodes/);
    const check = await RawSession.connect(server.address);
    const count = await check.call1({ $case: "getAllChildrenNumber", value: { path: "/big" } });
    expect(count.result?.$case === "getAllChildrenNumber" && count.result.value.number).toBe(
      multis * perMulti,
    );
    const last = await check.call1({
      $case: "getData",
      value: { path: `/big/n${multis * perMulti - 1}`, watch: false, consistency: 0 },
    });
    if (last.result?.$case !== "getData") throw new Error(`last znode missing: ${last.error?.message}`);
    expect(Buffer.from(last.result.value.data).equals(value)).toBe(true);
    await check.close();
  }, 180_000);
});
