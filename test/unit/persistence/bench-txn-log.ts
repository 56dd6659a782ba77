/**
 * Not a test: `node --import tsx test/unit/persistence/bench-txn-log.ts [dir] [seconds]`.
 * 32 (and 1024) concurrent appenders of 100-byte records against the real disk: records/s, fsyncs/s, and
 * the main thread's event-loop delay, for the worker design and (for comparison) the same writer
 * run synchronously on the main thread.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { nodeFiles } from "../../../server/persistence/file-layer.js";
import { TxnLog } from "../../../server/persistence/txn-log.js";

const base = process.argv[2] ?? tmpdir();
const seconds = Number(process.argv[3] ?? 5);
const payload = new Uint8Array(100).fill(0x61);

async function run(label: string, inline: boolean, appenders: number): Promise<void> {
  const dir = mkdtempSync(join(base, "paddock-bench-"));
  const log = await TxnLog.open({
    dir,
    forceSync: true,
    preAllocBytes: 64 * 1024 * 1024,
    segmentBytesMax: 64 * 1024 * 1024,
    batchCountMax: 10_000,
    batchBytesMax: 4 * 1024 * 1024,
    // Any FileLayer other than nodeFiles itself runs the writer inline on the main thread.
    ...(inline ? { files: { ...nodeFiles } } : {}),
  });
  let zxid = 0;
  const stopAt = performance.now() + seconds * 1000;
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const started = performance.now();
  const elu0 = performance.eventLoopUtilization();
  const appender = async (): Promise<void> => {
    while (performance.now() < stopAt) await log.append(++zxid, payload);
  };
  await Promise.all(Array.from({ length: appenders }, appender));
  const elapsed = (performance.now() - started) / 1000;
  delay.disable();
  const elu = performance.eventLoopUtilization(elu0).utilization;
  const s = log.stats;
  await log.close();
  rmSync(dir, { recursive: true, force: true });
  console.log(
    `${label}, ${appenders} appenders: ${Math.round(s.records / elapsed)} records/s, ${Math.round(s.fsyncs / elapsed)} fsyncs/s, ` +
      `${s.recordsPerFsyncAvg.toFixed(1)} records/fsync, fsync max ${s.fsyncMsMax.toFixed(2)} ms, ` +
      `event-loop delay p50 ${(delay.percentile(50) / 1e6).toFixed(2)} ms max ${(delay.max / 1e6).toFixed(2)} ms, main-thread busy ${(elu * 100).toFixed(0)}%`,
  );
}

for (const appenders of [32, 1024]) {
  await run("worker thread", false, appenders);
  await run("inline (main thread)", true, appenders);
}
