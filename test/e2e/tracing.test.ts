import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { credentials, Metadata } from "@grpc/grpc-js";
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataServiceClient } from "../../server/gen/paddock/v1/data.js";
import { defaultConfig, finishConfig } from "../../server/main/config.js";
import { type RunningServer, startServer } from "../../server/main/server.js";
import { enc, RawSession } from "../support/raw-session.js";

// In-process server (real gRPC on loopback) so the spans can be read from memory.
const exporter = new InMemorySpanExporter();
let server: RunningServer;
let address: string;

beforeAll(async () => {
  const config = finishConfig(defaultConfig());
  config.clientPort = 0;
  config.clientPortAddress = "127.0.0.1";
  // Any free AdminServer and /metrics ports (finishConfig ran before clientPort became 0).
  config.adminServer.port = 0;
  config.metrics.port = 0;
  config.dataDir = mkdtempSync(join(tmpdir(), "paddock-trace-"));
  config.dataLogDir = config.dataDir;
  server = await startServer(config, () => {}, { spanExporter: exporter });
  address = `127.0.0.1:${server.port}`;
});

afterAll(async () => {
  await server?.stop();
});

const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";

/** Spans end when the reply is sent, before the client sees it; the exporter is synchronous. */
function spansOf(trace: string): ReturnType<InMemorySpanExporter["getFinishedSpans"]> {
  return exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === trace);
}

describe("OpenTelemetry", () => {
  it("parents a unary request's span on the caller's traceparent metadata", async () => {
    const client = new DataServiceClient(address, credentials.createInsecure());
    const md = new Metadata();
    md.set("traceparent", `00-${traceId}-00f067aa0ba902b7-01`);
    await new Promise<void>((resolve, reject) =>
      client.create({ path: "/traced", data: enc(""), acl: [], mode: 0, ttl: 0n }, md, (e) =>
        e ? reject(e) : resolve(),
      ),
    );
    client.close();
    const spans = spansOf(traceId);
    expect(spans.map((s) => s.name)).toContain("paddock.create");
    const span = spans.find((s) => s.name === "paddock.create")!;
    expect(span.attributes["paddock.path"]).toBe("/traced");
    expect(span.events.map((e) => e.name)).toEqual(["prepped", "applied"]);
    // Named after the config (paddock.tracing.serviceName, the member's id), not unknown_service.
    expect(span.resource.attributes["service.name"]).toBe("paddock");
    expect(span.resource.attributes["paddock.member.id"]).toBe(1);
    // A standalone server is an ensemble of one: the write's proposal and apply join its trace.
    const names = spans.map((s) => s.name);
    expect(names).toContain("paddock.propose");
    expect(names).toContain("paddock.apply");
  });

  it("parents each request of a session envelope on its own trace context", async () => {
    const s = await RawSession.connect(address);
    const other = "0af7651916cd43dd8448eb211c80319c";
    s.sendRequests([
      {
        xid: 1,
        timeoutMs: 0,
        trace: { traceparent: `00-${other}-b7ad6b7169203331-01` },
        op: { $case: "getData", value: { path: "/traced", watch: false, consistency: 0 } },
      },
    ]);
    await s.reply(1);
    const spans = spansOf(other);
    expect(spans[0]?.name).toBe("paddock.getData");
    await s.close();
  });
});
