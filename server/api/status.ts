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
    case Code.ReconfigDisabled:
    case Code.NewConfigNoQuorum:
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
    case Code.ReconfigInProgress:
      return status.ABORTED;
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
  full: ApiError,
  zxid: bigint,
): { code: status; details: string; metadata: Metadata } {
  const error = boundedForHeaders(full);
  const grpcCode = grpcStatusOf(error.code);
  const metadata = new Metadata();
  metadata.set("paddock-error-code", codeName(error.code));
  metadata.set("paddock-error-path", percentEncode(error.path));
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

/** Trailers travel in HTTP/2 headers (grpc-js accepts 8 KiB by default): a long path is cut. */
const headerTextMax = 1024;

function boundedForHeaders(error: ApiError): ApiError {
  if (error.path.length <= headerTextMax && error.message.length <= headerTextMax) return error;
  const cut = (text: string): string =>
    text.length <= headerTextMax ? text : `${text.slice(0, headerTextMax)}… (${text.length} characters)`;
  return { code: error.code, path: cut(error.path), message: cut(error.message) };
}

/**
 * A metadata value must be printable ASCII, and a path may hold any Unicode: the path trailer is
 * its UTF-8 bytes with every byte outside 0x20-0x7e, and '%' itself, written as %XX (the encoding
 * gRPC uses for grpc-message).
 */
export function percentEncode(text: string): string {
  let plain = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x25) {
      plain = false;
      break;
    }
  }
  if (plain) return text;
  let out = "";
  for (const byte of Buffer.from(text, "utf8")) {
    out +=
      byte < 0x20 || byte > 0x7e || byte === 0x25
        ? `%${byte.toString(16).toUpperCase().padStart(2, "0")}`
        : String.fromCharCode(byte);
  }
  return out;
}
