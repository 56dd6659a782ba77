import type { ServerWritableStream, ServiceDefinition } from "@grpc/grpc-js";
import { WatchServiceService, WatchStreamRequest, WatchStreamResponse } from "../gen/paddock/v1/watch.js";
import type { ClientFront, WatchHandle, WatchSink } from "../pipeline/front.js";
import type { AuthId } from "../tree/data-tree.js";
import { AssertionError } from "../util/assert.js";
import { Code } from "../util/error-code.js";
import { PaddockError } from "../util/paddock-error.js";
import { identities } from "./data-service.js";
import { certificateIds } from "./peer-identity.js";
import { grpcError } from "./status.js";

/** Responses are encoded by the sink (it counts their bytes), so the serializer passes bytes. */
export const watchServiceDefinition: ServiceDefinition = {
  watch: {
    ...WatchServiceService.watch,
    requestDeserialize: (bytes: Buffer) => WatchStreamRequest.decode(bytes),
    responseSerialize: (bytes: Buffer) => bytes,
  },
};

type WatchCall = ServerWritableStream<WatchStreamRequest, Buffer>;

/**
 * WatchService/Watch, a thin translator: the request becomes a stream on the front-end API, whose
 * messages are written here; bytes the transport has not taken yet are counted for the stream's
 * bounded buffer (the slow-consumer policy is the pipeline's, watch-streams.ts).
 */
export function watchServiceHandlers(
  front: ClientFront,
  log: (level: "error", message: string) => void,
  x509SuperUser?: string,
) {
  return {
    watch(call: WatchCall): void {
      try {
        open(front, call, x509SuperUser);
      } catch (error) {
        if (error instanceof AssertionError) throw error;
        const e =
          error instanceof PaddockError
            ? error
            : new PaddockError(Code.SystemError, "", `internal error opening the watch stream`);
        if (!(error instanceof PaddockError)) {
          log("error", `WatchService/Watch failed: ${error instanceof Error ? error.stack : String(error)}`);
        }
        call.emit("error", grpcError({ code: e.code, path: e.path, message: e.message }, BigInt(front.zxid)));
      }
    },
  };
}

function open(front: ClientFront, call: WatchCall, x509SuperUser: string | undefined): void {
  const ids: AuthId[] = [...identities(call, front), ...certificateIds(call, x509SuperUser)];
  const request = call.request;
  const from = request.fromZxid;
  if (from !== undefined && (from < 0n || from > BigInt(Number.MAX_SAFE_INTEGER))) {
    throw PaddockError.badArguments(request.path, `from_zxid ${from} is out of range`);
  }
  const sink = new CallSink(call);
  const handle = front.watch(
    {
      path: request.path,
      recursive: request.recursive,
      fromZxid: from === undefined ? undefined : Number(from),
      withData: request.withData,
      childrenEvents: request.childrenEvents,
      progressIntervalMs: Math.max(0, request.progressIntervalMs),
    },
    ids,
    sink,
  );
  sink.handle = handle;
  if (sink.ended) return;
  call.on("cancelled", () => handle.close());
  call.on("error", () => handle.close());
}

class CallSink implements WatchSink {
  handle: WatchHandle | undefined;
  ended = false;
  private queued = 0;

  constructor(private readonly call: WatchCall) {}

  get bufferedBytes(): number {
    return this.queued;
  }

  send(message: WatchStreamResponse): void {
    if (this.ended) return;
    const bytes = Buffer.from(WatchStreamResponse.encode(message).finish());
    this.queued += bytes.length;
    try {
      this.call.write(bytes, () => {
        this.queued -= bytes.length;
        this.handle?.drained();
      });
    } catch {
      // The call is gone under us (the apply step is calling): this stream ends, nothing else.
      this.ended = true;
      queueMicrotask(() => this.handle?.close());
    }
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.call.end();
  }
}
