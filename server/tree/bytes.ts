/**
 * Znode data storage. Small data (the common case) is kept as a one-byte-per-char string: V8 stores
 * it in one object with a 16-byte header, where a Uint8Array view costs about 100 bytes of heap on
 * top of its bytes. Larger data keeps the caller's array (never copied, never mutated).
 *
 * The generated proto types carry data as Node's Buffer, so this file is the one place in the pure
 * tree that touches the global Buffer (no import; it is deterministic and does no I/O).
 */
export type StoredData = string | Uint8Array;

/**
 * ZooKeeper's null data (a node created with none, as zkCli's `create /a` or Kafka does), told
 * apart from empty data by identity: it is empty everywhere else (length, digest, size checks).
 */
export const NULL_DATA: Uint8Array = new Uint8Array(0);

export function isNullData(data: StoredData): boolean {
  return data === NULL_DATA;
}

/** Data up to this many bytes is stored as a string. */
export const INLINE_DATA_BYTES_MAX = 1024;

export const EMPTY_DATA = "";

const EMPTY_BUFFER = Buffer.alloc(0);

export function storeData(data: Uint8Array, dataNull = false): StoredData {
  if (data.length === 0) return dataNull ? NULL_DATA : EMPTY_DATA;
  if (data.length > INLINE_DATA_BYTES_MAX) return data;
  return asBuffer(data).toString("latin1");
}

export function dataLength(data: StoredData): number {
  return data.length;
}

/** A Buffer for a reply or a snapshot: a fresh copy for inline data, a view for large data. */
export function loadData(data: StoredData): Buffer {
  if (typeof data === "string") return data.length === 0 ? EMPTY_BUFFER : Buffer.from(data, "latin1");
  return asBuffer(data);
}

export function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** Byte i of stored data (for hashing). */
export function byteAt(data: StoredData, i: number): number {
  return typeof data === "string" ? data.charCodeAt(i) : data[i]!;
}

/** UTF-8 bytes of a text the tree writes itself (/zookeeper/config after a reconfig). */
export function utf8(text: string): Buffer {
  return Buffer.from(text, "utf8");
}
