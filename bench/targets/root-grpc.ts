/**
 * grpc-js as the repository root resolves it. etcd3 brings its own nested copy of grpc-js, and
 * grpc-js checks credentials with instanceof, so Paddock's generated stubs (which import the root's
 * copy) must be handed objects from that same copy.
 */
import { createRequire } from "node:module";

const requireFromRoot = createRequire(new URL("../../package.json", import.meta.url));
export const grpc = requireFromRoot("@grpc/grpc-js") as typeof import("@grpc/grpc-js");
