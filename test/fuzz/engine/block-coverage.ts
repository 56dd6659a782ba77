// BlockCoverage: V8 precise block coverage of server/ code, read through node:inspector.
import { Session } from "node:inspector";

interface Range {
  startOffset: number;
  endOffset: number;
  count: number;
}
interface FunctionCoverage {
  functionName: string;
  ranges: Range[];
}
interface ScriptCoverage {
  url: string;
  functions: FunctionCoverage[];
}

/**
 * Which block ranges of the server's code one execution reached. V8's precise coverage
 * (Profiler.startPreciseCoverage with callCount and detailed) counts executions per block;
 * takePreciseCoverage returns the counts since the last take and resets them. V8 reports a block
 * only where its count differs from the block around it, so a block seen once as skipped (count 0)
 * is remembered, and a later execution that reports nothing for it ran it as often as its
 * enclosing range. In-process sessions answer synchronously, so take() is a plain call.
 */
export class BlockCoverage {
  private readonly session = new Session();
  /** Feature ids: "url start end" of each reached range, interned. */
  private readonly ids = new Map<string, number>();
  /** Per function ("url start"), the inner block ranges ever reported. */
  private readonly blocks = new Map<string, Range[]>();
  private started = false;

  constructor(private readonly include: (url: string) => boolean = isServerScript) {}

  start(): void {
    if (this.started) return;
    this.session.connect();
    this.post("Profiler.enable");
    this.post("Profiler.startPreciseCoverage", { callCount: true, detailed: true });
    this.started = true;
    this.take();
  }

  stop(): void {
    if (!this.started) return;
    this.post("Profiler.stopPreciseCoverage");
    this.post("Profiler.disable");
    this.session.disconnect();
    this.started = false;
  }

  /** Distinct features seen so far (for reports). */
  get featureCount(): number {
    return this.ids.size;
  }

  /** The features reached since the previous take(). */
  take(): number[] {
    const result = this.post("Profiler.takePreciseCoverage") as { result: ScriptCoverage[] };
    const out: number[] = [];
    for (const script of result.result) {
      if (!this.include(script.url)) continue;
      for (const fn of script.functions) {
        const outer = fn.ranges[0];
        if (outer === undefined || outer.count === 0) continue;
        const fnKey = `${script.url} ${outer.startOffset}`;
        out.push(this.id(`${fnKey} ${outer.endOffset}`));
        let known = this.blocks.get(fnKey);
        if (known === undefined) this.blocks.set(fnKey, (known = []));
        for (let i = 1; i < fn.ranges.length; i++) {
          const r = fn.ranges[i]!;
          if (!known.some((k) => k.startOffset === r.startOffset && k.endOffset === r.endOffset)) {
            known.push({ startOffset: r.startOffset, endOffset: r.endOffset, count: 0 });
          }
        }
        for (const block of known) {
          if (countOf(fn.ranges, block) > 0)
            out.push(this.id(`${fnKey} ${block.startOffset} ${block.endOffset}`));
        }
      }
    }
    return out;
  }

  private id(key: string): number {
    let id = this.ids.get(key);
    if (id === undefined) this.ids.set(key, (id = this.ids.size));
    return id;
  }

  private post(method: string, params?: object): unknown {
    let answer: unknown;
    let failure: Error | null = null;
    let answered = false;
    this.session.post(method, params ?? {}, (error, result) => {
      failure = error;
      answer = result;
      answered = true;
    });
    if (!answered) throw new Error(`inspector did not answer ${method} synchronously`);
    if (failure !== null) throw failure;
    return answer;
  }
}

/** The count of `block`: its own range if reported, else the innermost reported range around it. */
function countOf(ranges: readonly Range[], block: Range): number {
  let best: Range | undefined;
  for (const r of ranges) {
    if (r.startOffset > block.startOffset || r.endOffset < block.endOffset) continue;
    if (best === undefined || r.endOffset - r.startOffset <= best.endOffset - best.startOffset) best = r;
  }
  return best?.count ?? 0;
}

/** Scripts of server/ (generated decoders included), never node_modules or the tests. */
export function isServerScript(url: string): boolean {
  return url.includes("/server/") && !url.includes("/node_modules/");
}
