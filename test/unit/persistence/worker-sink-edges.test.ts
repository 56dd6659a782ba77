import { afterAll, describe, expect, it } from "vitest";
import { packFrames, segmentName } from "../../../server/persistence/log-format.js";
import { scanSegment } from "../../../server/persistence/segment-reader.js";
import { removeFaultyDirs, startFaultyWorker } from "./faulty-worker.js";
import { record, z } from "./log-fixtures.js";

/**
 * WorkerSink's edges beside worker-sink-faults.test.ts, on the same seam (the real worker thread
 * over faulty-worker-files.ts): a view at the start of a larger buffer is copied, not transferred
 * with the bytes after it; a crash keeps the thread's error as its cause.
 */
afterAll(removeFaultyDirs);

describe("WorkerSink", () => {
  it("copies a view at the start of a larger buffer, writing only the view's bytes", async () => {
    const { sink, report } = await startFaultyWorker("ok");
    const batch = packFrames([z(1)], [record(z(1))]);
    const buffer = new Uint8Array(batch.length + 50).fill(0xee);
    buffer.set(batch, 0);
    const view = buffer.subarray(0, batch.length);
    const done = sink.flush(view);
    // Not transferred: the caller's buffer is still whole.
    expect(buffer.byteLength).toBe(batch.length + 50);
    await done;
    await sink.close();
    const bytes = (await report).files[segmentName(z(1))]!;
    expect(bytes.length).toBe(16 + batch.length);
    expect(scanSegment(bytes, 0).records.map((r) => r.zxid)).toEqual([z(1)]);
  });

  it("keeps the thread's uncaught exception as the cause of the crash it reports", async () => {
    const { sink } = await startFaultyWorker("throw-after-write");
    // As in worker-sink-faults: whichever batch finds the crash first carries it.
    let e: Error | undefined;
    for (let c = 1; c <= 50 && e === undefined; c++) {
      e = await sink.flush(packFrames([z(c)], [record(z(c))])).then(
        () => undefined,
        (err: Error) => err,
      );
    }
    expect(e?.message).toBe("log worker crashed: seam: thrown outside any handler");
    expect((e?.cause as Error | undefined)?.message).toBe("seam: thrown outside any handler");
    await sink.close();
  });
});
