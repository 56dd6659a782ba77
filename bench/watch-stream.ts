/**
 * The resumable watch stream's cost (issue 18): memory per open stream, live fan-out throughput
 * and catch-up (history replay) throughput, with the server's CPU per delivered change. Not a
 * test: nothing is asserted; the numbers go in BENCHMARKS.md with the machine they ran on.
 *
 *   node --import tsx bench/watch-stream.ts                     # 1,000 streams over 10 connections
 *   node --import tsx bench/watch-stream.ts --streams 5000 --connections 50 --writes 2000
 *
 * Streams are raw WatchService calls (recursive on /ws, without data unless --with-data), spread
 * over --connections gRPC channels of their own (a local subchannel pool each, so each is one TCP
 * connection): this measures the server, not a client library. One writer session sets a node
 * under /ws --writes times, --in-flight at a time.
 */
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import type { ClientReadableStream } from "@grpc/grpc-js";
import { WatchServiceClient, type WatchStreamResponse } from "../clients/ts/gen/paddock/v1/watch.js";
import { connect } from "../clients/ts/src/index.js";
import { startServer } from "../test/support/launcher.js";
import { paddockHeapAfterGc } from "./heap-stats.js";
import { processCpuSeconds, processRssBytes } from "./proc-stats.js";
import { grpc } from "./targets/root-grpc.js";

const { values } = parseArgs({
  options: {
    streams: { type: "string", default: "1000" },
    connections: { type: "string", default: "10" },
    writes: { type: "string", default: "1000" },
    "in-flight": { type: "string", default: "8" },
    "value-bytes": { type: "string", default: "100" },
    "with-data": { type: "boolean", default: false },
  },
});
const streamCount = Number(values.streams);
const connectionCount = Math.max(1, Math.min(Number(values.connections), streamCount));
const writes = Number(values.writes);
const inFlight = Number(values["in-flight"]);
const value = Buffer.alloc(Number(values["value-bytes"]), 0x61);
const withData = values["with-data"] === true;

const server = await startServer({
  settings: {
    maxClientCnxns: 0,
    "paddock.streamsMax": 2 * streamCount + 16,
    watchHistorySize: 256 * 1024 * 1024,
    watchStreamBufferSize: 64 * 1024 * 1024,
  },
});
const pid = server.pid;
const writer = await connect(server.address, { sessionTimeoutMs: 30_000 });
await writer.create("/ws");
await writer.create("/ws/hot", value);

const channels = Array.from(
  { length: connectionCount },
  () =>
    new WatchServiceClient(server.address, grpc.credentials.createInsecure(), {
      "grpc.use_local_subchannel_pool": 1,
      "grpc.max_receive_message_length": 64 * 1024 * 1024,
    }),
);

interface Opened {
  calls: ClientReadableStream<WatchStreamResponse>[];
  /** Per stream: the newest zxid it has seen (changes or progress). */
  seen: bigint[];
  /** Changes delivered over all streams. */
  delivered: () => number;
}

/** Opens `count` streams (from `fromZxid` when given) and resolves once each has said something. */
async function openStreams(count: number, fromZxid?: bigint): Promise<Opened> {
  const seen = new Array<bigint>(count).fill(-1n);
  let delivered = 0;
  let ready = 0;
  let allReady: () => void = () => {};
  const readyAll = new Promise<void>((r) => {
    allReady = r;
  });
  const calls = Array.from({ length: count }, (_, i) => {
    const call = channels[i % channels.length]!.watch(
      {
        path: "/ws",
        recursive: true,
        withData,
        childrenEvents: false,
        progressIntervalMs: 60_000,
        withPrevData: false,
        eventTypes: [],
        fragment: true,
        ...(fromZxid === undefined ? {} : { fromZxid }),
      },
      new grpc.Metadata(),
    );
    let first = true;
    call.on("data", (m: WatchStreamResponse) => {
      const kind = m.kind;
      if (kind?.$case === "changes") {
        delivered += kind.value.changes.length;
        if (!kind.value.fragment) seen[i] = kind.value.zxid;
      } else if (kind?.$case === "progress") {
        if (kind.value.zxid > seen[i]!) seen[i] = kind.value.zxid;
      } else if (kind?.$case === "canceled") {
        throw new Error(`stream ${i} canceled: ${kind.value.message}`);
      }
      if (first) {
        first = false;
        if (++ready === count) allReady();
      }
    });
    call.on("error", (e: Error & { code?: number }) => {
      if (e.code !== grpc.status.CANCELLED) throw e;
    });
    return call;
  });
  if (count === 0) allReady();
  await readyAll;
  return { calls, seen, delivered: () => delivered };
}

/** Resolves when every stream has seen `zxid`. */
async function caughtUp(opened: Opened, zxid: bigint): Promise<void> {
  for (;;) {
    if (opened.seen.every((z) => z >= zxid)) return;
    await new Promise((r) => setImmediate(r));
  }
}

async function writeMany(count: number): Promise<{ lastZxid: bigint; seconds: number }> {
  let next = 0;
  let lastZxid = 0n;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) {
        next++;
        const stat = await writer.setData("/ws/hot", value);
        if (stat.mzxid > lastZxid) lastZxid = stat.mzxid;
      }
    }),
  );
  return { lastZxid, seconds: (performance.now() - t0) / 1000 };
}

const mib = (b: number | null | undefined): string => (b == null ? "?" : (b / 2 ** 20).toFixed(1));
const cpu = (): number => processCpuSeconds(pid) ?? Number.NaN;

// Writes alone first: the writer's baseline and the server CPU of a write with no stream.
const lone = await writeMany(writes);
const c0 = cpu();
const baseline = await writeMany(writes);
const baselineCpuUs = ((cpu() - c0) / writes) * 1e6;

// Memory per idle stream.
const heap0 = await paddockHeapAfterGc(server.address);
const rss0 = processRssBytes(pid);
const startZxid = baseline.lastZxid;
const tOpen = performance.now();
const live = await openStreams(streamCount);
const openS = (performance.now() - tOpen) / 1000;
const heap1 = await paddockHeapAfterGc(server.address);
const rss1 = processRssBytes(pid);

// Live fan-out: every write reaches every stream.
const c1 = cpu();
const t1 = performance.now();
const fan = await writeMany(writes);
await caughtUp(live, fan.lastZxid);
const fanS = (performance.now() - t1) / 1000;
const fanCpu = cpu() - c1;
const fanEvents = live.delivered();

// Catch-up: as many new streams from before the fan-out's writes replay them from the history.
const c2 = cpu();
const t2 = performance.now();
const replay = await openStreams(streamCount, startZxid);
await caughtUp(replay, fan.lastZxid);
const replayS = (performance.now() - t2) / 1000;
const replayCpu = cpu() - c2;
const replayEvents = replay.delivered();

for (const call of [...live.calls, ...replay.calls]) call.cancel();
for (const channel of channels) channel.close();
await writer.close();
await server.stop();

const perStream = (a: number | undefined, b: number | undefined): string =>
  a === undefined || b === undefined ? "?" : ((b - a) / streamCount / 1024).toFixed(2);
console.log(
  JSON.stringify(
    {
      shape: {
        streams: streamCount,
        connections: connectionCount,
        writes,
        inFlight,
        valueBytes: value.length,
        withData,
      },
      writesAlone: {
        opsPerS: Math.round(writes / baseline.seconds),
        serverCpuUsPerWrite: +baselineCpuUs.toFixed(1),
      },
      warmup: { opsPerS: Math.round(writes / lone.seconds) },
      idleStreams: {
        openSeconds: +openS.toFixed(2),
        liveHeapMiB: [mib(heap0?.live), mib(heap1?.live)],
        rssMiB: [mib(rss0), mib(rss1)],
        liveHeapKiBPerStream: perStream(heap0?.live, heap1?.live),
        rssKiBPerStream: perStream(rss0 ?? undefined, rss1 ?? undefined),
      },
      fanOut: {
        writesPerS: Math.round(writes / fan.seconds),
        eventsDelivered: fanEvents,
        eventsPerS: Math.round(fanEvents / fanS),
        serverCpuUsPerEvent: +((fanCpu / fanEvents) * 1e6).toFixed(2),
        seconds: +fanS.toFixed(2),
      },
      catchUp: {
        eventsDelivered: replayEvents,
        eventsPerS: Math.round(replayEvents / replayS),
        serverCpuUsPerEvent: +((replayCpu / replayEvents) * 1e6).toFixed(2),
        seconds: +replayS.toFixed(2),
      },
    },
    null,
    2,
  ),
);
