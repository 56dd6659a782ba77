import { afterAll, describe, expect, it } from "vitest";
import { encodeLogHeader, packFrames, segmentName } from "../../../server/persistence/log-format.js";
import { WorkerSink } from "../../../server/persistence/log-sink.js";
import { scanSegment } from "../../../server/persistence/segment-reader.js";
import { TxnLogFailedError } from "../../../server/persistence/storage-error.js";
import { TxnLog } from "../../../server/persistence/txn-log.js";
import { FAULTY, faultyDir, removeFaultyDirs, startFaultyWorker } from "./faulty-worker.js";
import { record, z } from "./log-fixtures.js";

/**
 * The REAL log worker thread and its WorkerSink, on a faulty in-memory disk loaded inside the
 * worker (faulty-worker-files.ts; the directory's name picks the fault): what each answer
 * carries, that a failed disk is never retried, and what a thread that dies leaves the caller.
 */
afterAll(removeFaultyDirs);

const frames = (c: number): Uint8Array => packFrames([z(c)], [record(z(c))]);

async function rejection(p: Promise<unknown>): Promise<Error & { code?: string }> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(Error);
  return e as Error & { code?: string };
}

describe("WorkerSink and the log worker", () => {
  it("transfers a batch that owns its buffer, copies one that does not, and writes both exactly", async () => {
    const { sink, dir, report } = await startFaultyWorker("ok");
    const owned = frames(1);
    const ownedLength = owned.length;
    const before = performance.now();
    const first = sink.flush(owned);
    // Transferred: the caller's buffer is detached, not copied.
    expect(owned.byteLength).toBe(0);
    const second = frames(2);
    const shared = new Uint8Array(100 + second.length).fill(0xee);
    shared.set(second, 100);
    const view = shared.subarray(100);
    const secondDone = sink.flush(view);
    // Copied: the larger buffer stays the caller's.
    expect(shared.byteLength).toBe(100 + second.length);
    // Each answer carries the worker's own write + fdatasync time, within what the caller waited.
    const ms = [await first, await secondDone];
    const waited = performance.now() - before;
    for (const t of ms) expect(t >= 0 && t <= waited).toBe(true);
    await sink.close();
    const { journal, files } = await report;
    const bytes = files[segmentName(z(1))]!;
    expect(bytes.length).toBe(16 + ownedLength + second.length);
    expect(Buffer.from(bytes.subarray(0, 16))).toEqual(Buffer.from(encodeLogHeader()));
    expect(scanSegment(bytes, 0).records.map((r) => r.zxid)).toEqual([z(1), z(2)]);
    const path = `${dir}/${segmentName(z(1))}`;
    // One write + fdatasync per batch, answered in order; the close syncs once more.
    expect(journal).toEqual([
      `open ${path}`,
      `write ${path}`,
      `fsyncDir ${dir}`,
      `write ${path}`,
      `fdatasync ${path}`,
      `write ${path}`,
      `fdatasync ${path}`,
      `fdatasync ${path}`,
    ]);
  });

  it("answers a failed fdatasync with the disk's message and code, and every later batch the same, untouched", async () => {
    const { sink, dir, report } = await startFaultyWorker("eio-fdatasync-1");
    const path = `${dir}/${segmentName(z(1))}`;
    const a = await rejection(sink.flush(frames(1)));
    expect([a.message, a.code]).toEqual([`EIO: fdatasync ${path} (injected)`, "EIO"]);
    const b = await rejection(sink.flush(frames(2)));
    expect([b.message, b.code]).toEqual([`EIO: fdatasync ${path} (injected)`, "EIO"]);
    // A failed disk is not closed (that would fdatasync again): close succeeds.
    await sink.close();
    const { journal } = await report;
    expect(journal).toEqual([
      `open ${path}`,
      `write ${path}`,
      `fsyncDir ${dir}`,
      `write ${path}`,
      `fdatasync ${path}`,
    ]);
  });

  it("answers a failed write with its code, without an fdatasync", async () => {
    const { sink, dir, report } = await startFaultyWorker("enospc-write-2");
    const path = `${dir}/${segmentName(z(1))}`;
    const a = await rejection(sink.flush(frames(1)));
    expect([a.message, a.code]).toEqual([`ENOSPC: write ${path} (injected)`, "ENOSPC"]);
    await sink.close();
    expect((await report).journal.filter((l) => l.startsWith("fdatasync"))).toEqual([]);
  });

  it("fails the batch after zeros that could not be written, not the batch before them", async () => {
    // Writes: the header, the first batch, then the zeros ahead of it.
    const { sink, dir, report } = await startFaultyWorker("enospc-write-3", {
      preAllocBytes: 4096,
      zeroAheadBytes: 1024,
    });
    const path = `${dir}/${segmentName(z(1))}`;
    await sink.flush(frames(1));
    const e = await rejection(sink.flush(frames(2)));
    expect([e.message, e.code]).toEqual([`ENOSPC: write ${path} (injected)`, "ENOSPC"]);
    await sink.close();
    expect((await report).journal.filter((l) => l.startsWith("write")).length).toBe(3);
  });

  it("rejects close when the close-time fdatasync fails", async () => {
    const { sink, dir } = await startFaultyWorker("eio-fdatasync-2");
    await sink.flush(frames(1));
    const e = await rejection(sink.close());
    expect(e.message).toBe(`EIO: fdatasync ${dir}/${segmentName(z(1))} (injected)`);
  });

  it("rejects every batch it holds, and every later one, when the thread exits", async () => {
    const { sink } = await startFaultyWorker("exit-on-write");
    const held = [sink.flush(frames(1)), sink.flush(frames(2))];
    for (const p of held) expect((await rejection(p)).message).toBe("log worker exited with code 3");
    const later = await rejection(sink.flush(frames(3)));
    expect(later.message).toBe("log worker exited with code 3");
    await sink.close();
  });

  it("names an uncaught exception in the thread", async () => {
    const { sink } = await startFaultyWorker("throw-after-write");
    // The exception follows the first write's answer; whichever reaches us first, a batch finds it.
    let e: Error | undefined;
    for (let c = 1; c <= 50 && e === undefined; c++) {
      e = await sink.flush(frames(c)).then(
        () => undefined,
        (err: Error) => err,
      );
    }
    expect(e?.message).toBe("log worker crashed: seam: thrown outside any handler");
    await sink.close();
  });

  it("fails to start when the worker cannot load its disk", async () => {
    const dir = faultyDir("missing");
    const e = await rejection(
      WorkerSink.start({
        dir,
        forceSync: true,
        preAllocBytes: 0,
        segmentBytesMax: 1024 * 1024,
        zeroAheadBytes: 0,
        filesModule: new URL("./no-such-worker-files.ts", import.meta.url).href,
      }),
    );
    expect(e.message).toMatch(/no-such-worker-files/);
  });
});

describe("TxnLog over the worker: two batches in flight when the disk fails", () => {
  it("rejects both with the first failure, which names the disk's error", async () => {
    const dir = faultyDir("eio-fdatasync-1");
    const log = await TxnLog.open({
      dir,
      forceSync: true,
      preAllocBytes: 0,
      segmentBytesMax: 1024 * 1024,
      batchCountMax: 1,
      batchBytesMax: 1024 * 1024,
      lastZxid: 0,
      workerFilesModule: FAULTY,
    });
    const first = log.append(z(1), record(z(1)));
    const second = log.append(z(2), record(z(2)));
    const e = await rejection(first);
    expect(e).toBeInstanceOf(TxnLogFailedError);
    expect(e.message).toBe(
      `txn log ${dir} failed (EIO: fdatasync ${dir}/${segmentName(z(1))} (injected)); ` +
        "records after 0x0 are not durable and no further appends are accepted",
    );
    await expect(second).rejects.toBe(e);
    expect(log.failed).toBe(e);
    expect(log.durableZxid).toBe(0);
    await log.close();
  });
});
