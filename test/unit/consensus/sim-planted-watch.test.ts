import { describe, expect, it, vi } from "vitest";
import type { WatchHandle, WatchSink, WatchSpec } from "../../../server/pipeline/watch-streams.js";
import type { AuthId } from "../../../server/tree/data-tree.js";
import { RealSim, realWatchRun } from "../../sim/real/real-sim.js";

// Bugs planted in the watch-stream server (by replacing its module's classes for this file only),
// each of which the simulator's watch-stream checks must catch within a few seeds.
const planted = vi.hoisted(() => ({ bug: "" }));

/** A sink that passes messages through `edit` (which may drop, split or change them). */
function editing(
  sink: WatchSink,
  edit: (send: WatchSink["send"], m: Parameters<WatchSink["send"]>[0]) => void,
): WatchSink {
  return {
    send: (m) => edit((x) => sink.send(x), m),
    get bufferedBytes() {
      return sink.bufferedBytes;
    },
    end: () => sink.end(),
  };
}

vi.mock("../../../server/pipeline/watch-streams.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../../server/pipeline/watch-streams.js")>();
  class Planted extends real.WatchStreams {
    override open(spec: WatchSpec, ids: readonly AuthId[], sink: WatchSink): WatchHandle {
      const from = spec.fromZxid;
      if (planted.bug === "resume-repeats" && from !== undefined && from > 0) {
        // An off-by-one: a resumed stream starts at its from_zxid instead of after it.
        return super.open({ ...spec, fromZxid: from - 1 }, ids, sink);
      }
      if (planted.bug === "resume-skips-one" && from !== undefined) {
        let skipped = false;
        const lossy = editing(sink, (send, m) => {
          if (!skipped && m.kind?.$case === "changes") skipped = true;
          else send(m);
        });
        return super.open(spec, ids, lossy);
      }
      if (planted.bug === "batch-keeps-first") {
        const cut = editing(sink, (send, m) => {
          if (m.kind?.$case === "changes") m.kind.value.changes = m.kind.value.changes.slice(0, 1);
          send(m);
        });
        return super.open(spec, ids, cut);
      }
      return super.open(spec, ids, sink);
    }
  }
  return { ...real, WatchStreams: Planted };
});

vi.mock("../../../server/pipeline/change-history.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../../server/pipeline/change-history.js")>();
  class Planted extends real.ChangeHistory {
    // Claims to hold only the newest few transactions when it holds everything since its start.
    override get oldest(): number {
      return planted.bug === "compacts-early" ? Math.max(super.oldest, this.newest - 3) : super.oldest;
    }
  }
  return { ...real, ChangeHistory: Planted };
});

/** The first failing seed's report, within `seeds` three-voter seeds. */
async function firstFailure(bug: string, seeds: number): Promise<string> {
  planted.bug = bug;
  try {
    for (let seed = 1; seed <= seeds; seed++) {
      try {
        await new RealSim({ seed, voters: 3, ...realWatchRun }).run();
      } catch (error) {
        return String(error);
      }
    }
    return "no seed failed";
  } finally {
    planted.bug = "";
  }
}

describe("the watch-stream checks catch bugs planted in the stream server", () => {
  it("a resumed stream that skips its first change", async () => {
    expect(await firstFailure("resume-skips-one", 10)).toMatch(
      /watch streams: w\d+\.\d+ .* misses (committed|acknowledged)/,
    );
  });

  it("a resumed stream that starts at its from_zxid, not after it", async () => {
    expect(await firstFailure("resume-repeats", 10)).toMatch(
      /0x[0-9a-f]+ delivered after 0x[0-9a-f]+ \(a zxid twice/,
    );
  });

  it("a transaction's changes cut to the first", async () => {
    expect(await firstFailure("batch-keeps-first", 10)).toMatch(
      /the multi's 5 changes came as 1|changes came as 1/,
    );
  });

  it("a history that answers COMPACTED for changes it holds", async () => {
    expect(await firstFailure("compacts-early", 10)).toMatch(
      /COMPACTED at 0x[0-9a-f]+ .*but the member's history holds/,
    );
  });
});
