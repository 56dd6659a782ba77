// The jute fuzz inputs through a real server's client port: batches of mutated request frames on
// raw sockets, and after each batch a good client must still connect (docs/FUZZING.md).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCorpus } from "../fuzz/engine/corpus-store.js";
import { Mutator } from "../fuzz/engine/mutator.js";
import { SHORT_RUN_SEED } from "../fuzz/engine/short-run.js";
import { juteRequestSeeds } from "../fuzz/targets/jute-request.js";
import { connectFrame, openRaw, parseConnectResponse } from "../support/jute-raw.js";
import { type ServerHandle, startServer } from "../support/launcher.js";

const BATCHES = 40;
const FRAMES_PER_BATCH = 24;

let server: ServerHandle;

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await server?.stop();
});

function framed(body: Buffer): Buffer {
  const prefix = Buffer.alloc(4);
  prefix.writeInt32BE(body.length);
  return Buffer.concat([prefix, body]);
}

/** A fresh client connects and gets a session: the door still serves. */
async function goodClientConnects(): Promise<void> {
  const c = await openRaw(server.juteAddress);
  c.socket.write(connectFrame({ timeOut: 10_000 }));
  const got = await c.bytes(40);
  c.socket.destroy();
  expect(got.length, "ConnectResponse").toBeGreaterThanOrEqual(40);
  expect(parseConnectResponse(got).sessionId).not.toBe(0n);
}

describe("fuzz: jute frames on a real server's client port", () => {
  it(`survives ${BATCHES} batches of ${FRAMES_PER_BATCH} mutated frames after a connect`, async () => {
    const pool = [...juteRequestSeeds(), ...loadCorpus("jute-request")];
    const mutator = new Mutator(SHORT_RUN_SEED, [], 2048);
    for (let batch = 0; batch < BATCHES; batch++) {
      const c = await openRaw(server.juteAddress);
      const frames: Buffer[] = [connectFrame({ timeOut: 10_000 })];
      for (let i = 0; i < FRAMES_PER_BATCH; i++) {
        const parent = pool[mutator.below(pool.length)]!;
        const mutated = mutator.mutate(parent, pool[mutator.below(pool.length)]!);
        // Every fourth frame keeps the prefix the mutation gave its length field; the rest are framed right.
        frames.push(i % 4 === 3 ? mutated : framed(mutated));
      }
      c.socket.write(Buffer.concat(frames));
      // The server answers or closes; either way give it a moment, then ask a good client.
      await Promise.race([c.closed, new Promise((resolve) => setTimeout(resolve, 300))]);
      c.socket.destroy();
      await goodClientConnects();
    }
    expect(server.log()).not.toMatch(/AssertionError|uncaught|TypeError/i);
  });
});
