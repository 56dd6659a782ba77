import { credentials, Metadata, type ServiceError } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, connect } from "../../clients/ts/src/index.js";
import { DataServiceClient } from "../../server/gen/paddock/v1/data.js";
import { WatchServiceClient, type WatchStreamResponse } from "../../server/gen/paddock/v1/watch.js";
import { type ServerHandle, startServer } from "../support/launcher.js";
import { waitUntil } from "../support/wait.js";

// paddock.streamsMax bounds watch streams and chunked reads together on a real server: the call
// past the limit is refused with Throttled naming the limit, and a slot comes back when a call ends.

let server: ServerHandle;
let client: Client;
let watches: WatchServiceClient;
let data: DataServiceClient;

beforeAll(async () => {
  server = await startServer({ settings: { "paddock.streamsMax": 2 } });
  client = await connect(server.address);
  await client.create("/s", "v");
  watches = new WatchServiceClient(server.address, credentials.createInsecure());
  data = new DataServiceClient(server.address, credentials.createInsecure());
});

afterAll(async () => {
  watches?.close();
  data?.close();
  await client?.close();
  await server?.stop();
});

const request = {
  path: "/s",
  recursive: false,
  withData: false,
  childrenEvents: false,
  progressIntervalMs: 0,
  withPrevData: false,
  eventTypes: [],
  fragment: true,
};

/** Opens a watch stream and resolves once the server has answered it (its first progress). */
async function openWatch() {
  const call = watches.watch(request, new Metadata());
  const first = await new Promise<WatchStreamResponse | ServiceError>((resolve) => {
    call.once("data", resolve);
    call.once("error", resolve);
  });
  return { call, first };
}

function chunked(path: string): Promise<ServiceError | "ok"> {
  return new Promise((resolve) => {
    const call = data.getDataChunks({ path, consistency: 0, chunkBytes: 0 }, new Metadata());
    call.on("data", () => {});
    call.on("error", resolve);
    call.on("end", () => resolve("ok"));
  });
}

describe("paddock.streamsMax", () => {
  it("refuses the stream past the limit with Throttled naming it, and frees a slot when one ends", async () => {
    const a = await openWatch();
    const b = await openWatch();
    expect("kind" in a.first && "kind" in b.first).toBe(true);

    const c = await openWatch();
    const refused = c.first as ServiceError;
    expect(refused.code).toBe(8); // RESOURCE_EXHAUSTED
    expect(refused.message).toContain("paddock.streamsMax 2 reached");
    expect(refused.metadata.get("paddock-error-code")).toEqual(["Throttled"]);

    const chunks = await chunked("/s");
    expect(chunks).not.toBe("ok");
    expect((chunks as ServiceError).message).toContain("paddock.streamsMax 2 reached");

    a.call.cancel();
    // The slot comes back once the server has seen the cancel: a chunked read then goes through.
    await waitUntil("a chunked read after one stream ended", async () => (await chunked("/s")) === "ok");
    // And the finished chunked read gave its slot back too.
    const d = await openWatch();
    expect("kind" in d.first).toBe(true);
    b.call.cancel();
    d.call.cancel();
  });
});
