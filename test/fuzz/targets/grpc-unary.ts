// Fuzz target grpc-unary: byte 0 picks a DataService method, the rest is its request message,
// decoded by the generated deserializer grpc-js calls, then run as the sessionless op it becomes.
import { DataServiceService } from "../../../server/gen/paddock/v1/data.js";
import type { Op } from "../../../server/pipeline/op-kinds.js";
import type { FuzzTarget } from "../engine/fuzz-target.js";
import { isProtobufDecodeError, RequestChecks } from "./support/request-checks.js";
import { SAMPLE_OPS } from "./support/sample-ops.js";

/**
 * DataService's unary methods; each is named as the op it becomes (server/api/data-service.ts).
 * GetDataChunks streams a getData's reply from the door and is no op of its own: left out.
 */
const METHODS = (Object.keys(DataServiceService) as (keyof typeof DataServiceService)[]).filter(
  (name) => !DataServiceService[name].responseStream,
);

export function grpcUnarySeeds(): Buffer[] {
  const seeds: Buffer[] = [];
  for (const op of SAMPLE_OPS) {
    const index = METHODS.indexOf(op.$case as keyof typeof DataServiceService);
    if (index < 0) continue;
    const method = DataServiceService[METHODS[index]!];
    const body = (method.requestSerialize as (v: unknown) => Buffer)(op.value);
    seeds.push(Buffer.concat([Buffer.from([index]), body]));
  }
  return seeds;
}

export function fuzzGrpcUnary(bytes: Buffer): void {
  if (bytes.length === 0) return;
  const name = METHODS[bytes[0]! % METHODS.length]!;
  let value: unknown;
  try {
    value = (DataServiceService[name].requestDeserialize as (b: Buffer) => unknown)(bytes.subarray(1));
  } catch (e) {
    if (isProtobufDecodeError(e)) return; // grpc-js answers INTERNAL for an undecodable request
    throw e;
  }
  new RequestChecks(false).op({ $case: name, value } as Op);
}

export const grpcUnary: FuzzTarget = { name: "grpc-unary", seeds: grpcUnarySeeds, fuzz: fuzzGrpcUnary };
