import { credentials, Metadata, type ServiceError } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BadVersionError,
  type Client,
  connect,
  NoAuthError,
  type WatchEvent,
} from "../../clients/ts/src/index.js";
import {
  DataServiceClient,
  type GetDataResponse,
  type ReconfigRequest,
} from "../../server/gen/paddock/v1/data.js";
import { digestId } from "../../server/tree/data-tree.js";
import { type ServerHandle, startServer } from "../support/launcher.js";
import { RawSession } from "../support/raw-session.js";
import { paddockCli } from "../support/run-process.js";
import { freePort } from "../support/zookeeper.js";

// reconfig through the gRPC door: the TS client's reconfig() on the session stream and the unary
// DataService/Reconfig, against a one-member ensemble (standaloneEnabled=false) that adds and
// removes an observer (a member that need not run: observers do not vote).

let server: ServerHandle;
let ownLine: string;
let observer: string;

beforeAll(async () => {
  const [q, e, c] = [await freePort(), await freePort(), await freePort()];
  ownLine = `server.1=127.0.0.1:${q}:${e}:participant;127.0.0.1:${c}`;
  observer = `server.2=127.0.0.1:${await freePort()}:${await freePort()}:observer;127.0.0.1:${await freePort()}`;
  server = await startServer({
    settings: {
      "paddock.serverId": 1,
      "server.1": ownLine.slice("server.1=".length),
      standaloneEnabled: false,
      reconfigEnabled: true,
      superDigest: digestId("super", "secret"),
    },
  });
});

afterAll(async () => {
  await server?.stop();
});

function unary(request: ReconfigRequest, auth?: string): Promise<GetDataResponse> {
  const client = new DataServiceClient(server.address, credentials.createInsecure());
  const md = new Metadata();
  if (auth !== undefined) md.set("paddock-auth", `digest ${auth}`);
  return new Promise<GetDataResponse>((resolve, reject) =>
    client.reconfig(request, md, (error, reply) => (error ? reject(error) : resolve(reply))),
  ).finally(() => client.close());
}

describe("reconfig over gRPC", () => {
  it("the TS client adds an observer; a watch on /zookeeper/config fires; refusals throw typed errors", async () => {
    const admin: Client = await connect(server.address, {
      auth: [{ scheme: "digest", auth: "super:secret" }],
    });
    const anonymous = await connect(server.address);
    try {
      const events: WatchEvent[] = [];
      const before = await anonymous.getData("/zookeeper/config", { watch: (e) => events.push(e) });
      expect(Buffer.from(before.data).toString()).toBe(`${ownLine}\nversion=0`);
      await expect(anonymous.reconfig({ joining: [observer] })).rejects.toBeInstanceOf(NoAuthError);
      await expect(admin.reconfig({ joining: observer, fromConfig: 5 })).rejects.toBeInstanceOf(
        BadVersionError,
      );
      const done = await admin.reconfig({ joining: [observer], fromConfig: 0 });
      const text = Buffer.from(done.data).toString();
      expect(text).toBe(`${ownLine}\n${observer}\nversion=${done.stat.mzxid.toString(16)}`);
      expect(done.stat.version).toBe(-1);
      const after = await anonymous.getData("/zookeeper/config");
      expect(Buffer.from(after.data).toString()).toBe(text);
      expect(events.map((e) => [e.type, e.path])).toEqual([["NodeDataChanged", "/zookeeper/config"]]);
    } finally {
      await Promise.all([admin.close(), anonymous.close()]);
    }
  });

  it("DataService/Reconfig: BadArguments names the id, the super user's metadata removes the observer", async () => {
    const refused = (await unary(
      { joiningServers: "", leavingServers: "9", newMembers: "" },
      "super:secret",
    ).catch((e: ServiceError) => e)) as ServiceError;
    expect(refused.code).toBe(3);
    expect(refused.metadata.get("paddock-error-code")).toEqual(["BadArguments"]);
    expect(refused.details).toContain("leaving server 9 is not in the active configuration");
    const denied = (await unary({ joiningServers: "", leavingServers: "2", newMembers: "" }).catch(
      (e: ServiceError) => e,
    )) as ServiceError;
    expect(denied.code).toBe(7);
    const done = await unary({ joiningServers: "", leavingServers: "2", newMembers: "" }, "super:secret");
    expect(Buffer.from(done.data).toString()).toMatch(new RegExp(`^${ownLine}\\nversion=[0-9a-f]+$`));
  });

  it("a second reconfig in the same envelope answers ReconfigInProgress: the first is proposed, not committed", async () => {
    const session = await RawSession.connect(server.address, {
      auth: [{ scheme: "digest", auth: Buffer.from("super:secret") }],
    });
    try {
      const add = { joiningServers: observer, leavingServers: "", newMembers: "" };
      const remove = { joiningServers: "", leavingServers: "2", newMembers: "" };
      const [first, second] = session.send(
        { $case: "reconfig", value: add },
        { $case: "reconfig", value: remove },
      );
      const [a, b] = await Promise.all([session.reply(first!), session.reply(second!)]);
      expect(a.error).toBeUndefined();
      expect(b.error?.code).toBe(-14);
      expect(b.error?.message).toMatch(
        /^another reconfiguration \(version 0x[0-9a-f]+\) is proposed and not yet committed$/,
      );
    } finally {
      await session.close();
    }
  });

  it("paddock cli: reconfig with zkCli's syntax and output, then config", async () => {
    const script = "addauth digest super:secret\nreconfig -remove 2\nconfig\n";
    const run = await paddockCli(server.address, [], script);
    const committed = /Committed new configuration:\n(server\.1=[^\n]+\nversion=([0-9a-f]+))\n/.exec(
      run.stdout,
    );
    expect(committed?.[1], run.stdout + run.stderr).toBe(`${ownLine}\nversion=${committed?.[2]}`);
    // config prints the same text after it.
    expect(run.stdout.split(committed?.[1] ?? "?").length).toBe(3);
    expect(run.stderr).toBe("");
  });
});
