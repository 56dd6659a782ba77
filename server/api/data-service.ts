import {
  type handleServerStreamingCall,
  type handleUnaryCall,
  Metadata,
  type ServerUnaryCall,
  type sendUnaryData,
  status,
  type UntypedServiceImplementation,
} from "@grpc/grpc-js";
import type { Request } from "../gen/paddock/v1/session.js";
import type { ClientFront } from "../pipeline/front.js";
import type { AuthId } from "../tree/data-tree.js";
import { AssertionError } from "../util/assert.js";
import { Code } from "../util/error-code.js";
import { PaddockError } from "../util/paddock-error.js";
import { type ChunkCall, serveDataChunks } from "./data-chunks.js";
import { peerAddress } from "./peer-address.js";
import { certificateIds } from "./peer-identity.js";
import { grpcError } from "./status.js";
import { StreamSlots } from "./stream-slots.js";

type Op = NonNullable<Request["op"]>;
type OpCase = Op["$case"];

/** rpc name (as in DataServiceService) → the op it becomes in the pipeline. */
const methods: Record<string, OpCase> = {
  create: "create",
  delete: "delete",
  exists: "exists",
  getData: "getData",
  setData: "setData",
  getChildren: "getChildren",
  getAllChildrenNumber: "getAllChildrenNumber",
  getEphemerals: "getEphemerals",
  getAcl: "getAcl",
  setAcl: "setAcl",
  sync: "sync",
  multi: "multi",
  multiRead: "multiRead",
  whoAmI: "whoAmI",
  reconfig: "reconfig",
  txn: "txn",
};

/**
 * The sessionless unary API: each call is one request through the same pipeline, anonymous except
 * for its client address, its TLS client certificate (on the secure client port) and any
 * `paddock-auth: digest user:password` metadata.
 */
export function dataServiceHandlers(
  front: ClientFront,
  log: (level: "error", message: string) => void,
  x509SuperUser?: string,
  streamSlots = new StreamSlots(Number.POSITIVE_INFINITY),
): UntypedServiceImplementation {
  const handlers: UntypedServiceImplementation = {};
  for (const [method, opCase] of Object.entries(methods)) {
    const handler: handleUnaryCall<unknown, unknown> = (
      call: ServerUnaryCall<unknown, unknown>,
      callback: sendUnaryData<unknown>,
    ) => {
      // Whatever handling this call throws fails this call only: logged once, answered INTERNAL.
      let answered = false;
      const answer: sendUnaryData<unknown> = (error, value, trailer) => {
        answered = true;
        callback(error, value, trailer);
      };
      const failed = (error: unknown): void => {
        // A broken invariant of our own still stops the member.
        if (error instanceof AssertionError) throw error;
        log("error", `DataService/${method} failed: ${error instanceof Error ? error.stack : String(error)}`);
        if (!answered) answer({ code: status.INTERNAL, details: `internal error in ${method}` });
      };
      try {
        serve(front, opCase, call, answer, x509SuperUser).catch(failed);
      } catch (error) {
        failed(error);
      }
    };
    handlers[method] = handler;
  }
  handlers.getDataChunks = dataChunksHandler(front, log, x509SuperUser, streamSlots);
  return handlers;
}

/** GetDataChunks (server streaming): identities and deadline as the unary calls, then data-chunks.ts. */
function dataChunksHandler(
  front: ClientFront,
  log: (level: "error", message: string) => void,
  x509SuperUser: string | undefined,
  streamSlots: StreamSlots,
): handleServerStreamingCall<unknown, unknown> {
  return (untyped) => {
    const call = untyped as unknown as ChunkCall;
    const failed = (error: unknown): void => {
      if (error instanceof AssertionError) throw error;
      log(
        "error",
        `DataService/getDataChunks failed: ${error instanceof Error ? error.stack : String(error)}`,
      );
      call.emit("error", { code: status.INTERNAL, details: "internal error in getDataChunks" });
    };
    try {
      let ids: AuthId[];
      try {
        ids = [...identities(call, front), ...certificateIds(call, x509SuperUser)];
      } catch (error) {
        const e =
          error instanceof PaddockError ? error : new PaddockError(Code.AuthFailed, "", String(error));
        call.emit("error", grpcError({ code: e.code, path: e.path, message: e.message }, BigInt(front.zxid)));
        return;
      }
      let release: () => void;
      try {
        release = streamSlots.take(call.request.path);
      } catch (error) {
        const e = error as PaddockError;
        call.emit("error", grpcError({ code: e.code, path: e.path, message: e.message }, BigInt(front.zxid)));
        return;
      }
      const trace = traceOf(call);
      serveDataChunks(front, call, ids, trace, timeoutOf(call)).catch(failed).finally(release);
    } catch (error) {
      failed(error);
    }
  };
}

async function serve(
  front: ClientFront,
  opCase: OpCase,
  call: ServerUnaryCall<unknown, unknown>,
  callback: sendUnaryData<unknown>,
  x509SuperUser: string | undefined,
): Promise<void> {
  let ids: AuthId[];
  try {
    ids = [...identities(call, front), ...certificateIds(call, x509SuperUser)];
  } catch (error) {
    const e = error instanceof PaddockError ? error : new PaddockError(Code.AuthFailed, "", String(error));
    callback(grpcError({ code: e.code, path: e.path, message: e.message }, BigInt(front.zxid)));
    return;
  }
  const op = { $case: opCase, value: call.request } as Op;
  const reply = await front.unary(op, ids, traceOf(call), timeoutOf(call));
  if (reply.error !== undefined) {
    callback(grpcError(reply.error, reply.zxid));
    return;
  }
  const trailer = new Metadata();
  trailer.set("paddock-zxid", reply.zxid.toString());
  callback(null, reply.result?.value ?? {}, trailer);
}

/** The call's deadline as ms from now for the pipeline (0: none). */
function timeoutOf(call: { getDeadline(): Date | number }): number {
  const deadline = call.getDeadline();
  const timeoutMs = deadline instanceof Date ? Math.max(1, deadline.getTime() - Date.now()) : 0;
  return Number.isFinite(timeoutMs) ? timeoutMs : 0;
}

/** W3C trace context from the call's metadata, so the request span joins the caller's trace. */
function traceOf(call: { metadata: Metadata }): Record<string, string> {
  const trace: Record<string, string> = {};
  for (const key of ["traceparent", "tracestate"]) {
    const value = call.metadata.get(key)[0];
    if (value !== undefined) trace[key] = value.toString();
  }
  return trace;
}

/** The call's address and its `paddock-auth` metadata as identities (WatchService too). */
export function identities(call: { getPeer(): string; metadata: Metadata }, front: ClientFront): AuthId[] {
  const ids: AuthId[] = [{ scheme: "ip", id: peerAddress(call.getPeer()) }];
  for (const value of call.metadata.get("paddock-auth")) {
    const text = value.toString();
    const space = text.indexOf(" ");
    if (space <= 0) throw new PaddockError(Code.AuthFailed, "", "paddock-auth must be '<scheme> <auth>'");
    ids.push(...front.authenticate(text.slice(0, space), new TextEncoder().encode(text.slice(space + 1))));
  }
  return ids;
}
