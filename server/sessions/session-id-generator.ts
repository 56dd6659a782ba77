import { assert } from "../util/assert.js";
import { Code } from "../util/error-code.js";
import { PaddockError } from "../util/paddock-error.js";

/** Highest server id: 0xFF in the top byte is ZooKeeper's TTL-node owner encoding (EphemeralType). */
export const SESSION_SERVER_ID_MAX = 0xfe;

/** ephemeralOwner of a container node (ZooKeeper's CONTAINER_EPHEMERAL_OWNER); never a session id. */
const CONTAINER_OWNER = -(1n << 63n);
const TIME_BITS = 40n;
const COUNTER_BITS = 16n;

/**
 * Session ids as ZooKeeper's SessionTrackerImpl makes them, a signed int64:
 *
 *   bits 63..56  server id (0..254)
 *   bits 55..16  low 40 bits of the clock in ms when the server started (about 35 years of range)
 *   bits 15..0   counter, starting at 0 and incremented per session
 *
 * i.e. (serverId << 56) | ((nowMs << 24) >>> 8), then +1 per session. Ids from different servers
 * differ in the top byte; ids from one server across restarts differ in the time bits as long as
 * fewer than 65 536 sessions were created per millisecond of uptime. A server id of 128 and up gives
 * negative ids, as in ZooKeeper. Two values are skipped because they are not session ids as an
 * ephemeralOwner: 0 (a persistent node) and 0x8000000000000000 (a container).
 */
export class SessionIdGenerator {
  private nextId: bigint;
  private readonly serverBits: bigint;

  constructor(serverId: number, nowMs: number) {
    if (!Number.isInteger(serverId) || serverId < 0 || serverId > SESSION_SERVER_ID_MAX) {
      throw new PaddockError(
        Code.BadArguments,
        "",
        `server id must be in [0, ${SESSION_SERVER_ID_MAX}] to make session ids, is ${serverId}`,
      );
    }
    assert(Number.isSafeInteger(nowMs) && nowMs >= 0, `clock out of range: ${nowMs}`);
    this.serverBits = BigInt(serverId);
    const time = BigInt.asUintN(Number(TIME_BITS), BigInt(nowMs)) << COUNTER_BITS;
    this.nextId = BigInt.asIntN(64, (this.serverBits << 56n) | time);
  }

  next(): bigint {
    let id = this.nextId;
    if (id === 0n || id === CONTAINER_OWNER) id = BigInt.asIntN(64, id + 1n);
    this.nextId = BigInt.asIntN(64, id + 1n);
    // After 2^56 sessions the counter would reach the server byte: another server's ids.
    assert(BigInt.asUintN(64, id) >> 56n === this.serverBits, "session id space of this server exhausted");
    return id;
  }
}
