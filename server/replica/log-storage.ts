import type { Entry } from "../consensus/ready.js";
import { Txn } from "../gen/paddock/internal/v1/txn.js";
import type { TxnLog } from "../persistence/txn-log.js";
import type { Storage } from "./storage.js";

/** Storage on the write-ahead log: a Ready's entries go out as one group-committed batch. */
export class LogStorage implements Storage {
  constructor(private readonly log: TxnLog) {}

  get failure(): Error | undefined {
    return this.log.failed;
  }

  append(entries: readonly Entry[]): Promise<void> {
    return this.log.appendAll(entries.map((e) => ({ zxid: e.zxid, record: Txn.encode(e.txn).finish() })));
  }

  close(): Promise<void> {
    return this.log.close();
  }
}
