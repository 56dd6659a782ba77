/** Paddock's native TypeScript client: ZooKeeper's API over the SessionService stream. */

export { type ChildrenPage, countChildren, listChildren, type PageOptions } from "./children-pages.js";
export {
  type AddWatchModeName,
  type CallOptions,
  Client,
  type ClientState,
  type ReadOptions,
} from "./client.js";
export { type ConnectOptions, connect, defaults } from "./connect.js";
export { chunkBytesMax, type DataChunk, type DataChunkOptions } from "./data-chunks.js";
export * from "./errors.js";
export {
  type CreateOptions,
  type Op,
  type OpResult,
  op,
  type ReadOp,
  type ReadOpResult,
  readOp,
} from "./ops.js";
export { validatePath } from "./path.js";
export * from "./recipes/index.js";
export type { ConfigData, ReconfigChange } from "./reconfig.js";
export type { ChunkCall, SessionStream, TlsOptions, Transport, WatchCall } from "./transport.js";
export { channelCredentials, grpcTransport, parseServers } from "./transport.js";
export {
  type Compare,
  type CompareOpName,
  type CompareTargetName,
  compare,
  type TxnResult,
  type TxnSpec,
} from "./txn.js";
export {
  type ACL,
  CREATOR_ALL_ACL,
  type CreateModeName,
  type EventTypeName,
  type Id,
  OPEN_ACL_UNSAFE,
  Perms,
  READ_ACL_UNSAFE,
  type Stat,
  type WatchEvent,
  type Watcher,
} from "./types.js";
export { WatchIterator } from "./watch-iterator.js";
export type { WatcherTypeName } from "./watch-manager.js";
export {
  type StreamEventType,
  WatchCompactedError,
  WatchStream,
  type WatchStreamBatch,
  type WatchStreamChange,
  type WatchStreamOptions,
} from "./watch-stream.js";
