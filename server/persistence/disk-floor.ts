import { statfsSync } from "node:fs";

/** Which configured directory: the names of zoo.cfg's keys. */
export type DiskDirName = "dataDir" | "dataLogDir";

/** One directory's filesystem as last read. */
export interface DirSpace {
  readonly name: DiskDirName;
  readonly path: string;
  /** Bytes an unprivileged writer may still use (statfs bavail × bsize); -1 if it cannot be read. */
  readonly freeBytes: number;
  readonly totalBytes: number;
  /** The floor for this filesystem: the larger of the byte and percentage floors. */
  readonly floorBytes: number;
  readonly low: boolean;
  /** Why statfs failed, when it did (the directory is then not counted as low). */
  readonly error: string | undefined;
}

export interface DiskFloorOptions {
  readonly dirs: readonly { name: DiskDirName; path: string }[];
  /** paddock.diskFreeBytesMin */
  readonly freeBytesMin: number;
  /** paddock.diskFreePercentMin */
  readonly freePercentMin: number;
  /** Default: node's statfs. */
  readonly statfs?: (path: string) => { bavail: number; bsize: number; blocks: number };
}

/**
 * The free-space floor of dataDir and dataLogDir. `check()` reads each filesystem (statfs) and
 * returns the directories whose state changed; between checks `refusal` is a cached field, so
 * the write path pays one property read. bavail, not bfree: the blocks reserved for root are no
 * headroom a server can count on.
 */
export class DiskFloor {
  private state: DirSpace[];
  private reason: string | undefined;

  constructor(private readonly options: DiskFloorOptions) {
    this.state = options.dirs.map((d) => ({
      ...d,
      freeBytes: -1,
      totalBytes: -1,
      floorBytes: options.freeBytesMin,
      low: false,
      error: undefined,
    }));
  }

  /** Why writes are refused now (the first low directory), or undefined. */
  get refusal(): string | undefined {
    return this.reason;
  }

  get dirs(): readonly DirSpace[] {
    return this.state;
  }

  get low(): boolean {
    return this.reason !== undefined;
  }

  /** Reads every directory's free space; returns the directories that went low or recovered. */
  check(): DirSpace[] {
    const statfs = this.options.statfs ?? ((path: string) => statfsSync(path));
    const changed: DirSpace[] = [];
    this.state = this.state.map((before) => {
      const after = this.read(before, statfs);
      if (after.low !== before.low) changed.push(after);
      return after;
    });
    const first = this.state.find((d) => d.low);
    this.reason = first === undefined ? undefined : describeLow(first);
    return changed;
  }

  private read(before: DirSpace, statfs: NonNullable<DiskFloorOptions["statfs"]>): DirSpace {
    try {
      const s = statfs(before.path);
      const totalBytes = s.blocks * s.bsize;
      const freeBytes = s.bavail * s.bsize;
      const percentFloor = Math.ceil((totalBytes * this.options.freePercentMin) / 100);
      const floorBytes = Math.max(this.options.freeBytesMin, percentFloor);
      return { ...before, freeBytes, totalBytes, floorBytes, low: freeBytes < floorBytes, error: undefined };
    } catch (e) {
      // An unreadable directory keeps its last state: a failing statfs is no evidence of space.
      return { ...before, error: (e as Error).message };
    }
  }
}

/** The refusal's text: which directory, its free bytes, the floor and which key sets it. */
export function describeLow(d: DirSpace): string {
  return `${d.name} ${d.path} has ${d.freeBytes} bytes free, below the floor of ${d.floorBytes} bytes (paddock.diskFreeBytesMin, paddock.diskFreePercentMin): this member refuses writes and serves reads until space returns`;
}
