/**
 * A node's data in pieces (DataService/GetDataChunks, a Paddock extension) for values near the
 * size limit: `for await (const chunk of client.getDataChunks("/big"))`. Every piece comes from
 * one version of the node (the first carries its stat); the server sends a piece only as the
 * iterator asks for it. The call is sessionless, on the session's current server, with the
 * session's digest credentials; breaking out of the loop cancels it.
 */
import { Consistency } from "../gen/paddock/v1/data.js";
import { toClientPath, toServerPath } from "./chroot.js";
import { Code, codeName, errorFor, type PaddockError } from "./errors.js";
import { nonNegative } from "./option-checks.js";
import { validatePath } from "./path.js";
import { fromWireStat, type Stat } from "./types.js";
import type { WatchStreamSource } from "./watch-stream.js";

export interface DataChunkOptions {
  /** Bytes per piece, at most chunkBytesMax; 0 or absent: the server's default (65536). */
  chunkBytes?: number;
  /** Also reflect every write acknowledged before this read. */
  linearizable?: boolean;
  /** Deadline (ms) for the whole read, the last piece included; absent: none. */
  timeoutMs?: number;
}

export interface DataChunk {
  /** Where this piece starts in the value. */
  offset: number;
  data: Uint8Array;
  /** The last piece (also the only one of an empty or null value). */
  last: boolean;
  /** On the first piece: the stat of the version every piece comes from. */
  stat?: Stat;
  /** On the first piece of a node that holds no data at all (ZooKeeper's null). */
  dataNull?: true;
}

/** The server refuses larger pieces (data.proto). */
export const chunkBytesMax = 1_048_576;

export async function* dataChunks(
  source: WatchStreamSource,
  path: string,
  options: DataChunkOptions = {},
): AsyncGenerator<DataChunk, void, undefined> {
  validatePath(path);
  const chunkBytes = nonNegative("chunkBytes", options.chunkBytes ?? 0);
  if (chunkBytes > chunkBytesMax) throw new RangeError(`chunkBytes ${chunkBytes} exceeds ${chunkBytesMax}`);
  const transport = source.transport;
  if (transport.dataChunks === undefined) throw new TypeError("this transport has no GetDataChunks");
  const request = {
    path: toServerPath(source.chroot, path),
    consistency: options.linearizable
      ? Consistency.CONSISTENCY_LINEARIZABLE
      : Consistency.CONSISTENCY_SEQUENTIAL,
    chunkBytes,
  };
  const call = transport.dataChunks(source.current(), request, source.auth(), options.timeoutMs);
  let next = 0;
  let last = false;
  try {
    for await (const wire of call) {
      // The pieces are contiguous and end with `last`: anything else is a broken stream.
      if (last || Number(wire.offset) !== next || (next === 0) !== (wire.stat !== undefined)) {
        throw errorFor(
          Code.MarshallingError,
          path,
          `GetDataChunks: unexpected piece at offset ${wire.offset}`,
        );
      }
      const chunk: DataChunk = { offset: next, data: wire.data, last: wire.last };
      if (wire.stat !== undefined) chunk.stat = fromWireStat(wire.stat);
      if (wire.dataNull === true) chunk.dataNull = true;
      next += wire.data.length;
      last = wire.last;
      yield chunk;
    }
  } catch (error) {
    throw fromCallError(error, path, source.chroot);
  } finally {
    call.cancel();
  }
  if (!last)
    throw errorFor(Code.ConnectionLoss, path, `GetDataChunks ended before the last piece of ${path}`);
}

/** The pieces joined: one version's data and stat, as getData returns them. */
export async function joinChunks(
  chunks: AsyncIterable<DataChunk>,
): Promise<{ data: Uint8Array; stat: Stat }> {
  const parts: Uint8Array[] = [];
  let stat: Stat | undefined;
  for await (const chunk of chunks) {
    stat ??= chunk.stat;
    parts.push(chunk.data);
  }
  if (stat === undefined) throw errorFor(Code.MarshallingError, "", "GetDataChunks sent no stat");
  return { data: Buffer.concat(parts), stat };
}

/** A gRPC status as the PaddockError its trailers name (the server's code and path). */
function fromCallError(error: unknown, path: string, chroot: string): unknown {
  const e = error as { code?: number; details?: string; metadata?: { get(key: string): unknown[] } };
  if (e === null || typeof e !== "object" || typeof e.code !== "number" || e.metadata === undefined)
    return error;
  if ((error as PaddockError).codeName !== undefined) return error;
  const name = String(e.metadata.get("paddock-error-code")[0] ?? "");
  const code = (Code as Record<string, number>)[name] ?? statusCodes[e.code] ?? Code.SystemError;
  const where = e.metadata.get("paddock-error-path")[0];
  let named = path;
  try {
    if (where !== undefined && String(where) !== "")
      named = toClientPath(chroot, decodeURIComponent(String(where)));
  } catch {
    // A path outside the chroot or badly encoded: the caller's path says enough.
  }
  return errorFor(code, named, e.details || codeName(code), error);
}

/** gRPC statuses the transport itself produces (no trailers): CANCELLED, DEADLINE_EXCEEDED, UNAVAILABLE. */
const statusCodes: Record<number, number> = {
  1: Code.ConnectionLoss,
  4: Code.OperationTimeout,
  14: Code.ConnectionLoss,
};
