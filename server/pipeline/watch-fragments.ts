import type { Stat } from "../gen/paddock/v1/data.js";
import type { WatchChange } from "../gen/paddock/v1/watch.js";

/**
 * Splitting one transaction's changes over several WatchChanges messages (the request's fragment),
 * so that each encoded message stays within `bytesMax` (jute.maxbuffer, as other replies). Sizes
 * are upper bounds worked out from lengths, never by encoding twice: a path's UTF-8 is at most 3
 * bytes per UTF-16 unit, a Stat at most STAT_BYTES_MAX, each field's tag and length prefix counted
 * at their widest. A change that alone is over the limit goes alone in its message: its data and
 * previous data are each at most jute.maxbuffer, so it still fits the transport's limit
 * (4 × jute.maxbuffer + 64 KiB, server.ts).
 */

/** WatchStreamResponse and WatchChanges around the changes: tags, lengths, zxid, fragment flag. */
export const MESSAGE_OVERHEAD_BYTES = 32;
/** A Stat: eleven varint fields of 11 bytes at most (tag included), and its own tag and length. */
const STAT_BYTES_MAX = 11 * 11 + 6;
/** A change's tag and length, its type, the flags, and the tags and lengths of its byte fields. */
const CHANGE_FIXED_BYTES_MAX = 6 + 2 + 2 * 3 + 3 * 6;

export function changeBytesMax(change: WatchChange): number {
  return (
    CHANGE_FIXED_BYTES_MAX +
    3 * change.path.length +
    change.data.length +
    change.prevData.length +
    statBytes(change.stat) +
    statBytes(change.prevStat)
  );
}

function statBytes(stat: Stat | undefined): number {
  return stat === undefined ? 0 : STAT_BYTES_MAX;
}

/** The changes in consecutive groups of at most `bytesMax` encoded bytes per message (one, if they fit). */
export function fragments(changes: WatchChange[], bytesMax: number): WatchChange[][] {
  const out: WatchChange[][] = [];
  let group: WatchChange[] = [];
  let bytes = MESSAGE_OVERHEAD_BYTES;
  for (const change of changes) {
    const size = changeBytesMax(change);
    if (group.length > 0 && bytes + size > bytesMax) {
      out.push(group);
      group = [];
      bytes = MESSAGE_OVERHEAD_BYTES;
    }
    group.push(change);
    bytes += size;
  }
  out.push(group);
  return out;
}
