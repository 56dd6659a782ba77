/**
 * The no-op target: a gRPC SessionService of Paddock's envelope shape that answers every request at
 * once, touching no state, and on the same port ZooKeeper's protocol answered the same way
 * (noop-jute.ts). Benchmarked through the Paddock adapter or a ZooKeeper client, it shows the
 * generator's own ceiling (client CPU, grpc-js or the jute client, loopback). Run: node --import tsx bench/targets/noop-server.ts
 * --ready-file FILE (writes {"port", "pid"} once serving, like the Paddock server).
 */
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import type { ServerDuplexStream } from "@grpc/grpc-js";
import {
  type Reply,
  type ServerMessage,
  type SessionRequest,
  type SessionResponse,
  SessionServiceService,
} from "../../clients/ts/gen/paddock/v1/session.js";
import { serveJute } from "./noop-jute.js";
import { grpc } from "./root-grpc.js";

function answer(request: NonNullable<Request["op"]>, xid: number): Reply {
  const reply: Reply = { xid, zxid: 0n, error: undefined, result: undefined };
  switch (request.$case) {
    case "create":
      reply.result = { $case: "create", value: { path: request.value.path, stat: undefined } };
      break;
    case "getData":
      reply.result = { $case: "getData", value: { data: Buffer.alloc(0), stat: undefined } };
      break;
    case "setData":
      reply.result = { $case: "setData", value: { stat: undefined } };
      break;
    case "ping":
      reply.result = { $case: "ping", value: {} };
      break;
    case "close":
      reply.result = { $case: "close", value: {} };
      break;
    default:
      break;
  }
  return reply;
}

type Request = Extract<
  NonNullable<SessionRequest["messages"][number]["kind"]>,
  { $case: "request" }
>["value"];

function session(call: ServerDuplexStream<SessionRequest, SessionResponse>): void {
  call.on("data", (envelope: SessionRequest) => {
    const out: ServerMessage[] = [];
    for (const m of envelope.messages) {
      const kind = m.kind;
      if (kind?.$case === "connect") {
        out.push({
          kind: {
            $case: "connected",
            value: {
              sessionId: 1n,
              password: Buffer.alloc(16),
              timeoutMs: kind.value.timeoutMs,
              zxid: 0n,
              maxRequestBytes: 1 << 20,
              maxOutstandingRequests: 10_000,
            },
          },
        });
      } else if (kind?.$case === "request" && kind.value.op !== undefined) {
        out.push({ kind: { $case: "reply", value: answer(kind.value.op, kind.value.xid) } });
      }
    }
    if (out.length > 0) call.write({ messages: out });
  });
  call.on("end", () => call.end());
  call.on("error", () => {});
}

const readyIndex = process.argv.indexOf("--ready-file");
const readyFile = readyIndex >= 0 ? process.argv[readyIndex + 1] : undefined;
const server = new grpc.Server();
server.addService(SessionServiceService, { session });
// One port for both protocols, as Paddock's client port: a gRPC client opens with the HTTP/2
// preface ("PRI ..."), a ZooKeeper client with a 4-byte frame length (first byte 0 below 16 MiB).
const injector = server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
const port = createServer({ noDelay: true }, (socket) => {
  socket.once("readable", () => {
    const first: Buffer | null = socket.read();
    if (first === null) return;
    if (first[0] === 0x50) {
      socket.unshift(first);
      injector.injectConnection(socket);
    } else {
      serveJute(socket, first);
    }
  });
  socket.on("error", () => socket.destroy());
});
port.listen(0, "127.0.0.1", () => {
  const bound = port.address();
  const ready = JSON.stringify({
    port: typeof bound === "object" && bound !== null ? bound.port : 0,
    pid: process.pid,
  });
  if (readyFile !== undefined) writeFileSync(readyFile, ready);
  else console.log(ready);
});
process.on("SIGTERM", () => {
  port.close();
  injector.destroy();
  server.forceShutdown();
  process.exit(0);
});
