import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { credentials, Metadata } from "@grpc/grpc-js";
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataServiceClient } from "../../server/gen/paddock/v1/data.js";
import { defaultConfig, finishConfig, parseZooCfg } from "../../server/main/config.js";
import { type RunningServer, startServer } from "../../server/main/server.js";
import { enc } from "../support/raw-session.js";

// paddock.tracing.sampleRatio=0: no new trace is recorded, but a client's sampled traceparent is
// followed (parent-based sampling, OpenTelemetry's default shape).
const exporter = new InMemorySpanExporter();
let server: RunningServer;
let client: DataServiceClient;

beforeAll(async () => {
  const config = defaultConfig();
  parseZooCfg("paddock.tracing.sampleRatio=0", config, "/", () => {});
  finishConfig(config);
  config.clientPort = 0;
  config.clientPortAddress = "127.0.0.1";
  config.adminServer.port = 0;
  config.metrics.port = 0;
  config.dataDir = mkdtempSync(join(tmpdir(), "paddock-sampling-"));
  config.dataLogDir = config.dataDir;
  server = await startServer(config, () => {}, { spanExporter: exporter });
  client = new DataServiceClient(`127.0.0.1:${server.port}`, credentials.createInsecure());
});

afterAll(async () => {
  client?.close();
  await server?.stop();
});

function create(path: string, traceparent?: string): Promise<void> {
  const md = new Metadata();
  if (traceparent !== undefined) md.set("traceparent", traceparent);
  return new Promise((resolve, reject) =>
    client.create({ path, data: enc(""), acl: [], mode: 0, ttl: 0n }, md, (e) => (e ? reject(e) : resolve())),
  );
}

const pathsTraced = (): unknown[] =>
  exporter
    .getFinishedSpans()
    .filter((s) => s.name === "paddock.create")
    .map((s) => s.attributes["paddock.path"]);

describe("tracing with paddock.tracing.sampleRatio", () => {
  it("records no new trace at ratio 0, nor a client's unsampled one, but follows a sampled parent", async () => {
    await create("/untraced");
    await create("/unsampled", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
    await create("/sampled", "00-5bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    expect(pathsTraced()).toEqual(["/sampled"]);
  });

  it("refuses a ratio outside 0..1, naming the key", () => {
    for (const bad of ["1.5", "-0.1", "half", ""])
      expect(() => parseZooCfg(`paddock.tracing.sampleRatio=${bad}`, defaultConfig(), "/", () => {})).toThrow(
        `paddock.tracing.sampleRatio=${bad} must be a number from 0 to 1`,
      );
  });
});
