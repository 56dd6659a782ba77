/** Coordination recipes on the TypeScript client; node layouts in docs/RECIPES.md. */
export { AtomicLong, encodeLong } from "./atomic-long.js";
export { Barrier } from "./barrier.js";
export { type ConnectionEvent, followSession } from "./connection.js";
export { DoubleBarrier } from "./double-barrier.js";
export {
  DubboApplications,
  type DubboInstance,
  type DubboInstanceInput,
  parseDubboInstance,
} from "./dubbo-applications.js";
export {
  type DubboCategory,
  DubboRegistry,
  dubboPlace,
  javaUrlDecode,
  javaUrlEncode,
} from "./dubbo-registry.js";
export { GroupMember } from "./group-member.js";
export { LeaderLatch } from "./leader-latch.js";
export {
  LeaderSelector,
  type LeaderSelectorOptions,
  type Leadership,
  type Participant,
} from "./leader-selector.js";
export { type FencingToken, Lock, type LockOptions } from "./lock.js";
export { nextId } from "./naming.js";
export { ensurePath, sequenceOf } from "./nodes.js";
export { deserializeItems, priorityKey, Queue, serializeItems } from "./queue.js";
export { ReadWriteLock } from "./read-write-lock.js";
export { type Lease, Semaphore } from "./semaphore.js";
export {
  type InstanceInput,
  ServiceDiscovery,
  type ServiceInstance,
  serviceInstance,
} from "./service-discovery.js";
export { ServiceProvider, type Strategy } from "./service-provider.js";
export { type CachedNode, TreeCache } from "./tree-cache.js";
