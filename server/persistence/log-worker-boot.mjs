// Worker threads do not inherit tsx's loader (not even under `node --import tsx`), so when the
// server runs from TypeScript source the log worker starts here: register tsx, then load the entry.
import { register } from "tsx/esm/api";

register();
await import("./log-worker.ts");
