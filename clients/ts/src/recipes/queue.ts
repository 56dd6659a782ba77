/**
 * A distributed FIFO queue (and priority queue) in Curator's DistributedQueue layout: items are
 * `<path>/queue-<seq>` (priority: `queue-<priority as 9 hex digits><seq>`, lower first), persistent
 * sequential, their data in Curator's ItemSerializer framing (version 0x00010001, then per item
 * opcode 1 + length + bytes, then opcode 2), so Curator consumers read what we put and vice versa.
 * A consumer takes the first item by deleting it; losing that race moves it to the next item.
 */
import type { Client } from "../client.js";
import { NoNodeError, PaddockError } from "../errors.js";
import { toBuffer } from "../types.js";
import { ensurePath, join, oneShot } from "./nodes.js";

const VERSION = 0x00010001;
const ITEM = 0x01;
const EOF = 0x02;

export function serializeItems(items: readonly (Uint8Array | string)[]): Buffer {
  const parts: Buffer[] = [Buffer.alloc(4)];
  parts[0]!.writeInt32BE(VERSION);
  for (const item of items) {
    const bytes = toBuffer(item);
    const head = Buffer.alloc(5);
    head.writeUInt8(ITEM, 0);
    head.writeInt32BE(bytes.length, 1);
    parts.push(head, bytes);
  }
  parts.push(Buffer.from([EOF]));
  return Buffer.concat(parts);
}

export function deserializeItems(data: Uint8Array, path: string): Buffer[] {
  const buf = toBuffer(data);
  const bad = (why: string): PaddockError => new PaddockError(-5, path, `queue item ${path}: ${why}`);
  if (buf.length < 5 || buf.readInt32BE(0) !== VERSION) throw bad("not in Curator's item framing");
  const items: Buffer[] = [];
  let at = 4;
  for (;;) {
    const opcode = buf[at];
    if (opcode === EOF) return items;
    if (opcode !== ITEM || at + 5 > buf.length) throw bad(`bad opcode or truncated at byte ${at}`);
    const length = buf.readInt32BE(at + 1);
    if (length < 0 || at + 5 + length > buf.length) throw bad(`item length ${length} past the end`);
    items.push(buf.subarray(at + 5, at + 5 + length));
    at += 5 + length;
  }
}

/** Curator's priorityToString: sign digit then the 32-bit value in 8 hex digits, so names sort by priority. */
export function priorityKey(priority: number): string {
  if (!Number.isInteger(priority) || priority < -(2 ** 31) || priority >= 2 ** 31)
    throw new RangeError(`queue priority must be a 32-bit integer, got ${priority}`);
  return (priority >= 0 ? "1" : "0") + (priority >>> 0).toString(16).toUpperCase().padStart(8, "0");
}

export class Queue {
  constructor(
    readonly client: Client,
    readonly path: string,
  ) {}

  /** Adds an item; with `priority`, lower priorities are taken first (FIFO within one priority). */
  async put(item: Uint8Array | string, priority?: number): Promise<string> {
    const name = priority === undefined ? "queue-" : `queue-${priorityKey(priority)}`;
    const data = serializeItems([item]);
    try {
      return (await this.client.create(join(this.path, name), data, { mode: "PERSISTENT_SEQUENTIAL" })).path;
    } catch (error) {
      if (!(error instanceof NoNodeError)) throw error;
      await ensurePath(this.client, this.path);
      return (await this.client.create(join(this.path, name), data, { mode: "PERSISTENT_SEQUENTIAL" })).path;
    }
  }

  /** Takes the first item, waiting for one; undefined when `timeoutMs` passes first. */
  async take(timeoutMs?: number): Promise<Buffer | undefined> {
    const deadline = timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + timeoutMs;
    await ensurePath(this.client, this.path);
    for (;;) {
      const change = oneShot(this.client);
      const { children } = await this.client.getChildren(this.path, { watch: change.watcher });
      for (const name of children.filter((c) => c.startsWith("queue-")).sort()) {
        const path = join(this.path, name);
        try {
          const { data, stat } = await this.client.getData(path);
          await this.client.delete(path, stat.version);
          const items = deserializeItems(data, path);
          if (items[0] !== undefined) return items[0];
        } catch (error) {
          if (!(error instanceof NoNodeError)) throw error;
        }
      }
      if (!(await change.wait(deadline))) return undefined;
    }
  }
}
