import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, connect, type WatchStreamBatch } from "../../clients/ts/src/index.js";
import { type Ensemble, startEnsemble } from "../support/ensemble.js";

// A resumable watch stream served by a follower from its own applied history; the follower is
// killed and the TS client's iterator reopens the stream on another member from the last zxid it
// delivered: every change arrives once, in zxid order, none missed.

let ensemble: Ensemble;
let writer: Client | undefined;
let reader: Client | undefined;

beforeAll(async () => {
  ensemble = await startEnsemble({ voters: 3 });
});

afterAll(async () => {
  await writer?.close();
  await reader?.close();
  await ensemble?.stopAll();
});

describe("watch stream failover", () => {
  it("resumes on another member after the follower it was on is killed", async () => {
    const leader = await ensemble.waitForLeader({ timeoutMs: 20_000 });
    const [follower, other] = ensemble.members.filter((m) => m.id !== leader);
    const leaderAddress = ensemble.members.find((m) => m.id === leader)!.address;
    writer = await connect(leaderAddress);
    // The reader's session, and so its stream, starts on the follower.
    reader = await connect([follower!.address, other!.address], { shuffleServers: false });
    expect(reader.server).toBe(follower!.address);

    const start = (await writer.create("/c")).stat.czxid;
    for (let i = 0; i < 5; i++) await writer.create(`/c/n${i}`, `v${i}`);
    const stream = reader.watchStream("/c", { recursive: true, fromZxid: start, withData: true });
    expect(stream.server).toBe(follower!.address);
    const batches: WatchStreamBatch[] = [];
    for (let i = 0; i < 5; i++) batches.push((await stream.next()).value as WatchStreamBatch);

    // Frozen, the follower delivers nothing more; the leader and the other member commit five
    // changes; then the follower dies, and the stream must catch them up on the other member.
    ensemble.pause(follower!.id);
    for (let i = 5; i < 10; i++) await writer.create(`/c/n${i}`, `v${i}`);
    await ensemble.kill(follower!.id);
    for (let i = 0; i < 5; i++) batches.push((await stream.next()).value as WatchStreamBatch);
    expect(stream.server).toBe(other!.address);
    await stream.return();

    const changes = batches.flatMap((b) =>
      b.changes.map((c) => `${c.type} ${c.path} ${Buffer.from(c.data!)}`),
    );
    expect(changes).toEqual(Array.from({ length: 10 }, (_, i) => `NodeCreated /c/n${i} v${i}`));
    const zxids = batches.map((b) => b.zxid);
    for (let i = 1; i < zxids.length; i++) expect(zxids[i]!).toBeGreaterThan(zxids[i - 1]!);
  });
});
