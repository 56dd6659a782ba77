import { type Socket, connect as tcpConnect } from "node:net";
import zookeeper from "node-zookeeper-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, connect } from "../../clients/ts/src/index.js";
import { connectFrame, pathRequest } from "../support/jute-raw.js";
import { type ServerHandle, startServer } from "../support/launcher.js";
import { deferred } from "../support/wait.js";

// The ZooKeeper door on the client port, driven by raw sockets (bad input, four-letter words) and by
// node-zookeeper-client (a ZooKeeper client no one here wrote), beside gRPC sessions on the same port.

let server: ServerHandle;
let open: ServerHandle;

beforeAll(async () => {
  [server, open] = await Promise.all([
    startServer(),
    startServer({ settings: { "4lw.commands.whitelist": "*", maxClientCnxns: 20 } }),
  ]);
});

afterAll(async () => {
  await Promise.all([server?.stop(), open?.stop()]);
});

/** A raw TCP connection: everything it receives, and when it closed. */
function raw(address: string): Promise<{ socket: Socket; received: () => Buffer; closed: Promise<void> }> {
  const [host, port] = address.split(":");
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const closed = deferred<void>();
    const socket = tcpConnect({ host: host!, port: Number(port), noDelay: true }, () =>
      resolve({ socket, received: () => Buffer.concat(chunks), closed: closed.promise }),
    );
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("close", () => closed.resolve());
    socket.on("error", reject);
  });
}

/** node-zookeeper-client connected to the door; resolves once the session is up. */
function zkClient(address: string): Promise<zookeeper.Client> {
  const client = zookeeper.createClient(address, { sessionTimeout: 10_000, retries: 0 });
  return new Promise((resolve) => {
    client.once("connected", () => resolve(client));
    client.connect();
  });
}

/** node-zookeeper-client's callback API as a promise of its first result. */
// biome-ignore lint/suspicious/noExplicitAny: the client's callbacks differ per call; any result is taken.
function zk<T>(run: (done: (e: unknown, v: any) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => run((e, v) => (e ? reject(e) : resolve(v as T))));
}

/** The door still serves: a fresh ZooKeeper client creates and reads a node. */
async function stillServes(address: string, path: string): Promise<void> {
  const client = await zkClient(address);
  await zk<string>((d) => client.create(path, Buffer.from("ok"), d));
  const data = await zk<Buffer>((d) => client.getData(path, d));
  expect(data.toString()).toBe("ok");
  client.close();
}

/** Sends bytes and waits for the server to close the connection; returns what it answered. */
async function closedAfter(address: string, ...writes: Buffer[]): Promise<Buffer> {
  const c = await raw(address);
  for (const w of writes) c.socket.write(w);
  await c.closed;
  return c.received();
}

describe("four-letter words on the client port (4lw.commands.whitelist)", () => {
  it("answers srvr by default and refuses the rest as ZooKeeper does", async () => {
    expect((await closedAfter(server.juteAddress, Buffer.from("srvr"))).toString()).toMatch(
      /^Zookeeper version: paddock-[\s\S]*Mode: standalone\n/,
    );
    expect((await closedAfter(server.juteAddress, Buffer.from("ruok"))).toString()).toBe(
      "ruok is not executed because it is not in the whitelist.\n",
    );
  });

  it("answers every word with the whitelist *", async () => {
    expect((await closedAfter(open.juteAddress, Buffer.from("ruok"))).toString()).toBe("imok");
    expect((await closedAfter(open.juteAddress, Buffer.from("mntr"))).toString()).toContain(
      "zk_server_state\tstandalone",
    );
  });
});

describe("bad input on the ZooKeeper port: a clear close, nothing changed, the server keeps serving", () => {
  it("a truncated ConnectRequest, garbage, and a negative length close the connection", async () => {
    const c = await raw(server.juteAddress);
    c.socket.end(connectFrame({}).subarray(0, 20));
    await c.closed;
    expect(c.received().length).toBe(0);
    expect((await closedAfter(server.juteAddress, Buffer.from([0, 0, 0, 5, 1, 2, 3, 4, 5]))).length).toBe(0);
    expect((await closedAfter(server.juteAddress, Buffer.from([0xff, 0xff, 0xff, 0xfe, 9]))).length).toBe(0);
    await stillServes(server.juteAddress, "/bad-1");
  });

  it("a frame of jute.maxbuffer (0xfffff) bytes is served; one byte more closes the connection", async () => {
    const client = await zkClient(server.juteAddress);
    await zk((d) => client.create("/big", Buffer.alloc(0), d));
    client.close();
    const path = "/big";
    // setData: header 8 + path (4+4) + data (4+n) + version 4 = 0xfffff.
    const n = 0xfffff - 8 - 8 - 4 - 4;
    const data = Buffer.alloc(4 + n + 4);
    data.writeInt32BE(n, 0);
    data.writeInt32BE(-1, 4 + n);
    const fits = await raw(server.juteAddress);
    fits.socket.write(connectFrame({}));
    const request = pathRequest(7, 5, path, data);
    expect(request.readInt32BE(0)).toBe(0xfffff);
    fits.socket.write(request);
    // ConnectResponse (4+36 or 37 bytes), then the reply header xid 7, err 0.
    const answered = deferred<void>();
    fits.socket.on("data", () => {
      const got = fits.received();
      const first = 4 + got.readInt32BE(0);
      if (got.length >= first + 20) answered.resolve();
    });
    await answered.promise;
    const got = fits.received();
    const reply = got.subarray(4 + got.readInt32BE(0));
    expect(reply.readInt32BE(4)).toBe(7);
    expect(reply.readInt32BE(16)).toBe(0);
    fits.socket.destroy();
    const over = pathRequest(8, 5, path, Buffer.concat([data, Buffer.alloc(1)]));
    expect(over.readInt32BE(0)).toBe(0x100000);
    const refused = await raw(server.juteAddress);
    refused.socket.write(connectFrame({}));
    const connected = deferred<void>();
    refused.socket.on("data", () => connected.resolve());
    await connected.promise;
    refused.socket.write(over);
    await refused.closed;
    // The ConnectResponse came, then the close; no reply to the oversized frame.
    expect(refused.received().length).toBe(4 + refused.received().readInt32BE(0));
    await stillServes(server.juteAddress, "/bad-2");
  });

  it("a connect and two requests split at every byte offset are answered the same", async () => {
    const stream = Buffer.concat([
      connectFrame({}),
      pathRequest(1, 3, "/", Buffer.from([0])),
      pathRequest(2, 3, "/missing", Buffer.from([0])),
    ]);
    const replies: string[] = [];
    for (let at = 1; at < stream.length; at++) {
      const c = await raw(server.juteAddress);
      c.socket.write(stream.subarray(0, at));
      await new Promise((r) => setImmediate(r));
      c.socket.write(stream.subarray(at));
      const done = deferred<void>();
      const check = (): void => {
        const got = c.received();
        if (got.length < 4) return;
        let offset = 4 + got.readInt32BE(0);
        let frames = 0;
        while (offset + 4 <= got.length && offset + 4 + got.readInt32BE(offset) <= got.length) {
          offset += 4 + got.readInt32BE(offset);
          frames++;
        }
        if (frames === 2) done.resolve();
      };
      c.socket.on("data", check);
      check();
      await done.promise;
      const got = c.received();
      const r1 = got.subarray(4 + got.readInt32BE(0));
      const r2 = r1.subarray(4 + r1.readInt32BE(0));
      // exists "/" answers xid 1 err 0 with a Stat; exists "/missing" xid 2 err NoNode (-101).
      replies.push(`${r1.readInt32BE(4)}:${r1.readInt32BE(16)} ${r2.readInt32BE(4)}:${r2.readInt32BE(16)}`);
      c.socket.destroy();
    }
    expect(new Set(replies)).toEqual(new Set(["1:0 2:-101"]));
  });

  it("an unknown opcode is answered Unimplemented, then the connection closes", async () => {
    const got = await closedAfter(server.juteAddress, connectFrame({}), pathRequest(3, 999, "/"));
    const reply = got.subarray(4 + got.readInt32BE(0));
    expect([reply.readInt32BE(0), reply.readInt32BE(4), reply.readInt32BE(16)]).toEqual([16, 3, -6]);
    await stillServes(server.juteAddress, "/bad-3");
  });

  it("a flood of connections past maxClientCnxns is closed; the server serves again once it ends", async () => {
    const flood = await Promise.all(Array.from({ length: 40 }, () => raw(open.juteAddress)));
    const closed = await Promise.all(
      flood.map((c) =>
        Promise.race([c.closed.then(() => true), new Promise((r) => setTimeout(() => r(false), 2000))]),
      ),
    );
    // 20 per address (maxClientCnxns=20 here): the rest were closed at once.
    expect(closed.filter((x) => x).length).toBe(20);
    for (const c of flood) c.socket.destroy();
    await Promise.all(flood.map((c) => c.closed));
    await stillServes(open.juteAddress, "/bad-4");
  });
});

describe("one system across both doors", () => {
  let grpc: Client;
  let jute: zookeeper.Client;

  beforeAll(async () => {
    grpc = await connect(server.address);
    jute = await zkClient(server.juteAddress);
  });

  afterAll(async () => {
    jute?.close();
    await grpc?.close();
  });

  it("an ephemeral made over jute is seen over gRPC, and goes with the jute session", async () => {
    await zk((d) => jute.create("/both-e", Buffer.from("j"), zookeeper.CreateMode.EPHEMERAL, d));
    const stat = await grpc.exists("/both-e");
    expect(stat?.ephemeralOwner).toBe(BigInt(`0x${jute.getSessionId().toString("hex")}`));
    const other = await zkClient(server.juteAddress);
    await zk((d) => other.create("/both-e2", Buffer.from(""), zookeeper.CreateMode.EPHEMERAL, d));
    const gone = deferred<string>();
    await grpc.exists("/both-e2", { watch: (e) => gone.resolve(e.type) });
    other.close();
    expect(await gone.promise).toBe("NodeDeleted");
  });

  it("a write over gRPC fires a watch set over jute, and the other way round", async () => {
    await grpc.create("/both-w", "a");
    const overJute = deferred<number>();
    await zk<Buffer>((d) => jute.getData("/both-w", (e) => overJute.resolve(e.getType()), d));
    await grpc.setData("/both-w", "b");
    expect(await overJute.promise).toBe(zookeeper.Event.NODE_DATA_CHANGED);
    const overGrpc = deferred<string>();
    await grpc.getData("/both-w", { watch: (e) => overGrpc.resolve(e.type) });
    await zk((d) => jute.setData("/both-w", Buffer.from("c"), -1, d));
    expect(await overGrpc.promise).toBe("NodeDataChanged");
  });
});
