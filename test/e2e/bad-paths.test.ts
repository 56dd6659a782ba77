import { Client, credentials, Metadata, type ServiceError } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataServiceService } from "../../server/gen/paddock/v1/data.js";
import {
  type Request,
  SessionRequest,
  SessionResponse,
  SessionServiceService,
} from "../../server/gen/paddock/v1/session.js";
import { type ServerHandle, startServer } from "../support/launcher.js";
import { enc } from "../support/raw-session.js";

type Op = NonNullable<Request["op"]>;

/** A placeholder path whose UTF-8 bytes are replaced in the encoded request (same length). */
const PLACEHOLDER = "/QQQ";
const badPaths: { name: string; path: string; bytes?: Buffer }[] = [
  { name: "non-ASCII", path: "/café" },
  { name: "invalid UTF-8", path: PLACEHOLDER, bytes: Buffer.from([0x2f, 0xff, 0xfe, 0xc3]) },
  { name: "NUL", path: "/a\u0000b" },
  { name: "control and percent", path: "/a\n%b\u007f" },
  { name: "1 MiB", path: `/${"é".repeat(512 * 1024)}` },
];

/** One request of each unary method whose path is `path`. */
function unaryRequests(path: string): Record<string, unknown> {
  return {
    create: { path, data: enc("x"), acl: [], mode: 0, ttl: 0n },
    delete: { path, version: -1 },
    exists: { path, watch: false, consistency: 0 },
    getData: { path, watch: false, consistency: 0 },
    setData: { path, data: enc("y"), version: -1 },
    getChildren: { path, watch: false, consistency: 0 },
    getAllChildrenNumber: { path },
    getEphemerals: { prefixPath: path },
    getAcl: { path },
    setAcl: { path, acl: [{ perms: 31, id: { scheme: "world", id: "anyone" } }], version: -1 },
    sync: { path },
    multi: { ops: [{ op: { $case: "create", value: { path, data: enc(""), acl: [], mode: 0, ttl: 0n } } }] },
    multiRead: { ops: [{ op: { $case: "getData", value: { path, watch: false, consistency: 0 } } }] },
  };
}

/** The same ops on the session stream, including the session-only ones. */
function streamOps(path: string): Op[] {
  const unary = unaryRequests(path);
  const ops = Object.entries(unary).map(([method, value]) => ({ $case: method, value }) as Op);
  ops.push(
    { $case: "exists", value: { path, watch: true, consistency: 0 } },
    { $case: "getData", value: { path, watch: true, consistency: 1 } },
    { $case: "addWatch", value: { path, mode: 1 } },
    { $case: "removeWatches", value: { path, type: 1, checkOnly: false } },
    { $case: "create", value: { path, data: enc(""), acl: [], mode: 1, ttl: 0n } },
  );
  return ops;
}

function replaceOnce(encoded: Uint8Array, bytes: Buffer | undefined): Buffer {
  const buffer = Buffer.from(encoded);
  if (bytes === undefined) return buffer;
  const at = buffer.indexOf(PLACEHOLDER);
  expect(at).toBeGreaterThanOrEqual(0);
  bytes.copy(buffer, at);
  return buffer;
}

const methods = Object.keys(unaryRequests("/"));

/** What each method answers: a path ZooKeeper forbids is BadArguments everywhere (multiRead reports it per op). */
function expectedUnary(name: string): string[] {
  const answer: Record<string, Record<string, string>> = {
    "non-ASCII": {
      create: "OK",
      delete: "OK",
      exists: "OK",
      getData: "NoNode",
      setData: "NoNode",
      getChildren: "NoNode",
      getAllChildrenNumber: "NoNode",
      getEphemerals: "OK",
      getAcl: "NoNode",
      setAcl: "NoNode",
      sync: "OK",
      multi: "OK",
      multiRead: "OK",
    },
    // Over jute.maxbuffer (1 MiB) a write is refused; reads of the missing node answer NoNode.
    "1 MiB": {
      create: "BadArguments",
      delete: "NoNode",
      exists: "OK",
      getData: "NoNode",
      setData: "BadArguments",
      getChildren: "NoNode",
      getAllChildrenNumber: "NoNode",
      getEphemerals: "OK",
      getAcl: "NoNode",
      setAcl: "BadArguments",
      sync: "OK",
      multi: "BadArguments",
      multiRead: "OK",
    },
  };
  return methods.map((m) => `${m}:${answer[name]?.[m] ?? (m === "multiRead" ? "OK" : "BadArguments")}`);
}

const identity = (b: Buffer): Buffer => b;

let server: ServerHandle;
let client: Client;

beforeAll(async () => {
  server = await startServer();
  client = new Client(server.address, credentials.createInsecure(), {
    "grpc.max_send_message_length": 8 * 1024 * 1024,
  });
});

afterAll(async () => {
  client?.close();
  await server?.stop();
});

function unaryRaw(method: string, bytes: Buffer): Promise<ServiceError | null> {
  const definition = DataServiceService[method as keyof typeof DataServiceService];
  return new Promise((resolve) => {
    client.makeUnaryRequest(definition.path, identity, identity, bytes, new Metadata(), (error) =>
      resolve(error),
    );
  });
}

async function stillServes(): Promise<void> {
  process.kill(server.pid, 0);
  const bytes = Buffer.from(
    DataServiceService.getData.requestSerialize({ path: "/", watch: false, consistency: 0 }),
  );
  expect(await unaryRaw("getData", bytes)).toBeNull();
}

describe("bad paths never end the server (issue 12 §1)", () => {
  for (const bad of badPaths) {
    it(`unary: every DataService method with a ${bad.name} path is answered`, async () => {
      const answers: string[] = [];
      for (const [method, request] of Object.entries(unaryRequests(bad.path))) {
        const definition = DataServiceService[method as keyof typeof DataServiceService];
        const encoded = (definition.requestSerialize as (r: unknown) => Uint8Array)(request);
        const error = await unaryRaw(method, replaceOnce(encoded, bad.bytes));
        answers.push(
          `${method}:${error === null ? "OK" : (error.metadata.get("paddock-error-code")[0] ?? error.message)}`,
        );
        if (error === null) continue;
        // The path trailer is percent-encoded printable ASCII, decodable back to the path.
        const trailer = error!.metadata.get("paddock-error-path")[0];
        if (
          trailer !== undefined &&
          String(trailer) !== "" &&
          bad.bytes === undefined &&
          bad.path.length < 1000
        ) {
          expect(decodeURIComponent(String(trailer)), method).toBe(bad.path);
        }
      }
      expect(answers).toEqual(expectedUnary(bad.name));
      await stillServes();
    });
  }

  it("a path that is not plain ASCII comes back percent-encoded in paddock-error-path", async () => {
    const bytes = Buffer.from(
      DataServiceService.getData.requestSerialize({ path: "/café%", watch: false, consistency: 0 }),
    );
    const error = await unaryRaw("getData", bytes);
    expect(error?.metadata.get("paddock-error-code")).toEqual(["NoNode"]);
    expect(error?.metadata.get("paddock-error-path")).toEqual(["/caf%C3%A9%25"]);
  });

  it("session stream: every op with every bad path answers each request, and the stream goes on", async () => {
    const call = client.makeBidiStreamRequest(SessionServiceService.session.path, identity, identity);
    const received: SessionResponse["messages"] = [];
    let ended: string | undefined;
    const waiters: (() => void)[] = [];
    call.on("data", (bytes: Buffer) => {
      received.push(...SessionResponse.decode(bytes).messages);
      for (const w of waiters) w();
    });
    call.on("error", (e: Error) => {
      ended = e.message;
      for (const w of waiters) w();
    });
    const until = (done: () => boolean): Promise<void> =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out; ended: ${ended}`)), 20_000);
        const check = (): void => {
          if (ended !== undefined) reject(new Error(`stream ended: ${ended}`));
          else if (done()) {
            clearTimeout(timer);
            resolve();
          }
        };
        waiters.push(check);
        check();
      });
    const connect = {
      sessionId: 0n,
      password: Buffer.alloc(0),
      timeoutMs: 10_000,
      lastZxidSeen: 0n,
      auth: [],
      watches: undefined,
    };
    call.write(
      Buffer.from(
        SessionRequest.encode({ messages: [{ kind: { $case: "connect", value: connect } }] }).finish(),
      ),
    );
    await until(() => received.some((m) => m.kind?.$case === "connected"));
    let xid = 0;
    for (const bad of badPaths) {
      for (const op of streamOps(bad.path)) {
        const request: Request = { xid: ++xid, timeoutMs: 0, trace: {}, op };
        const encoded = SessionRequest.encode({ messages: [{ kind: { $case: "request", value: request } }] });
        call.write(replaceOnce(encoded.finish(), bad.bytes));
      }
    }
    const replies = (): number => received.filter((m) => m.kind?.$case === "reply").length;
    await until(() => replies() === xid);
    // A path ZooKeeper forbids fails every op that carries it (multiRead answers per op).
    const perOp = streamOps("/").length;
    for (const [index, bad] of badPaths.entries()) {
      if (bad.name === "non-ASCII" || bad.name === "1 MiB") continue;
      const codes = received
        .filter((m) => m.kind?.$case === "reply")
        .map((m) => (m.kind?.$case === "reply" ? m.kind.value : undefined)!)
        .filter(
          (r) => r.xid > index * perOp && r.xid <= (index + 1) * perOp && r.result?.$case !== "multiRead",
        )
        .map((r) => r.error?.code);
      expect(codes, bad.name).toEqual(Array(perOp - 1).fill(-8));
    }
    call.end();
    await stillServes();
  });
});
