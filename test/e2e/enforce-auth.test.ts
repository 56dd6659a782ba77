import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, connect } from "../../clients/ts/src/index.js";
import { type ServerHandle, startServer } from "../support/launcher.js";

// The gRPC door under enforce.auth.enabled: the check is in the pipeline's admit, so both doors
// refuse alike (test/clients/zk/enforce-auth.test.ts compares the ZooKeeper door with ZooKeeper 3.8).

let server: ServerHandle;
const clients: Client[] = [];

beforeAll(async () => {
  server = await startServer({
    settings: { "enforce.auth.enabled": "true", "enforce.auth.schemes": "digest" },
  });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => {})));
  await server?.stop();
});

describe("gRPC door: enforce.auth.schemes=digest", () => {
  it("a session without a digest identity gets SessionClosedRequireSaslAuth (-124) naming the schemes", async () => {
    const anonymous = await connect(server.address);
    clients.push(anonymous);
    const error = await anonymous.exists("/").then(
      () => undefined,
      (e: unknown) => e as { code: number; message: string },
    );
    expect(error?.code).toBe(-124);
    expect(error?.message).toContain("enforce.auth.schemes is digest and this session holds ip");
  });

  it("after addAuth digest the session is served", async () => {
    const alice = await connect(server.address);
    clients.push(alice);
    await alice.addAuth("digest", "alice:pw");
    await alice.create("/enforced", "x");
    expect((await alice.getData("/enforced")).data.toString()).toBe("x");
  });
});
