import { Txn } from "../../../server/gen/paddock/internal/v1/txn.js";
import { segmentName } from "../../../server/persistence/log-format.js";
import type { TxnLogOptions } from "../../../server/persistence/txn-log.js";
import { makeZxid } from "../../../server/util/zxid.js";
import type { MemFiles } from "./mem-files.js";

export const LOG_DIR = "/data/log";
export const DATA_DIR = "/data/snap";

/** A small setData transaction whose encoding carries its own zxid (recovery cross-checks it). */
export function txn(zxid: number, path = `/n${zxid}`, bytes = 8): Txn {
  return {
    zxid: BigInt(zxid),
    sessionId: 0x1234_5678_9abc_def0n,
    cxid: zxid % 1000,
    origin: 0,
    originRef: 0,
    time: 1_700_000_000_000n + BigInt(zxid),
    body: { $case: "setData", value: { path, data: Buffer.alloc(bytes, zxid & 0xff), version: 1 } },
  };
}

export function record(zxid: number, bytes = 8): Uint8Array {
  return Txn.encode(txn(zxid, `/n${zxid}`, bytes)).finish();
}

export const z = (counter: number, epoch = 1): number => makeZxid(epoch, counter);

/** The zxids of counters from..to (inclusive) in one epoch. */
export const zxidRange = (from: number, to: number, epoch = 1): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => z(from + i, epoch));

/** The path of the log segment that starts at zxid. */
export const segmentPath = (zxid: number): string => `${LOG_DIR}/${segmentName(zxid)}`;

export function memOptions(files: MemFiles, over: Partial<TxnLogOptions> = {}): TxnLogOptions {
  return {
    dir: LOG_DIR,
    forceSync: true,
    preAllocBytes: 4096,
    segmentBytesMax: 64 * 1024,
    batchCountMax: 1000,
    batchBytesMax: 1024 * 1024,
    files,
    ...over,
  };
}
