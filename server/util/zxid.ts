import { assert } from "./assert.js";

/**
 * A zxid inside the server is a plain number: epoch × 2^32 + counter. Numbers are exact below 2^53,
 * so epochs stay below 2^21; that is asserted, never silently wrapped. Shifts are 32-bit in
 * JavaScript, so zxids are built with multiplication only. On the wire a zxid is an int64 (bigint).
 */
export const COUNTER_LIMIT = 0x1_0000_0000;
export const EPOCH_MAX = 0x1f_ffff;

export function makeZxid(epoch: number, counter: number): number {
  assert(Number.isInteger(epoch) && epoch >= 0 && epoch <= EPOCH_MAX, `zxid epoch out of range: ${epoch}`);
  assert(
    Number.isInteger(counter) && counter >= 0 && counter < COUNTER_LIMIT,
    `zxid counter out of range: ${counter}`,
  );
  return epoch * COUNTER_LIMIT + counter;
}

export function zxidEpoch(zxid: number): number {
  return Math.floor(zxid / COUNTER_LIMIT);
}

export function zxidCounter(zxid: number): number {
  return zxid % COUNTER_LIMIT;
}

export function zxidToWire(zxid: number): bigint {
  return BigInt(zxid);
}

export function zxidFromWire(zxid: bigint): number {
  assert(zxid >= 0n && zxid <= BigInt(Number.MAX_SAFE_INTEGER), `zxid out of range: ${zxid}`);
  return Number(zxid);
}

/** ZooKeeper prints zxids in hex: 0x100000003. */
export function zxidHex(zxid: number): string {
  return `0x${zxid.toString(16)}`;
}
