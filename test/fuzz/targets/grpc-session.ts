// Fuzz target grpc-session: a SessionRequest envelope as the session stream decodes it, and each
// request through what the pipeline does next (intake's op check, prep and apply, or the read).
import { SessionRequest } from "../../../server/gen/paddock/v1/session.js";
import type { FuzzTarget } from "../engine/fuzz-target.js";
import { isProtobufDecodeError, RequestChecks } from "./support/request-checks.js";
import { SAMPLE_OPS } from "./support/sample-ops.js";

/** What sessionServiceDefinition.session.requestDeserialize is (importing it would load grpc-js, which slows every coverage read). */
const decode = (bytes: Buffer): SessionRequest => SessionRequest.decode(bytes);

export function grpcSessionSeeds(): Buffer[] {
  const connect = {
    sessionId: 0n,
    password: Buffer.alloc(16),
    timeoutMs: 10_000,
    lastZxidSeen: 0n,
    auth: [{ scheme: "digest", auth: Buffer.from("u:p") }],
    watches: undefined,
  };
  const seeds: Buffer[] = [];
  for (let i = 0; i < SAMPLE_OPS.length; i += 4) {
    const requests = SAMPLE_OPS.slice(i, i + 4).map((op, j) => ({
      kind: {
        $case: "request" as const,
        value: { xid: i + j + 1, timeoutMs: 0, trace: { traceparent: "00-1-2-01" }, op },
      },
    }));
    const messages =
      i === 0 ? [{ kind: { $case: "connect" as const, value: connect } }, ...requests] : requests;
    seeds.push(Buffer.from(SessionRequest.encode({ messages }).finish()));
  }
  return seeds;
}

export function fuzzGrpcSession(bytes: Buffer): void {
  let envelope: SessionRequest;
  try {
    envelope = decode(bytes);
  } catch (e) {
    if (isProtobufDecodeError(e)) return; // grpc-js fails the call: the stream ends, the server serves on
    throw e;
  }
  const checks = new RequestChecks();
  for (const message of envelope.messages) {
    const kind = message.kind;
    if (kind?.$case === "request") checks.request(kind.value);
    else if (kind?.$case === "connect" && kind.value.watches !== undefined) {
      checks.op({ $case: "setWatches", value: kind.value.watches });
    }
  }
}

export const grpcSession: FuzzTarget = {
  name: "grpc-session",
  seeds: grpcSessionSeeds,
  fuzz: fuzzGrpcSession,
};
