/**
 * A counter in Curator's DistributedAtomicLong format (the node's data is the value as 8 bytes,
 * big-endian), changed by a compare-and-set loop on the node's version: read, compute, setData
 * with the version read; a BadVersion means someone else won, so read again.
 */
import type { Client } from "../client.js";
import { BadVersionError, NodeExistsError, NoNodeError, PaddockError } from "../errors.js";
import { toBuffer } from "../types.js";
import { ensurePath } from "./nodes.js";

const attemptsMax = 10_000;

export function encodeLong(value: bigint): Buffer {
  const buf = Buffer.alloc(8);
  buf.writeBigInt64BE(BigInt.asIntN(64, value));
  return buf;
}

function decodeLong(data: Uint8Array, path: string): bigint {
  const buf = toBuffer(data);
  if (buf.length === 0) return 0n;
  if (buf.length !== 8) throw new PaddockError(-5, path, `counter ${path} holds ${buf.length} bytes, not 8`);
  return buf.readBigInt64BE(0);
}

export class AtomicLong {
  constructor(
    readonly client: Client,
    readonly path: string,
  ) {}

  /** The current value (0 when the node does not exist). */
  async get(): Promise<bigint> {
    try {
      return decodeLong((await this.client.getData(this.path)).data, this.path);
    } catch (error) {
      if (error instanceof NoNodeError) return 0n;
      throw error;
    }
  }

  increment(): Promise<{ preValue: bigint; postValue: bigint }> {
    return this.update((v) => v + 1n);
  }

  add(delta: bigint): Promise<{ preValue: bigint; postValue: bigint }> {
    return this.update((v) => v + delta);
  }

  /** Sets `next` only if the value is `expected`; false (and no write) otherwise. */
  async compareAndSet(expected: bigint, next: bigint): Promise<boolean> {
    let won = false;
    await this.update((v) => {
      won = v === expected;
      return won ? next : undefined;
    });
    return won;
  }

  /** Applies `f` atomically; `f` returning undefined aborts with no write. */
  async update(f: (value: bigint) => bigint | undefined): Promise<{ preValue: bigint; postValue: bigint }> {
    for (let attempt = 0; attempt < attemptsMax; attempt++) {
      let current: { value: bigint; version: number } | undefined;
      try {
        const { data, stat } = await this.client.getData(this.path);
        current = { value: decodeLong(data, this.path), version: stat.version };
      } catch (error) {
        if (!(error instanceof NoNodeError)) throw error;
      }
      const preValue = current?.value ?? 0n;
      const postValue = f(preValue);
      if (postValue === undefined) return { preValue, postValue: preValue };
      try {
        if (current === undefined) {
          await ensurePath(this.client, this.path, "CONTAINER", false);
          await this.client.create(this.path, encodeLong(postValue));
        } else await this.client.setData(this.path, encodeLong(postValue), current.version);
        return { preValue, postValue };
      } catch (error) {
        if (!(error instanceof BadVersionError) && !(error instanceof NodeExistsError)) throw error;
      }
    }
    throw new PaddockError(-7, this.path, `counter ${this.path}: no update won in ${attemptsMax} attempts`);
  }
}
