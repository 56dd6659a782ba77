import type { Entry, HardState } from "../consensus/ready.js";
import { Txn } from "../gen/paddock/internal/v1/txn.js";
import { writeEpoch } from "../persistence/epoch-file.js";
import type { TxnLog } from "../persistence/txn-log.js";
import { reusedWriterEncoder } from "../util/reused-writer.js";
import type { Storage } from "./storage.js";

const encodeTxn = reusedWriterEncoder(Txn.encode);

/** Storage on the write-ahead log: a Ready's entries go out as one group-committed batch. */
export class LogStorage implements Storage {
  constructor(
    private readonly log: TxnLog,
    /** Where the epoch files live (dataDir, as ZooKeeper). */
    private readonly epochDir: string,
  ) {}

  get failure(): Error | undefined {
    return this.log.failed;
  }

  append(entries: readonly Entry[]): Promise<void> {
    return this.log.appendAll(entries.map((e) => ({ zxid: e.zxid, record: encodeTxn(e.txn) })));
  }

  truncate(zxid: number): Promise<void> {
    return this.log.truncate(zxid);
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
