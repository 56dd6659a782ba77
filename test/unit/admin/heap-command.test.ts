import { describe, expect, it } from "vitest";
import { adminCommandNames, runAdminCommand } from "../../../server/admin/admin-commands.js";
import type { AdminContext } from "../../../server/admin/commands.js";
import { heapAfterGc } from "../../../server/admin/heap-command.js";

// The heap command reads nothing of the server: it never touches the context.
const ctx = new Proxy({} as AdminContext, {
  get: () => {
    throw new Error("heap read the admin context");
  },
});

describe("the heap admin command", () => {
  it("is listed among the AdminServer's commands", () => {
    expect(adminCommandNames).toContain("heap");
  });

  it("answers V8's figures after a forced GC in ZooKeeper's command envelope", () => {
    const { status, body } = runAdminCommand("heap", ctx);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      command: "heap",
      error: null,
      gc_ms: expect.any(Number),
      heap_used: expect.any(Number),
      heap_total: expect.any(Number),
      heap_limit: expect.any(Number),
      external: expect.any(Number),
      array_buffers: expect.any(Number),
      live: expect.any(Number),
      rss: expect.any(Number),
      malloced: expect.any(Number),
    });
    const b = body as Record<string, number>;
    expect(b.heap_used).toBeGreaterThan(0);
    expect(b.heap_used).toBeLessThanOrEqual(b.heap_total!);
    expect(b.array_buffers).toBeLessThanOrEqual(b.external!);
    expect(b.live).toBe(b.heap_used! + b.external!);
    expect(b.gc_ms).toBeGreaterThanOrEqual(0);
    const spaces = body.spaces as Record<string, { used: number; size: number }>;
    expect(spaces.old_space!.used).toBeGreaterThan(0);
    expect(spaces.old_space!.used).toBeLessThanOrEqual(spaces.old_space!.size);
  });

  it("collects: garbage made before the command is not counted as live", () => {
    const before = heapAfterGc();
    let garbage: string[] | null = Array.from({ length: 200_000 }, (_, i) => `garbage ${i}`);
    const made = process.memoryUsage().heapUsed - before.heap_used;
    expect(garbage.length).toBe(200_000);
    garbage = null;
    const after = heapAfterGc();
    // 200,000 strings and their array: several MB made, next to nothing left.
    expect(made).toBeGreaterThan(4 * 2 ** 20);
    expect(after.heap_used - before.heap_used).toBeLessThan(made / 4);
    expect(garbage).toBeNull();
  });

  it("leaves no gc() behind in the server's global scope", () => {
    heapAfterGc();
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
  });
});
