import { connect as tcpConnect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { paddockHeapAfterGc } from "../../bench/heap-stats.js";
import { type Client, connect } from "../../clients/ts/src/index.js";
import { adminJson } from "../support/admin-shapes.js";
import { type ServerHandle, startServer } from "../support/launcher.js";

// The heap command on a real server: a full GC, then V8's live heap, over the AdminServer and over
// the gRPC AdminService the bench's memory workload calls; never on the client port.
let server: ServerHandle;
let client: Client;

beforeAll(async () => {
  // Every four-letter word allowed: heap still is not one.
  server = await startServer({ settings: { "4lw.commands.whitelist": "*" } });
  client = await connect(server.address, { sessionTimeoutMs: 30_000 });
});

afterAll(async () => {
  await client?.close();
  await server?.stop();
});

describe("heap on a running server", () => {
  it("answers V8's figures after a full GC over the AdminServer", async () => {
    const heap = await adminJson(server.adminPort!, "heap");
    expect(heap.command).toBe("heap");
    expect(heap.error).toBeNull();
    const n = heap as Record<string, number>;
    expect(n.heap_used).toBeGreaterThan(0);
    expect(n.heap_used).toBeLessThanOrEqual(n.heap_total!);
    expect(n.heap_total).toBeLessThan(n.heap_limit!);
    expect(n.live).toBe(n.heap_used! + n.external!);
    expect(n.rss).toBeGreaterThan(n.heap_used!);
    expect(n.gc_ms).toBeGreaterThanOrEqual(0);
  });

  it("counts znode data as live: the bench's reading grows with the tree", async () => {
    const before = await paddockHeapAfterGc(server.address);
    expect(before).not.toBeNull();
    const value = "v".repeat(1000);
    await client.create("/heap", "");
    for (let i = 0; i < 5000; i += 100)
      await Promise.all(Array.from({ length: 100 }, (_, j) => client.create(`/heap/z${i + j}`, value)));
    const after = await paddockHeapAfterGc(server.address);
    expect(after).not.toBeNull();
    // 5,000 values of 1,000 bytes are live in the tree; at least half of them shows.
    expect(after!.live - before!.live).toBeGreaterThan(2_500_000);
    expect(after!.live).toBe(after!.used + after!.external);
  });

  it("is not a four-letter word: on the client port, whitelist * or not, it closes unanswered", async () => {
    // As any four bytes ZooKeeper does not know: "heap" is read as a frame length of 1.75 GB, past
    // jute.maxbuffer, so the connection closes (no client can force a GC through the client port).
    const [host, port] = server.juteAddress.split(":");
    const received: Buffer[] = [];
    await new Promise<void>((closed, failed) => {
      const socket = tcpConnect({ host: host!, port: Number(port) }, () => socket.write("heap"));
      socket.on("data", (c: Buffer) => received.push(c));
      socket.on("close", () => closed());
      socket.on("error", failed);
    });
    expect(Buffer.concat(received).length).toBe(0);
    expect((await adminJson(server.adminPort!, "heap")).error).toBeNull();
  });
});
