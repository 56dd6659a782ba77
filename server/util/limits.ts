/**
 * Every limit of the server, with its default. ZooKeeper's defaults where it has one; the others
 * are documented in the README. Names put the qualifier last (TigerStyle).
 */
export interface Limits {
  /** jute.maxbuffer: bytes of one request (data plus path plus ACLs), and of a znode's data. */
  requestBytesMax: number;
  /** Longest path accepted, in UTF-16 code units. */
  pathLengthMax: number;
  /** Children returned by one getChildren reply. */
  childrenPerReplyMax: number;
  /** Requests of one session not yet answered. */
  outstandingPerSessionMax: number;
  /** globalOutstandingLimit: requests not yet answered, all sessions together. */
  outstandingGlobalMax: number;
  /** Sessions open at once on this server. */
  sessionsMax: number;
  /** Watches one session may hold (one-time and persistent together). */
  watchesPerSessionMax: number;
  /** maxClientCnxns: concurrent streams from one client address (0 = unlimited). */
  connectionsPerAddressMax: number;
  /** maxCnxns: TCP connections on each client port, all addresses together (0 = unlimited). */
  connectionsMax: number;
  /** Ops in one multi. */
  multiOpsMax: number;
  /** Bytes queued towards one client before the server closes the stream (slow consumer). */
  outboundBytesPerSessionMax: number;
  /** ACL entries on one node. */
  aclEntriesMax: number;
  /** Server-streaming calls open at once on a member: watch streams and chunked reads together. */
  streamsMax: number;
}

export const defaultLimits: Readonly<Limits> = Object.freeze({
  // ZooKeeper's jute.maxbuffer default: a request (and a jute frame) of at most 0xfffff bytes.
  requestBytesMax: 0xfffff,
  pathLengthMax: 4096,
  childrenPerReplyMax: 1_000_000,
  outstandingPerSessionMax: 10_000,
  outstandingGlobalMax: 1000,
  sessionsMax: 100_000,
  watchesPerSessionMax: 100_000,
  connectionsPerAddressMax: 60,
  // ZooKeeper's default is 0 (none); a bound keeps a connection flood from exhausting fds.
  connectionsMax: 50_000,
  multiOpsMax: 10_000,
  outboundBytesPerSessionMax: 64 * 1024 * 1024,
  aclEntriesMax: 1024,
  streamsMax: 10_000,
});
