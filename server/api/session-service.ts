import { type ServerDuplexStream, type ServiceDefinition, status } from "@grpc/grpc-js";
import { type Request, SessionRequest, SessionServiceService } from "../gen/paddock/v1/session.js";
import type { ClientFront, FrontConnection } from "../pipeline/front.js";
import { AssertionError } from "../util/assert.js";
import { PaddockError } from "../util/paddock-error.js";
import { peerAddress } from "./peer-address.js";
import { certificateIds } from "./peer-identity.js";
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
  /** X509AuthenticationProvider.superUser: a client certificate's DN that holds super rights. */
  readonly x509SuperUser?: string | undefined;
  readonly log: (level: "error", message: string) => void;
}

/**
 * The session stream, a thin translator: each envelope's ConnectRequest and Requests go to the
 * front-end API in order, replies and events come back through the sink. The connection rules
 * (maxClientCnxns, connect first, buffering until the session is ready) are the front's.
 */
export function sessionServiceHandlers(front: ClientFront, options: SessionServiceOptions) {
  return {
    session(call: ServerDuplexStream<SessionRequest, Buffer>): void {
      const address = peerAddress(call.getPeer());
      const sink = new StreamSink(
        call as unknown as ServerDuplexStream<Buffer, Buffer>,
        options.envelopeBytesMax,
        options.outboundBytesMax,
        options.log,
      );
      let connection: FrontConnection;
      try {
        connection = front.accept(address, sink, certificateIds(call, options.x509SuperUser));
      } catch (error) {
        sink.fail(status.RESOURCE_EXHAUSTED, error instanceof Error ? error.message : String(error));
        return;
      }
      call.on("data", (envelope: SessionRequest) => {
        if (sink.closed) return;
        try {
          translate(connection, envelope);
        } catch (error) {
          if (error instanceof PaddockError) {
            sink.fail(status.INVALID_ARGUMENT, error.message);
            return;
          }
          // This stream fails, logged once; the session survives and the server keeps serving.
          if (error instanceof AssertionError) throw error;
          options.log(
            "error",
            `session stream from ${address} failed: ${error instanceof Error ? error.stack : error}`,
          );
          sink.fail(status.INTERNAL, "internal error handling this stream's request");
        }
      });
      const drop = (): void => connection.drop();
      call.on("end", () => {
        drop();
        sink.end();
      });
      call.on("error", drop);
      call.on("cancelled", drop);
      call.on("close", drop);
    },
  };
}

/** One envelope, in order: a connect, then runs of requests submitted together. */
function translate(connection: FrontConnection, envelope: SessionRequest): void {
  let batch: Request[] | undefined;
  for (const message of envelope.messages) {
    const kind = message.kind;
    if (kind?.$case === "request") {
      batch ??= [];
      batch.push(kind.value);
      continue;
    }
    if (batch !== undefined) connection.submit(batch);
    batch = undefined;
    if (kind?.$case === "connect") connection.connect(kind.value);
    else throw PaddockError.badArguments("", "empty ClientMessage");
  }
  if (batch !== undefined) connection.submit(batch);
}
