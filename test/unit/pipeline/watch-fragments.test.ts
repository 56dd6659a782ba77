import { describe, expect, it } from "vitest";
import type { Stat } from "../../../server/gen/paddock/v1/data.js";
import { type WatchChange, WatchStreamResponse } from "../../../server/gen/paddock/v1/watch.js";
import {
  changeBytesMax,
  fragments,
  MESSAGE_OVERHEAD_BYTES,
} from "../../../server/pipeline/watch-fragments.js";

// The fragment splitter's size bound (found by mutation testing, docs/TESTING.md): each message
// a fragmented stream sends stays within jute.maxbuffer, measured by encoding it for real.

/** A Stat at its widest: every varint negative, so 10 bytes each. */
const WIDE_STAT: Stat = {
  czxid: -1n,
  mzxid: -1n,
  ctime: -1n,
  mtime: -1n,
  version: -1,
  cversion: -1,
  aversion: -1,
  ephemeralOwner: -1n,
  dataLength: -1,
  numChildren: -1,
  pzxid: -1n,
};

function change(path: string, data = 0, prevData = 0, stats = 0): WatchChange {
  return {
    type: 3,
    path,
    data: Buffer.alloc(data, 1),
    stat: stats >= 1 ? WIDE_STAT : undefined,
    dataNull: true,
    prevData: Buffer.alloc(prevData, 2),
    prevStat: stats >= 2 ? WIDE_STAT : undefined,
    prevDataNull: true,
  };
}

/** The encoded size of the message that carries `changes`, as watch-streams.ts sends it. */
function encodedBytes(changes: WatchChange[]): number {
  const zxid = -1n; // the widest zxid varint
  const msg = { kind: { $case: "changes" as const, value: { zxid, changes, fragment: true } } };
  return WatchStreamResponse.encode(msg).finish().length;
}

describe("changeBytesMax: an upper bound on a change's encoded size", () => {
  it("is 32 fixed bytes, 3 per path unit, the data, the previous data and 127 per stat", () => {
    expect(changeBytesMax(change("/"))).toBe(32 + 3);
    expect(changeBytesMax(change("/ab", 10))).toBe(32 + 9 + 10);
    expect(changeBytesMax(change("/ab", 10, 5))).toBe(32 + 9 + 10 + 5);
    expect(changeBytesMax(change("/ab", 10, 5, 1))).toBe(32 + 9 + 10 + 5 + 127);
    expect(changeBytesMax(change("/ab", 10, 5, 2))).toBe(32 + 9 + 10 + 5 + 2 * 127);
    expect(changeBytesMax({ ...change("/ab", 10, 5), prevStat: WIDE_STAT })).toBe(32 + 9 + 10 + 5 + 127);
  });

  it("is never below the real encoding, with every field at its widest", () => {
    for (const path of ["/", "/ab", "/€€€", "/\u{1F600}", `/${"x".repeat(300)}`])
      for (const [data, prev] of [
        [0, 0],
        [1, 0],
        [0, 200],
        [127, 128],
        [20_000, 300_000],
      ] as const)
        for (const stats of [0, 1, 2]) {
          const c = change(path, data, prev, stats);
          expect(encodedBytes([c]), `${path.length} ${data} ${prev} ${stats}`).toBeLessThanOrEqual(
            MESSAGE_OVERHEAD_BYTES + changeBytesMax(c),
          );
        }
  });
});

describe("fragments: consecutive groups within bytesMax per message", () => {
  const a = change("/a", 100);
  const b = change("/b", 100, 0, 1);
  const c = change("/c", 100, 50, 2);
  const all = MESSAGE_OVERHEAD_BYTES + changeBytesMax(a) + changeBytesMax(b) + changeBytesMax(c);

  it("keeps every change in one message when they fit exactly", () => {
    expect(fragments([a, b, c], all)).toEqual([[a, b, c]]);
    expect(fragments([a, b, c], all + 1)).toEqual([[a, b, c]]);
  });

  it("one byte under the limit moves the last change into a second message", () => {
    expect(fragments([a, b, c], all - 1)).toEqual([[a, b], [c]]);
    const twoAtMost = MESSAGE_OVERHEAD_BYTES + changeBytesMax(b) + changeBytesMax(c);
    expect(fragments([a, b, c], twoAtMost)).toEqual([[a, b], [c]]);
    expect(fragments([c, b, a], twoAtMost)).toEqual([[c, b], [a]]);
  });

  it("a change alone over the limit goes alone in its message, in order", () => {
    const big = change("/big", 5_000);
    expect(fragments([a, big, b], 1_000)).toEqual([[a], [big], [b]]);
    expect(fragments([big], 100)).toEqual([[big]]);
    expect(fragments([big, big], 100)).toEqual([[big], [big]]);
  });

  it("every fragment's encoded size is within the limit, and the changes stay in order", () => {
    const changes = Array.from({ length: 40 }, (_, i) =>
      change(`/n${i}${"€".repeat(i % 7)}`, (i * 37) % 300, (i * 53) % 200, i % 3),
    );
    for (let bytesMax = 1_200; bytesMax <= 6_000; bytesMax += 97) {
      const groups = fragments(changes, bytesMax);
      expect(groups.flat()).toEqual(changes);
      for (const g of groups) {
        expect(g.length).toBeGreaterThan(0);
        expect(encodedBytes(g)).toBeLessThanOrEqual(bytesMax);
      }
    }
  });
});
