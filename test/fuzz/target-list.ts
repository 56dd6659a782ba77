// Every fuzz target, by name (the long run's --target and the corpus folders use these names).
import type { FuzzTarget } from "./engine/fuzz-target.js";
import { grpcSession } from "./targets/grpc-session.js";
import { grpcUnary } from "./targets/grpc-unary.js";
import { juteRequest } from "./targets/jute-request.js";
import { juteStream } from "./targets/jute-stream.js";
import { logSegment } from "./targets/log-segment.js";
import { peerMessage } from "./targets/peer-message.js";
import { snapshot } from "./targets/snapshot.js";
import { zooCfg } from "./targets/zoo-cfg.js";

export const fuzzTargets: readonly FuzzTarget[] = [
  juteRequest,
  juteStream,
  grpcSession,
  grpcUnary,
  peerMessage,
  zooCfg,
  logSegment,
  snapshot,
];

export function fuzzTarget(name: string): FuzzTarget {
  const target = fuzzTargets.find((t) => t.name === name);
  if (target === undefined) {
    throw new Error(`unknown fuzz target ${name}; known: ${fuzzTargets.map((t) => t.name).join(", ")}`);
  }
  return target;
}
