import { BinaryWriter } from "@bufbuild/protobuf/wire";
import { Metadata, status } from "@grpc/grpc-js";
import { Error as ApiError } from "../gen/paddock/v1/data.js";
import { Code, codeName } from "../util/error-code.js";

/** gRPC status for each ZooKeeper code; the exact code travels in the details and trailers. */
export function grpcStatusOf(code: number): status {
  switch (code) {
    case Code.NoNode:
      return status.NOT_FOUND;
    case Code.NodeExists:
      return status.ALREADY_EXISTS;
    case Code.BadVersion:
    case Code.NotEmpty:
    case Code.NoChildrenForEphemerals:
    case Code.SessionExpired:
    case Code.SessionMoved:
    case Code.NoWatcher:
      return status.FAILED_PRECONDITION;
    case Code.NoAuth:
      return status.PERMISSION_DENIED;
    case Code.AuthFailed:
      return status.UNAUTHENTICATED;
    case Code.BadArguments:
    case Code.InvalidACL:
    case Code.MarshallingError:
      return status.INVALID_ARGUMENT;
    case Code.Unimplemented:
      return status.UNIMPLEMENTED;
    case Code.Throttled:
    case Code.QuotaExceeded:
      return status.RESOURCE_EXHAUSTED;
    case Code.OperationTimeout:
    case Code.RequestTimeout:
      return status.DEADLINE_EXCEEDED;
    case Code.ConnectionLoss:
      return status.UNAVAILABLE;
    default:
      return status.INTERNAL;
  }
}

/**
 * A gRPC error carrying google.rpc.Status{code, message, details:[Any(paddock.v1.Error)]} in
 * grpc-status-details-bin, plus plain trailers for tools that do not decode details.
 */
export function grpcError(
  error: ApiError,
  zxid: bigint,
): { code: status; details: string; metadata: Metadata } {
  const grpcCode = grpcStatusOf(error.code);
  const metadata = new Metadata();
  metadata.set("paddock-error-code", codeName(error.code));
  metadata.set("paddock-error-path", error.path);
  metadata.set("paddock-zxid", zxid.toString());
  const any = new BinaryWriter()
    .uint32(10)
    .string("type.googleapis.com/paddock.v1.Error")
    .uint32(18)
    .bytes(ApiError.encode(error).finish())
    .finish();
  const rpcStatus = new BinaryWriter()
    .uint32(8)
    .int32(grpcCode)
    .uint32(18)
    .string(error.message)
    .uint32(26)
    .bytes(any);
  metadata.set("grpc-status-details-bin", Buffer.from(rpcStatus.finish()));
  return { code: grpcCode, details: error.message, metadata };
}
