/**
 * ZooKeeper's EphemeralType encodings of ephemeral_owner: 0 for a persistent node, the session id
 * for an ephemeral, 0x8000000000000000 for a container, 0xFF00000000000000 | ttl for a TTL node.
 * Values are signed int64 as on the wire, so containers and TTL nodes are negative and a real
 * session id must be positive.
 */
export const CONTAINER_OWNER = -0x8000000000000000n;
export const TTL_MAX = 0xff_ffff_ffff;
const EXTENDED_MASK = 0xff00000000000000n;
const TTL_MASK = 0xffffffffffn;

export const OwnerKind = { Persistent: 0, Ephemeral: 1, Container: 2, Ttl: 3 } as const;
export type OwnerKind = (typeof OwnerKind)[keyof typeof OwnerKind];

export function ownerKind(owner: bigint): OwnerKind {
  if (owner === 0n) return OwnerKind.Persistent;
  if (owner === CONTAINER_OWNER) return OwnerKind.Container;
  if ((BigInt.asUintN(64, owner) & EXTENDED_MASK) === EXTENDED_MASK) return OwnerKind.Ttl;
  return OwnerKind.Ephemeral;
}

export function ttlOwner(ttl: number): bigint {
  return BigInt.asIntN(64, EXTENDED_MASK | BigInt(ttl));
}

export function ttlOf(owner: bigint): number {
  return Number(BigInt.asUintN(64, owner) & TTL_MASK);
}

/** What a client sees in Stat.ephemeralOwner: ZooKeeper shows 0 for containers and TTL nodes. */
export function clientOwner(owner: bigint): bigint {
  return ownerKind(owner) === OwnerKind.Ephemeral ? owner : 0n;
}
