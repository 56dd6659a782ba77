import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, connect, type WatchStream, type WatchStreamBatch } from "../../clients/ts/src/index.js";
import { type ServerHandle, startServer } from "../support/launcher.js";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.js";

// The TS client's half-open detection on the resumable watch stream: the link under the stream
// stops carrying bytes without a reset (a TCP proxy that keeps the sockets open and forwards
// nothing more). Without detection the stream would wait forever; with it, three progress
// intervals of silence cancel the call and reopen it on a new connection from the last zxid.

let server: ServerHandle;
let proxy: TcpProxy;
let writer: Client;
let reader: Client;

beforeAll(async () => {
  server = await startServer();
  proxy = await startTcpProxy(server.address);
  writer = await connect(server.address);
  reader = await connect(proxy.address);
});

afterAll(async () => {
  // The proxy first: the reader's session is on a frozen connection too, and its close would wait.
  await proxy?.close();
  await reader?.close();
  await writer?.close();
  await server?.stop();
});

/** The stream's next batch, or an error naming `what` at the deadline. */
function nextBatch(stream: WatchStream, what: string, timeoutMs = 15_000): Promise<WatchStreamBatch> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no batch within ${timeoutMs} ms: ${what}`)), timeoutMs);
  });
  const next = stream.next().then((r) => {
    if (r.done) throw new Error(`stream ended waiting for ${what}`);
    return r.value;
  });
  return Promise.race([next, deadline]).finally(() => clearTimeout(timer));
}

describe("watch stream half-open detection", () => {
  it("reopens a stream whose link went silent, from the last zxid, missing and repeating nothing", async () => {
    const start = (await writer.create("/ho", "0")).stat.czxid;
    // Progress every 200 ms: 600 ms of silence is a dead link.
    const stream = reader.watchStream("/ho", { fromZxid: start, withData: true, progressIntervalMs: 200 });
    await writer.setData("/ho", "1");
    const first = await nextBatch(stream, "the change before the freeze");
    proxy.freeze();
    await writer.setData("/ho", "2");
    await writer.setData("/ho", "3");
    const second = await nextBatch(stream, "the first change after the freeze");
    const third = await nextBatch(stream, "the second change after the freeze");
    await stream.return();
    const data = [first, second, third].map((b) => Buffer.from(b.changes[0]!.data!).toString());
    expect(data).toEqual(["1", "2", "3"]);
    expect(second.zxid).toBeGreaterThan(first.zxid);
    expect(third.zxid).toBeGreaterThan(second.zxid);
  });
});
