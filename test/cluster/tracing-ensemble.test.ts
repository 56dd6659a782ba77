import { createServer, type Server } from "node:http";
import { type AddressInfo, connect as tcpConnect } from "node:net";
import { credentials, Metadata } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataServiceClient } from "../../server/gen/paddock/v1/data.js";
import { type Ensemble, startEnsemble } from "../support/ensemble.js";
import { connectFrame, framesOf, parseConnectResponse } from "../support/jute-raw.js";
import { enc } from "../support/raw-session.js";

/**
 * Issue 15: a write traced across members. Three member processes export OTLP/HTTP to a receiver
 * this test runs; a write sent to a follower shows up as one trace: the follower's request and
 * forward spans, the leader's proposal (with each learner's ack as an event, then committed), every
 * member's ack and apply spans, each member's spans under service.name and paddock.member.id.
 * A session's open (through a follower) and its expiry (on the leader) are traced the same way.
 */

/** One span as the OTLP/HTTP JSON encoding carries it (opentelemetry-proto's JSON mapping). */
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: OtlpAttribute[];
  events?: { name: string; attributes?: OtlpAttribute[] }[];
}
interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; intValue?: string | number };
}
interface OtlpExport {
  resourceSpans?: {
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: { spans?: OtlpSpan[] }[];
  }[];
}

/** A received span with the resource it came from. */
interface Received extends OtlpSpan {
  service: string | undefined;
  member: number | undefined;
}

function attribute(attributes: OtlpAttribute[] | undefined, key: string): string | undefined {
  const value = attributes?.find((a) => a.key === key)?.value;
  if (value === undefined) return undefined;
  return value.stringValue ?? (value.intValue === undefined ? undefined : String(value.intValue));
}

const received: Received[] = [];
const contentTypes = new Set<string>();
let receiver: Server;
let ensemble: Ensemble;

/** The smallest OTLP/HTTP receiver: the exporter posts JSON (its default encoding) to /v1/traces. */
function startReceiver(): Promise<Server> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      contentTypes.add(String(request.headers["content-type"]));
      if (request.url === "/v1/traces" && String(request.headers["content-type"]).includes("json")) {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as OtlpExport;
        for (const rs of body.resourceSpans ?? []) {
          const service = attribute(rs.resource?.attributes, "service.name");
          const member = attribute(rs.resource?.attributes, "paddock.member.id");
          for (const ss of rs.scopeSpans ?? []) {
            for (const span of ss.spans ?? []) {
              received.push({ ...span, service, member: member === undefined ? undefined : Number(member) });
            }
          }
        }
      }
      response.writeHead(200, { "content-type": "application/json" });
      response.end("{}");
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

beforeAll(async () => {
  receiver = await startReceiver();
  const port = (receiver.address() as AddressInfo).port;
  ensemble = await startEnsemble({
    voters: 3,
    settings: {
      "paddock.tracing.exporter": "otlp",
      "paddock.tracing.endpoint": `http://127.0.0.1:${port}/v1/traces`,
      "paddock.tracing.serviceName": "paddock",
    },
    // Export every 100 ms rather than the batch processor's 5 s.
    env: () => ({ OTEL_BSP_SCHEDULE_DELAY: "100" }),
  });
  await ensemble.waitForLeader({ timeoutMs: 20_000 });
}, 60_000);

afterAll(async () => {
  await ensemble?.stopAll();
  await new Promise((resolve) => receiver?.close(resolve));
});

async function spansOf(traceId: string, done: (spans: Received[]) => boolean): Promise<Received[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const spans = received.filter((s) => s.traceId === traceId);
    if (done(spans) || Date.now() > deadline) return spans;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("a write traced across an ensemble", () => {
  it("holds the follower's forward, the leader's proposal, the acks, the commit and every apply", async () => {
    const leader = await ensemble.waitForLeader({ timeoutMs: 20_000 });
    const follower = ensemble.members.find((m) => m.id !== leader)!;
    const traceId = "5bf92f3577b34da6a3ce929d0e0e4736";
    const client = new DataServiceClient(follower.address, credentials.createInsecure());
    const md = new Metadata();
    md.set("traceparent", `00-${traceId}-00f067aa0ba902b7-01`);
    await new Promise<void>((resolve, reject) =>
      client.create({ path: "/traced-ensemble", data: enc("v"), acl: [], mode: 0, ttl: 0n }, md, (e) =>
        e ? reject(e) : resolve(),
      ),
    );
    client.close();

    const spans = await spansOf(
      traceId,
      (s) =>
        s.filter((x) => x.name === "paddock.apply").length >= 3 && s.some((x) => x.name === "paddock.create"),
    );
    const summary = spans.map((s) => `${s.member}:${s.name}`).sort();
    expect([...contentTypes]).toEqual(["application/json"]);
    // Every span names its service and member.
    for (const span of spans) {
      expect(span.service).toBe("paddock");
      expect([1, 2, 3]).toContain(span.member);
    }
    expect(new Set(spans.map((s) => s.member)).size, summary.join(" ")).toBe(3);

    const one = (name: string, member: number): Received => {
      const found = spans.filter((s) => s.name === name && s.member === member);
      expect(found, `${member}:${name} in ${summary.join(" ")}`).toHaveLength(1);
      return found[0]!;
    };
    // client → the follower it reached → forwarded to the leader.
    const request = one("paddock.create", follower.id);
    expect(request.parentSpanId).toBe("00f067aa0ba902b7");
    expect(request.events?.map((e) => e.name)).toEqual(["applied"]);
    const forward = one("paddock.forward", follower.id);
    expect(forward.parentSpanId).toBe(request.spanId);
    // → the leader's proposal, each learner's ack, committed.
    const propose = one("paddock.propose", leader);
    expect(propose.parentSpanId).toBe(forward.spanId);
    const events = propose.events ?? [];
    expect(events.map((e) => e.name).at(-1)).toBe("committed");
    const ackers = events
      .filter((e) => e.name === "ack")
      .map((e) => Number(attribute(e.attributes, "paddock.member.id")));
    // The quorum needs one learner's ack; the other's may come after the commit.
    expect(ackers.length).toBeGreaterThanOrEqual(1);
    for (const id of ackers) expect(id).not.toBe(leader);
    for (const learner of ensemble.members.filter((m) => m.id !== leader)) {
      expect(one("paddock.ack", learner.id).parentSpanId).toBe(propose.spanId);
    }
    // → apply on every member (the follower's reply is its request span's end).
    for (const m of ensemble.members) {
      const apply = one("paddock.apply", m.id);
      expect(apply.parentSpanId).toBe(propose.spanId);
      expect(attribute(apply.attributes, "paddock.zxid")).toBe(attribute(propose.attributes, "paddock.zxid"));
    }
  }, 60_000);

  it("traces a session's open through a follower and its expiry on the leader", async () => {
    const leader = await ensemble.waitForLeader({ timeoutMs: 20_000 });
    const follower = ensemble.members.find((m) => m.id !== leader)!;
    // ZooKeeper's protocol to the follower: a session of the shortest timeout, then the socket goes.
    const socket = tcpConnect(follower.clientPort, "127.0.0.1");
    let bytes = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      bytes = Buffer.concat([bytes, chunk]);
    });
    socket.write(connectFrame({ timeOut: 400 }));
    const deadline = Date.now() + 10_000;
    while (framesOf(bytes).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const session = `0x${parseConnectResponse(bytes).sessionId.toString(16)}`;
    socket.destroy();

    const rootOf = async (name: string): Promise<Received> => {
      const until = Date.now() + 15_000;
      for (;;) {
        const found = received.find(
          (s) => s.name === name && attribute(s.attributes, "paddock.session") === session,
        );
        if (found !== undefined) return found;
        if (Date.now() > until) throw new Error(`no ${name} span for session ${session}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const applies = (spans: Received[]) => spans.filter((x) => x.name === "paddock.apply").length >= 3;

    // The open: the follower's span, its forward, the leader's proposal, an apply on every member.
    const open = await rootOf("paddock.session.open");
    expect(open.member).toBe(follower.id);
    expect(open.parentSpanId ?? "").toBe("");
    const opened = await spansOf(open.traceId, applies);
    const forward = opened.find((s) => s.name === "paddock.forward");
    expect(forward?.parentSpanId).toBe(open.spanId);
    const propose = opened.find((s) => s.name === "paddock.propose");
    expect(propose?.member).toBe(leader);
    expect(propose?.parentSpanId).toBe(forward?.spanId);
    const appliedOn = (spans: Received[], parent: string | undefined) =>
      spans.filter((s) => s.name === "paddock.apply" && s.parentSpanId === parent).map((s) => s.member);
    expect(appliedOn(opened, propose?.spanId).sort()).toEqual([1, 2, 3]);

    // The expiry: the leader's span and its proposal, applied on every member.
    const expire = await rootOf("paddock.session.expire");
    expect(expire.member).toBe(leader);
    const expired = await spansOf(expire.traceId, applies);
    const close = expired.find((s) => s.name === "paddock.propose");
    expect(close?.parentSpanId).toBe(expire.spanId);
    expect(appliedOn(expired, close?.spanId).sort()).toEqual([1, 2, 3]);
  }, 60_000);
});
