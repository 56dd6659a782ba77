import { type ServerDuplexStream, type ServiceDefinition, status } from "@grpc/grpc-js";
import { type Request, SessionRequest, SessionServiceService } from "../gen/paddock/v1/session.js";
import type { Pipeline } from "../pipeline/pipeline.js";
import type { Requester } from "../pipeline/requester.js";
import type { SessionFront } from "../pipeline/session-front.js";
import { AssertionError } from "../util/assert.js";
import { peerAddress } from "./peer-address.js";
import { StreamSink } from "./stream-sink.js";

/** Replies are encoded by the sink (it needs their size), so the response serializer passes bytes. */
export const sessionServiceDefinition: ServiceDefinition = {
  session: {
    ...SessionServiceService.session,
    requestDeserialize: (bytes: Buffer) => SessionRequest.decode(bytes),
    responseSerialize: (bytes: Buffer) => bytes,
  },
};

export interface SessionServiceOptions {
  readonly envelopeBytesMax: number;
  readonly outboundBytesMax: number;
  /** maxClientCnxns: streams per client address, 0 for no limit. */
  readonly connectionsPerAddressMax: number;
  /** Requests a stream may send before its session is established. */
  readonly requestsBeforeConnectMax: number;
  readonly log: (level: "error", message: string) => void;
}

/**
 * The session stream: translate envelopes to pipeline input and replies back, nothing more. The
 * first message must be a ConnectRequest; requests that arrive before the session is ready wait
 * (bounded) and are then submitted in order.
 */
export function sessionServiceHandlers(
  pipeline: Pipeline,
  front: SessionFront,
  options: SessionServiceOptions,
) {
  const connections = new Map<string, number>();
  return {
    session(call: ServerDuplexStream<SessionRequest, Buffer>): void {
      const address = peerAddress(call.getPeer());
      const count = connections.get(address) ?? 0;
      const sink = new StreamSink(
        call as unknown as ServerDuplexStream<Buffer, Buffer>,
        options.envelopeBytesMax,
        options.outboundBytesMax,
        options.log,
      );
      if (options.connectionsPerAddressMax > 0 && count >= options.connectionsPerAddressMax) {
        sink.fail(
          status.RESOURCE_EXHAUSTED,
          `too many connections from ${address}: maxClientCnxns is ${options.connectionsPerAddressMax}`,
        );
        return;
      }
      connections.set(address, count + 1);
      let requester: Requester | undefined;
      let connecting = false;
      let early: Request[] = [];
      const protocolError = (message: string): void => sink.fail(status.INVALID_ARGUMENT, message);

      const onEnvelope = (envelope: SessionRequest) => {
        if (sink.closed) return;
        let batch: Request[] | undefined;
        for (const message of envelope.messages) {
          const kind = message.kind;
          if (kind?.$case === "connect") {
            if (connecting) return protocolError("a second ConnectRequest on one stream");
            connecting = true;
            front.connect(kind.value, sink, [{ scheme: "ip", id: address }], (ready) => {
              requester = ready;
              if (early.length > 0) pipeline.inbound$.next({ requester: ready, requests: early });
              early = [];
            });
          } else if (kind?.$case === "request") {
            if (!connecting) return protocolError("the first message must be a ConnectRequest");
            if (requester === undefined) {
              if (early.length >= options.requestsBeforeConnectMax) {
                return protocolError(
                  `more than ${options.requestsBeforeConnectMax} requests before the session was established`,
                );
              }
              early.push(kind.value);
            } else {
              batch ??= [];
              batch.push(kind.value);
            }
          } else {
            return protocolError("empty ClientMessage");
          }
        }
        if (batch !== undefined && requester !== undefined)
          pipeline.inbound$.next({ requester, requests: batch });
      };
      call.on("data", (envelope: SessionRequest) => {
        try {
          onEnvelope(envelope);
        } catch (error) {
          // This stream fails, logged once; the session survives and the server keeps serving.
          if (error instanceof AssertionError) throw error;
          options.log(
            "error",
            `session stream from ${address} failed: ${error instanceof Error ? error.stack : error}`,
          );
          sink.fail(status.INTERNAL, "internal error handling this stream's request");
        }
      });

      let released = false;
      const release = (): void => {
        if (released) return;
        released = true;
        const left = (connections.get(address) ?? 1) - 1;
        if (left <= 0) connections.delete(address);
        else connections.set(address, left);
        // The session outlives its stream until it expires; replies for it are dropped meanwhile.
        if (requester !== undefined && requester.sink === sink) requester.sink = undefined;
      };
      call.on("end", () => {
        release();
        sink.end();
      });
      call.on("error", release);
      call.on("cancelled", release);
      call.on("close", release);
    },
  };
}
