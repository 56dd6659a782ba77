import type { Storage } from "../../../server/replica/storage.js";

/** A Storage that keeps nothing, for Replica tests about messages rather than the log. */
export const nullStorage: Storage = {
  append: () => undefined,
  truncate: async () => {},
  snapshotInstalled: () => {},
  saveHardState: async () => {},
  failure: undefined,
  close: async () => {},
};
