import zookeeper from "node-zookeeper-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Ensemble, startEnsemble } from "../support/ensemble.js";
import { connectFrame, framesOf, openRaw, parseConnectResponse, pathRequest } from "../support/jute-raw.js";
import { RawSession } from "../support/raw-session.js";
import { waitUntil } from "../support/wait.js";

// One session, two doors, three members: a session opened over ZooKeeper's protocol on one member
// resumes over gRPC on another, and the other way round; its ephemerals stay with it and go when
// it is closed through the new door. (As in ZooKeeper, the old connection on the other member is
// not closed by the move; its next write closes it, SessionMoved: test/cluster/session-moved.test.ts.)

let ensemble: Ensemble;

beforeAll(async () => {
  ensemble = await startEnsemble({ voters: 3 });
  await ensemble.waitForLeader({ timeoutMs: 20_000 });
});

afterAll(async () => {
  await ensemble?.stopAll();
});

const EXISTS = 3;

/** exists(path) over a raw jute connection already past its handshake: the reply's err. */
async function existsErr(conn: Awaited<ReturnType<typeof openRaw>>, skip: number, xid: number, path: string) {
  conn.socket.write(pathRequest(xid, EXISTS, path, Buffer.from([0])));
  for (;;) {
    const reply = framesOf(conn.received(), skip).find((f) => f.readInt32BE(0) === xid);
    if (reply !== undefined) return reply.readInt32BE(12);
    const got = conn.received().length;
    await conn.bytes(got + 1);
    if (conn.isClosed()) throw new Error(`connection closed before the reply to xid ${xid}`);
  }
}

describe("a session moves between members and between doors", () => {
  it("opened by node-zookeeper-client on one member, resumed over gRPC on another", async () => {
    const [a, b] = ensemble.members;
    const client = zookeeper.createClient(a!.address, { sessionTimeout: 10_000, retries: 0 });
    await new Promise<void>((resolve) => {
      client.once("connected", () => resolve());
      client.connect();
    });
    await new Promise<void>((resolve, reject) =>
      client.create("/moved-j", Buffer.from("x"), zookeeper.CreateMode.EPHEMERAL, (e) =>
        e ? reject(e) : resolve(),
      ),
    );
    const sessionId = client.getSessionId().readBigInt64BE(0);
    const czxid = await new Promise<bigint>((resolve, reject) =>
      client.exists("/moved-j", (e, stat) =>
        e || !stat ? reject(e ?? new Error("no stat")) : resolve(stat.czxid.readBigInt64BE(0)),
      ),
    );
    // As a ZooKeeper client does, the resume carries the last zxid it saw: a member that has not
    // applied it yet refuses as behind the client (the client tries again) rather than not
    // knowing the session.
    const password = client.getSessionPassword();
    let grpc: RawSession | undefined;
    await waitUntil("member b to take the resumed session", async () => {
      try {
        grpc = await RawSession.connect(b!.address, { sessionId, password, lastZxidSeen: czxid });
        return true;
      } catch (e) {
        if (/behind the client/.test(String(e))) return false;
        throw e;
      }
    });
    const seen = await grpc!.call1({
      $case: "exists",
      value: { path: "/moved-j", watch: false, consistency: 1 },
    });
    expect(seen.result).toMatchObject({ $case: "exists", value: { stat: { ephemeralOwner: sessionId } } });
    // Closed through the new door; node-zookeeper-client's own close (a closeSession of the same
    // session on member a) comes only after, or it would race this one.
    await grpc!.close();
    const after = await RawSession.connect(a!.address);
    const gone = await after.call1({
      $case: "exists",
      value: { path: "/moved-j", watch: false, consistency: 1 },
    });
    expect(gone.result).toEqual({ $case: "exists", value: { stat: undefined } });
    await after.close();
    client.close();
  });

  it("opened over gRPC on one member, resumed by a raw ZooKeeper-protocol connection on another", async () => {
    const [, b, c] = ensemble.members;
    const grpc = await RawSession.connect(b!.address);
    const connected = grpc.received.find((m) => m.kind?.$case === "connected");
    if (connected?.kind?.$case !== "connected") throw new Error("no ConnectResponse");
    const { sessionId, password, zxid } = connected.kind.value;
    const made = await grpc.call1({
      $case: "create",
      value: { path: "/moved-g", data: Buffer.from(""), acl: [], mode: 1, ttl: 0n },
    });
    expect(made.error).toBeUndefined();
    const jute = await openRaw(c!.address);
    jute.socket.write(connectFrame({ sessionId, passwd: Buffer.from(password), lastZxid: zxid }));
    const head = await jute.bytes(4);
    const response = parseConnectResponse(await jute.bytes(4 + head.readInt32BE(0)));
    expect(response.sessionId).toBe(sessionId);
    expect(Buffer.from(response.passwd).equals(Buffer.from(password))).toBe(true);
    const skip = 4 + head.readInt32BE(0);
    expect(await existsErr(jute, skip, 1, "/moved-g")).toBe(0);
    // closeSession (-11) over jute: the ephemeral goes with the session.
    const close = Buffer.alloc(12);
    close.writeInt32BE(8, 0);
    close.writeInt32BE(2, 4);
    close.writeInt32BE(-11, 8);
    jute.socket.write(close);
    await jute.closed;
    const check = await RawSession.connect(b!.address);
    const gone = await check.call1({
      $case: "exists",
      value: { path: "/moved-g", watch: false, consistency: 1 },
    });
    expect(gone.result).toEqual({ $case: "exists", value: { stat: undefined } });
    await check.close();
    grpc.drop();
  });
});
