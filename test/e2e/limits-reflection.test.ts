import { resolve } from "node:path";
import { credentials, loadPackageDefinition } from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerHandle, startServer } from "../support/launcher.js";
import { RawSession } from "../support/raw-session.js";

const THROTTLED = -127;
const QUOTA_EXCEEDED = -125;

let server: ServerHandle;

beforeAll(async () => {
  server = await startServer({
    settings: { maxClientCnxns: 2, "paddock.outstandingPerSessionMax": 4, "paddock.watchesPerSessionMax": 2 },
  });
});

afterAll(async () => {
  await server?.stop();
});

describe("limits answer errors the client can read", () => {
  it("maxClientCnxns: a third stream from one address is refused, naming the limit", async () => {
    const a = await RawSession.connect(server.address);
    const b = await RawSession.connect(server.address);
    const c = RawSession.open(server.address);
    c.sendConnect({});
    const error = await c.endedPromise();
    expect(error?.message).toContain("maxClientCnxns is 2");
    await a.close();
    await b.close();
  });

  it("outstandingPerSessionMax: requests past it answer Throttled, the rest succeed, in order", async () => {
    const s = await RawSession.connect(server.address);
    // Eight writes in one envelope: the queue holds four until they apply, the rest answer Throttled.
    const ops = Array.from({ length: 8 }, (_, i) => ({
      $case: "create" as const,
      value: { path: `/lim-${i}`, data: Buffer.alloc(0), acl: [], mode: 0, ttl: 0n },
    }));
    const xids = s.send(...ops);
    const replies = await Promise.all(xids.map((x) => s.reply(x)));
    const throttled = replies.filter((r) => r.error?.code === THROTTLED);
    expect(throttled.length).toBeGreaterThan(0);
    expect(throttled[0]?.error?.message).toContain("outstandingPerSessionMax 4");
    expect(replies.filter((r) => r.error === undefined).length).toBe(8 - throttled.length);
    const order = s.received.flatMap((m) => (m.kind?.$case === "reply" ? [m.kind.value.xid] : []));
    expect(order).toEqual(xids);
    await s.close();
  });

  it("watchesPerSessionMax: the third watch answers QuotaExceeded naming the limit", async () => {
    const s = await RawSession.connect(server.address);
    const watch = (path: string) =>
      s.call1({ $case: "exists", value: { path, watch: true, consistency: 0 } });
    expect((await watch("/w1")).error).toBeUndefined();
    expect((await watch("/w2")).error).toBeUndefined();
    const third = await watch("/w3");
    expect(third.error?.code).toBe(QUOTA_EXCEEDED);
    expect(third.error?.message).toContain("2");
    await s.close();
  });
});

describe("server reflection", () => {
  it("lists the Paddock services", async () => {
    const protoFile = resolve(
      import.meta.dirname,
      "../../node_modules/@grpc/reflection/build/proto/grpc/reflection/v1alpha/reflection.proto",
    );
    const pkg = loadPackageDefinition(loadSync(protoFile)) as unknown as {
      grpc: {
        reflection: {
          v1alpha: {
            ServerReflection: new (
              a: string,
              c: unknown,
            ) => {
              serverReflectionInfo(): NodeJS.ReadWriteStream & { end(): void };
              close(): void;
            };
          };
        };
      };
    };
    const client = new pkg.grpc.reflection.v1alpha.ServerReflection(
      server.address,
      credentials.createInsecure(),
    );
    const call = client.serverReflectionInfo();
    const names = await new Promise<string[]>((resolvePromise, reject) => {
      call.on("data", (r: { listServicesResponse?: { service: { name: string }[] } }) => {
        resolvePromise((r.listServicesResponse?.service ?? []).map((s) => s.name));
        call.end();
      });
      call.on("error", reject);
      call.write({ listServices: "*" } as never);
    });
    client.close();
    expect(names).toEqual(
      expect.arrayContaining([
        "paddock.v1.DataService",
        "paddock.v1.SessionService",
        "paddock.v1.AdminService",
      ]),
    );
  });
});
