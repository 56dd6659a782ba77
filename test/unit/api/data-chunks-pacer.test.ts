import { EventEmitter } from "node:events";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type ChunkCall, Pacer, stallMsMax } from "../../../server/api/data-chunks.js";

// The chunked read's pacer on a call whose client takes nothing: it waits for drain, and a reader
// that takes no data for stallMsMax is cut (it would otherwise pin its version of the value).

class StuckCall extends EventEmitter {
  cancelled = false;
  writableNeedDrain = true;
  written = 0;
  write(_chunk: unknown, _flushed: () => void): boolean {
    this.written++;
    return false;
  }
}

afterEach(() => {
  vi.useRealTimers();
});

describe("Pacer", () => {
  it("cuts a reader that takes nothing for stallMsMax, and not before", async () => {
    vi.useFakeTimers();
    const call = new StuckCall();
    let stalls = 0;
    const pacer = new Pacer(call as unknown as ChunkCall, () => stalls++);
    const wrote = pacer.write({ offset: 0n, data: Buffer.alloc(10), last: false }, 10);
    await vi.advanceTimersByTimeAsync(stallMsMax - 1);
    expect(stalls).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(await wrote).toBe(false);
    expect(stalls).toBe(1);
    // Once cut, it writes nothing more.
    expect(await pacer.write({ offset: 10n, data: Buffer.alloc(10), last: true }, 10)).toBe(false);
    expect(call.written).toBe(1);
  });

  it("keeps waiting while the client takes data now and then", async () => {
    vi.useFakeTimers();
    const call = new StuckCall();
    let stalls = 0;
    const pacer = new Pacer(call as unknown as ChunkCall, () => stalls++);
    const wrote = pacer.write({ offset: 0n, data: Buffer.alloc(10), last: false }, 10);
    await vi.advanceTimersByTimeAsync(stallMsMax - 1000);
    call.emit("drain"); // the client read, but the transport still needs draining
    await vi.advanceTimersByTimeAsync(stallMsMax - 1000);
    expect(stalls).toBe(0);
    call.writableNeedDrain = false;
    call.emit("drain");
    expect(await wrote).toBe(true);
    expect(stalls).toBe(0);
  });
});
