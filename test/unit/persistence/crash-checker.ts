import { recover } from "../../../server/persistence/recovery.js";
import { Prng } from "../../../server/util/prng.js";
import { DATA_DIR, LOG_DIR, record, z } from "./log-fixtures.js";
import type { MemFiles } from "./mem-files.js";

/** Anything with the log's append contract: resolve only once the record is durable. */
export interface AppendLog {
  append(zxid: number, record: Uint8Array): Promise<void>;
}

export interface CrashCheck {
  /** Acknowledged (resolved) but missing after crash + recovery: a durability violation. */
  lost: number[];
  /** Other violations: recovered records out of order, or not a prefix of what was appended. */
  problems: string[];
  acked: number;
  recovered: number;
}

/**
 * The durability checker: concurrent appenders write records until the machine crashes before
 * mutation number `crashAt` (or until they are done, then it crashes anyway); after reboot and
 * recovery, every acknowledged record must be there and the recovered log must be a prefix of the
 * appended sequence. Record sizes come from the seed, so a failing run replays exactly.
 */
export async function checkCrash(
  files: MemFiles,
  openLog: (files: MemFiles) => Promise<AppendLog>,
  options: { crashAt: number; appenders: number; perAppender: number; seed: number },
): Promise<CrashCheck> {
  const log = await openLog(files);
  files.crashAtMutation = files.mutations + options.crashAt;
  const prng = new Prng(options.seed);
  const attempted: number[] = [];
  const acked = new Set<number>();
  let next = 1;
  const appender = async (): Promise<void> => {
    for (let i = 0; i < options.perAppender; i++) {
      const zxid = z(next++);
      attempted.push(zxid);
      try {
        await log.append(zxid, record(zxid, 1 + prng.below(200)));
        acked.add(zxid);
      } catch {
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: options.appenders }, appender));
  if (!files.down) files.crash();
  files.reboot();
  let got: number[];
  try {
    const rec = await recover({ dataDir: DATA_DIR, dataLogDir: LOG_DIR, files });
    got = rec.txns.map((t) => Number(t.zxid));
  } catch (e) {
    // A log that cannot be recovered has lost everything it acknowledged.
    return {
      lost: [...acked],
      problems: [`recovery failed: ${(e as Error).message}`],
      acked: acked.size,
      recovered: 0,
    };
  }
  const present = new Set(got);
  const problems: string[] = [];
  got.forEach((zxid, i) => {
    if (zxid !== attempted[i])
      problems.push(`recovered[${i}] is ${zxid}, appended[${i}] was ${attempted[i]}`);
  });
  return {
    lost: [...acked].filter((zxid) => !present.has(zxid)),
    problems,
    acked: acked.size,
    recovered: got.length,
  };
}
