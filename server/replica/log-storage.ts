import type { Entry, HardState } from "../consensus/ready.js";
import { Txn } from "../gen/paddock/internal/v1/txn.js";
import { writeEpoch } from "../persistence/epoch-file.js";
import type { TxnLog } from "../persistence/txn-log.js";
import { reusedWriterEncoder } from "../util/reused-writer.js";
import type { LogHistory } from "./log-history.js";
import type { Storage } from "./storage.js";

const encodeTxn = reusedWriterEncoder(Txn.encode);

/**
 * Storage on the write-ahead log: a Ready's entries go out as one group-committed batch. Their
 * encoded records are also kept in `history` (bounded), which the core reads to DIFF learners
 * further behind than its in-memory log.
 */
export class LogStorage implements Storage {
  constructor(
    private readonly log: TxnLog,
    /** Where the epoch files live (dataDir, as ZooKeeper). */
    private readonly epochDir: string,
    readonly history: LogHistory,
  ) {}

  get failure(): Error | undefined {
    return this.log.failed;
  }

  append(entries: readonly Entry[]): Promise<void> {
    const records: { zxid: number; record: Uint8Array }[] = [];
    let prev = this.log.lastZxid;
    for (const e of entries) {
      const record = encodeTxn(e.txn);
      records.push({ zxid: e.zxid, record });
      this.history.append(e.zxid, record, prev);
      prev = e.zxid;
    }
    return this.log.appendAll(records);
  }

  truncate(zxid: number): Promise<void> {
    this.history.truncate(zxid);
    return this.log.truncate(zxid);
  }

  snapshotInstalled(zxid: number): void {
    this.history.reset(zxid);
  }

  async saveHardState(state: HardState): Promise<void> {
    // acceptedEpoch first: a crash between the two leaves currentEpoch <= acceptedEpoch.
    await writeEpoch(this.epochDir, "acceptedEpoch", state.acceptedEpoch);
    await writeEpoch(this.epochDir, "currentEpoch", state.currentEpoch);
  }

  close(): Promise<void> {
    return this.log.close();
  }
}
