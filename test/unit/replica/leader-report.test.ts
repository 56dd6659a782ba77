import { describe, expect, it } from "vitest";
import { LeaderReports, reportToWire } from "../../../server/replica/leader-report.js";

const report = {
  leaderId: 2,
  epoch: 3,
  lastZxid: 3 * 2 ** 32 + 7,
  learners: [
    { id: 1, observer: false, synced: true, ackedZxid: 3 * 2 ** 32 + 5 },
    { id: 4, observer: true, synced: false, ackedZxid: 0 },
  ],
};

describe("LeaderReports", () => {
  it("a leader sends every `everyTicks` ticks; 0 never", () => {
    const every3 = new LeaderReports(3);
    expect(Array.from({ length: 7 }, () => every3.tick())).toEqual([
      false,
      false,
      true,
      false,
      false,
      true,
      false,
    ]);
    const never = new LeaderReports(0);
    expect(Array.from({ length: 5 }, () => never.tick()).some(Boolean)).toBe(false);
  });

  it("a learner keeps its leader's last report, from that leader and epoch, while fresh", () => {
    const reports = new LeaderReports(2);
    expect(reports.latest(2, 3)).toBeUndefined();
    reports.received(2, reportToWire(report));
    expect(reports.latest(2, 3)).toEqual(report);
    // Another leader or epoch: not this member's current leader's view.
    expect(reports.latest(1, 3)).toBeUndefined();
    expect(reports.latest(2, 4)).toBeUndefined();
    // Three intervals (6 ticks) without a newer one: stale.
    for (let i = 0; i < 6; i++) reports.tick();
    expect(reports.latest(2, 3)).toEqual(report);
    reports.tick();
    expect(reports.latest(2, 3)).toBeUndefined();
    reports.received(2, reportToWire(report));
    expect(reports.latest(2, 3)).toEqual(report);
  });
});
