import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BroadcastChannel } from "node:worker_threads";
import { afterAll, describe, expect, it } from "vitest";
import { packFrames, segmentName } from "../../../server/persistence/log-format.js";
import { WorkerSink } from "../../../server/persistence/log-sink.js";
import { scanSegment } from "../../../server/persistence/segment-reader.js";
import { type FaultyDiskReport, faultyChannelName } from "./faulty-worker-files.js";
import { record, z } from "./log-fixtures.js";

/**
 * WorkerSink's edges beside worker-sink-faults.test.ts, on the same seam (the real worker thread
 * over faulty-worker-files.ts): a view at the start of a larger buffer is copied, not transferred
 * with the bytes after it; a crash keeps the thread's error as its cause.
 */
const FAULTY = new URL("./faulty-worker-files.ts", import.meta.url).href;

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function start(
  mode: string,
): Promise<{ sink: WorkerSink; dir: string; report: Promise<FaultyDiskReport> }> {
  const dir = mkdtempSync(join(tmpdir(), `paddock-faulty-${mode}-`));
  dirs.push(dir);
  const channel = new BroadcastChannel(faultyChannelName(dir));
  const report = new Promise<FaultyDiskReport>((resolve) => {
    channel.onmessage = (event) => {
      channel.close();
      resolve((event as { data: FaultyDiskReport }).data);
    };
  });
  const sink = await WorkerSink.start({
    dir,
    forceSync: true,
    preAllocBytes: 0,
    segmentBytesMax: 1024 * 1024,
    zeroAheadBytes: 0,
    filesModule: FAULTY,
  });
  return { sink, dir, report };
}

describe("WorkerSink", () => {
  it("copies a view at the start of a larger buffer, writing only the view's bytes", async () => {
    const { sink, report } = await start("ok");
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
    const { sink } = await start("throw-after-write");
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
