import { describe, expect, it } from "vitest";
import {
  asBuffer,
  byteAt,
  dataLength,
  INLINE_DATA_BYTES_MAX,
  isNullData,
  loadData,
  NULL_DATA,
  storeData,
} from "../../../server/tree/bytes.js";
import {
  CONTAINER_OWNER,
  clientOwner,
  OwnerKind,
  ownerKind,
  TTL_MAX,
  ttlOf,
  ttlOwner,
} from "../../../server/tree/ephemeral-type.js";

describe("stored znode data", () => {
  it("empty data is empty, or ZooKeeper's null when asked; only null is null", () => {
    expect(storeData(new Uint8Array(0))).toBe("");
    expect(isNullData(storeData(new Uint8Array(0)))).toBe(false);
    expect(storeData(new Uint8Array(0), true)).toBe(NULL_DATA);
    expect(isNullData(storeData(new Uint8Array(0), true))).toBe(true);
    expect(isNullData(new Uint8Array(0))).toBe(false);
    // dataNull means nothing for data that is not empty.
    expect(storeData(Uint8Array.of(1), true)).toBe("\x01");
  });

  it("up to INLINE_DATA_BYTES_MAX bytes are a string, beyond that the caller's array, never copied", () => {
    const inline = new Uint8Array(INLINE_DATA_BYTES_MAX).fill(0xff);
    const stored = storeData(inline);
    expect(typeof stored).toBe("string");
    expect(dataLength(stored)).toBe(INLINE_DATA_BYTES_MAX);
    expect(byteAt(stored, 1023)).toBe(0xff);
    const big = new Uint8Array(INLINE_DATA_BYTES_MAX + 1).fill(7);
    expect(storeData(big)).toBe(big);
    expect(byteAt(big, INLINE_DATA_BYTES_MAX)).toBe(7);
  });

  it("loads inline data as a fresh copy each time, and large data as a view over the same bytes", () => {
    const stored = storeData(Uint8Array.of(1, 2, 250));
    const a = loadData(stored);
    a[0] = 9;
    expect([...loadData(stored)]).toEqual([1, 2, 250]);
    expect(loadData("").length).toBe(0);
    const backing = new Uint8Array(2000).fill(3);
    const view = backing.subarray(100, 1200);
    const loaded = loadData(storeData(view));
    expect(loaded.length).toBe(1100);
    backing[100] = 42;
    expect(loaded[0]).toBe(42);
  });

  it("asBuffer keeps a Buffer and views a Uint8Array at its offset", () => {
    const b = Buffer.from([1, 2]);
    expect(asBuffer(b)).toBe(b);
    const u = Uint8Array.of(5, 6, 7, 8).subarray(1, 3);
    const v = asBuffer(u);
    expect(Buffer.isBuffer(v)).toBe(true);
    expect([...v]).toEqual([6, 7]);
  });
});

describe("ephemeral owners (ZooKeeper's EphemeralType)", () => {
  it("0 is persistent, 2^63 a container, 0xFF.. a TTL node, anything else a session", () => {
    // Signed as on the wire: a container's owner is the most negative int64.
    expect(CONTAINER_OWNER).toBe(-(1n << 63n));
    expect(ownerKind(0n)).toBe(OwnerKind.Persistent);
    expect(ownerKind(CONTAINER_OWNER)).toBe(OwnerKind.Container);
    expect(ownerKind(ttlOwner(1000))).toBe(OwnerKind.Ttl);
    expect(ownerKind(0x100000faed80001n)).toBe(OwnerKind.Ephemeral);
    // Only all of the top byte marks TTL: 0xFE.. or 0x7F.. are sessions as far as the tree goes.
    expect(ownerKind(BigInt.asIntN(64, 0xfe00000000000001n))).toBe(OwnerKind.Ephemeral);
    expect(ownerKind(0x7f00000000000001n)).toBe(OwnerKind.Ephemeral);
  });

  it("a TTL is in the low 40 bits, signed as on the wire", () => {
    expect(ttlOwner(1)).toBe(-0xffffffffffffffn);
    expect(ttlOf(ttlOwner(1000))).toBe(1000);
    expect(ttlOf(ttlOwner(TTL_MAX))).toBe(0xff_ffff_ffff);
    expect(ttlOwner(TTL_MAX) < 0n).toBe(true);
  });

  it("clients see 0 for containers and TTL nodes, the session for an ephemeral", () => {
    expect(clientOwner(CONTAINER_OWNER)).toBe(0n);
    expect(clientOwner(ttlOwner(5))).toBe(0n);
    expect(clientOwner(0n)).toBe(0n);
    expect(clientOwner(77n)).toBe(77n);
  });
});
