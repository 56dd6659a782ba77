export {
  type NodeVersions,
  type SetWatches,
  type WatchEventOut,
  WatchRegistry,
  type WatchRegistryOptions,
} from "./watch-registry.js";
export { EventType, NO_ZXID, WatcherType } from "./watch-types.js";
