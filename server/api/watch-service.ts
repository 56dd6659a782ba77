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
import { StreamSlots } from "./stream-slots.js";

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
  sendBytesMax = Number.POSITIVE_INFINITY,
  slots = new StreamSlots(Number.POSITIVE_INFINITY),
) {
  return {
    watch(call: WatchCall): void {
      try {
        open(front, call, x509SuperUser, sendBytesMax, slots);
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

function open(
  front: ClientFront,
  call: WatchCall,
  x509SuperUser: string | undefined,
  sendBytesMax: number,
  slots: StreamSlots,
): void {
  const ids: AuthId[] = [...identities(call, front), ...certificateIds(call, x509SuperUser)];
  const request = call.request;
  const release = slots.take(request.path);
  call.once("close", release);
  call.once("finish", release);
  call.once("error", release);
  call.once("cancelled", release);
  const from = request.fromZxid;
  if (from !== undefined && (from < 0n || from > BigInt(Number.MAX_SAFE_INTEGER))) {
    throw PaddockError.badArguments(request.path, `from_zxid ${from} is out of range`);
  }
  const sink = new CallSink(call, request.path, sendBytesMax, () => BigInt(front.zxid));
  const handle = front.watch(
    {
      path: request.path,
      recursive: request.recursive,
      fromZxid: from === undefined ? undefined : Number(from),
      withData: request.withData,
      childrenEvents: request.childrenEvents,
      progressIntervalMs: Math.max(0, request.progressIntervalMs),
      withPrevData: request.withPrevData,
      eventTypes: request.eventTypes,
      fragment: request.fragment,
    },
    ids,
    sink,
  );
  sink.handle = handle;
  if (sink.ended) return;
  call.on("cancelled", () => handle.close());
  call.on("error", () => handle.close());
}

/** A changes message handed to many streams (watch-streams.ts shares them) is encoded once. */
const encodings = new WeakMap<WatchStreamResponse, Buffer>();

function encoded(message: WatchStreamResponse): Buffer {
  if (message.kind?.$case !== "changes") return Buffer.from(WatchStreamResponse.encode(message).finish());
  let bytes = encodings.get(message);
  if (bytes === undefined) {
    bytes = Buffer.from(WatchStreamResponse.encode(message).finish());
    encodings.set(message, bytes);
  }
  return bytes;
}

class CallSink implements WatchSink {
  handle: WatchHandle | undefined;
  ended = false;
  private queued = 0;

  constructor(
    private readonly call: WatchCall,
    private readonly path: string,
    /** The transport's message limit (grpc.max_send_message_length). */
    private readonly sendBytesMax: number,
    private readonly zxid: () => bigint,
  ) {}

  get bufferedBytes(): number {
    return this.queued;
  }

  send(message: WatchStreamResponse): void {
    if (this.ended) return;
    const bytes = encoded(message);
    if (bytes.length > this.sendBytesMax && message.kind?.$case === "changes") {
      // Only an unfragmented stream gets here (fragments stay within jute.maxbuffer): a retry
      // would meet the same transaction, so the stream ends with an error that says what to do.
      const zxid = message.kind.value.zxid;
      this.fail(
        `transaction 0x${zxid.toString(16)} makes a ${bytes.length}-byte WatchChanges message for ${this.path}, over the message limit ${this.sendBytesMax} (4 × jute.maxbuffer + 64 KiB): request fragment (or drop with_prev_data) and resume from the zxid before it`,
      );
      return;
    }
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

  private fail(message: string): void {
    this.ended = true;
    this.call.emit("error", grpcError({ code: Code.BadArguments, path: this.path, message }, this.zxid()));
    queueMicrotask(() => this.handle?.close());
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.call.end();
  }
}
