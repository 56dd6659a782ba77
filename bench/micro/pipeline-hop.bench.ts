/**
 * The cost of one hop of a request through RxJS in the shapes DESIGN.md weighs for the pipeline:
 * a Subject per request, a Subject per batch with a plain loop inside, and groupBy + concatMap per
 * session. Each iteration pushes 64 requests from 8 sessions; divide by 64 for the per-request cost.
 * (The real pipeline's hop replaces this once server/pipeline is in main.)
 */
import { concatMap, groupBy, map, mergeMap, of, Subject } from "rxjs";
import { bench, describe } from "vitest";

interface Req {
  session: number;
  xid: number;
}

const batch: Req[] = Array.from({ length: 64 }, (_, i) => ({ session: i % 8, xid: i }));
let sink = 0;

const perRequest = new Subject<Req>();
perRequest.pipe(map((r) => r.xid + 1)).subscribe((x) => (sink += x));

const perBatch = new Subject<Req[]>();
perBatch
  .pipe(
    map((rs) => {
      let s = 0;
      for (const r of rs) s += r.xid + 1;
      return s;
    }),
  )
  .subscribe((x) => (sink += x));

const grouped = new Subject<Req>();
grouped
  .pipe(
    groupBy((r) => r.session),
    mergeMap((g) => g.pipe(concatMap((r) => of(r.xid + 1)))),
  )
  .subscribe((x) => (sink += x));

describe("pipeline hop, 64 requests per iteration", () => {
  bench("Subject.next per request + map", () => {
    for (const r of batch) perRequest.next(r);
  });
  bench("Subject.next per batch + plain loop", () => {
    perBatch.next(batch);
  });
  bench("groupBy(session) + concatMap per request", () => {
    for (const r of batch) grouped.next(r);
  });
});

// Read the sink so the work above cannot be optimised away.
if (sink < 0) throw new Error(`impossible sink ${sink}`);
