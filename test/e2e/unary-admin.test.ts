import { credentials, Metadata, type ServiceError } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminServiceClient, type CommandResponse } from "../../server/gen/paddock/v1/admin.js";
import {
  type CreateResponse,
  DataServiceClient,
  type GetDataResponse,
  type WhoAmIResponse,
} from "../../server/gen/paddock/v1/data.js";
import { type ServerHandle, startServer } from "../support/launcher.js";
import { enc } from "../support/raw-session.js";

let server: ServerHandle;
let data: DataServiceClient;
let admin: AdminServiceClient;

type Callback<Res> = (e: ServiceError | null, r: Res) => void;

/** Calls a generated unary method; the response type is given at the call site. */
function call<Res>(fn: unknown, req: unknown, md = new Metadata()): Promise<Res> {
  const f = fn as (r: unknown, m: Metadata, cb: Callback<Res>) => unknown;
  return new Promise((resolve, reject) => {
    f(req, md, (error, response) => (error ? reject(error) : resolve(response)));
  });
}

beforeAll(async () => {
  server = await startServer();
  data = new DataServiceClient(server.address, credentials.createInsecure());
  admin = new AdminServiceClient(server.address, credentials.createInsecure());
});

afterAll(async () => {
  data?.close();
  admin?.close();
  await server?.stop();
});

describe("unary DataService (sessionless)", () => {
  it("creates and reads without a session", async () => {
    const created = await call<CreateResponse>(data.create.bind(data), {
      path: "/u",
      data: enc("x"),
      acl: [],
      mode: 0,
      ttl: 0n,
    });
    expect(created.path).toBe("/u");
    const got = await call<GetDataResponse>(data.getData.bind(data), {
      path: "/u",
      watch: false,
      consistency: 1,
    });
    expect(Buffer.from(got.data).toString()).toBe("x");
    expect(got.stat?.version).toBe(0);
  });

  it("answers errors as gRPC status with ZooKeeper's code and path in trailers and details", async () => {
    const error = await call(data.getData.bind(data), {
      path: "/missing",
      watch: false,
      consistency: 0,
    }).catch((e: ServiceError) => e);
    const e = error as ServiceError;
    expect(e.code).toBe(5);
    expect(e.details).toContain("/missing");
    expect(e.metadata.get("paddock-error-code")).toEqual(["NoNode"]);
    expect(e.metadata.get("paddock-error-path")).toEqual(["/missing"]);
    const details = e.metadata.get("grpc-status-details-bin")[0] as Buffer;
    expect(details.toString("latin1")).toContain("type.googleapis.com/paddock.v1.Error");
  });

  it("refuses ephemerals and watches without a session", async () => {
    const e = (await call(data.create.bind(data), {
      path: "/e",
      data: enc(""),
      acl: [],
      mode: 1,
      ttl: 0n,
    }).catch((x: ServiceError) => x)) as ServiceError;
    expect(e.code).toBe(3);
    expect(e.details).toMatch(/session/);
    const w = (await call(data.exists.bind(data), { path: "/u", watch: true, consistency: 0 }).catch(
      (x: ServiceError) => x,
    )) as ServiceError;
    expect(w.details).toMatch(/session/);
  });

  it("uses digest credentials from paddock-auth metadata for ACL checks", async () => {
    const md = new Metadata();
    md.set("paddock-auth", "digest alice:secret");
    await call(
      data.create.bind(data),
      {
        path: "/private",
        data: enc("s"),
        acl: [{ perms: 31, id: { scheme: "auth", id: "" } }],
        mode: 0,
        ttl: 0n,
      },
      md,
    );
    const denied = (await call(data.getData.bind(data), {
      path: "/private",
      watch: false,
      consistency: 0,
    }).catch((x: ServiceError) => x)) as ServiceError;
    expect(denied.code).toBe(7);
    const md2 = new Metadata();
    md2.set("paddock-auth", "digest alice:secret");
    const ok = await call<GetDataResponse>(
      data.getData.bind(data),
      { path: "/private", watch: false, consistency: 0 },
      md2,
    );
    expect(Buffer.from(ok.data).toString()).toBe("s");
    const who = await call<WhoAmIResponse>(data.whoAmI.bind(data), {}, md2);
    expect(who.clientInfo.map((c) => c.authScheme).sort()).toEqual(["digest", "ip"]);
  });
});

describe("admin, health and reflection", () => {
  it("answers four-letter words", async () => {
    const ruok = await call<CommandResponse>(admin.command.bind(admin), { command: "ruok" });
    expect(ruok.output).toBe("imok");
    const mntr = await call<CommandResponse>(admin.command.bind(admin), { command: "mntr" });
    expect(mntr.output).toMatch(/^zk_version\tpaddock-/);
    expect(mntr.output).toMatch(/zk_znode_count\t\d+/);
    const bad = (await call(admin.command.bind(admin), { command: "nope" }).catch(
      (x: ServiceError) => x,
    )) as ServiceError;
    expect(bad.details).toContain("nope is not a known command");
  });

  it("serves grpc.health.v1 and reflection", async () => {
    const { loadSync } = await import("@grpc/proto-loader");
    const { loadPackageDefinition } = await import("@grpc/grpc-js");
    const { protoPath } = await import("grpc-health-check");
    const pkg = loadPackageDefinition(loadSync(protoPath, { enums: String })) as unknown as {
      grpc: {
        health: {
          v1: {
            Health: new (
              a: string,
              c: unknown,
            ) => {
              check(r: unknown, cb: (e: Error | null, r: { status: string }) => void): void;
              close(): void;
            };
          };
        };
      };
    };
    const health = new pkg.grpc.health.v1.Health(server.address, credentials.createInsecure());
    const status = await new Promise<{ status: string }>((resolve, reject) =>
      health.check({ service: "paddock.v1.SessionService" }, (e: Error | null, r: { status: string }) =>
        e ? reject(e) : resolve(r),
      ),
    );
    expect(status.status).toBe("SERVING");
    health.close();
  });
});
