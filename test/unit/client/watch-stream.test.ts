import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import type { WatchStreamRequest, WatchStreamResponse } from "../../../clients/ts/gen/paddock/v1/watch.js";
import type { Transport, WatchCall } from "../../../clients/ts/src/transport.js";
import { WatchCompactedError, WatchStream } from "../../../clients/ts/src/watch-stream.js";

// The TS client's resume logic on scripted streams: which server and which zxid each reopen asks
// for, what the iterator yields, and the errors it ends with. (test/e2e/watch-stream.test.ts and
// test/cluster/watch-stream-failover.test.ts run it against real servers.)

class FakeCall extends EventEmitter implements WatchCall {
  cancelled = false;
  constructor(
    readonly address: string,
    readonly request: WatchStreamRequest,
  ) {
    super();
  }
  cancel(): void {
    this.cancelled = true;
  }
  pause(): void {}
  resume(): void {}
  send(message: WatchStreamResponse): void {
    this.emit("data", message);
  }
}

function setup() {
  const calls: FakeCall[] = [];
  const transport: Transport = {
    open: () => {
      throw new Error("no sessions here");
    },
    close: () => undefined,
    watch: (address, request) => {
      const call = new FakeCall(address, request);
      calls.push(call);
      return call;
    },
  };
  const source = { transport, servers: ["a:1", "b:2"], current: () => "a:1", auth: () => [], chroot: "" };
  return { calls, source };
}

const changes = (zxid: bigint, path = "/w"): WatchStreamResponse => ({
  kind: {
    $case: "changes",
    value: {
      zxid,
      fragment: false,
      changes: [{ type: 1, path, data: Buffer.alloc(0), prevData: Buffer.alloc(0) }],
    },
  },
});
const progress = (zxid: bigint): WatchStreamResponse => ({ kind: { $case: "progress", value: { zxid } } });
const canceled = (reason: number, lastZxid: bigint, oldestZxid = 0n): WatchStreamResponse => ({
  kind: { $case: "canceled", value: { reason, lastZxid, oldestZxid, message: "why" } },
});

async function until(what: string, condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((r) => setImmediate(r));
  if (!condition()) throw new Error(`never: ${what}`);
}

describe("client watch stream", () => {
  it("reopens on the next server from the last zxid it delivered or was told of", async () => {
    const { calls, source } = setup();
    const stream = new WatchStream(source, "/w", { fromZxid: 5n, recursive: true });
    expect(calls[0]!.address).toBe("a:1");
    expect(calls[0]!.request).toMatchObject({ path: "/w", recursive: true, fromZxid: 5n });
    calls[0]!.send(changes(6n));
    calls[0]!.send(progress(9n));
    calls[0]!.emit("error", Object.assign(new Error("gone"), { code: 14 }));
    await until("a second call", () => calls.length === 2);
    expect(calls[1]!.address).toBe("b:2");
    expect(calls[1]!.request.fromZxid).toBe(9n);
    calls[1]!.send(changes(10n));
    // A slow-consumer cut: again at once, on the same server, from last_zxid.
    calls[1]!.send(canceled(2, 10n));
    await until("a third call", () => calls.length === 3);
    expect([calls[2]!.address, calls[2]!.request.fromZxid]).toEqual(["b:2", 10n]);
    calls[2]!.send(changes(11n));
    const got: bigint[] = [];
    for (let i = 0; i < 3; i++) got.push(((await stream.next()).value as { zxid: bigint }).zxid);
    expect(got).toEqual([6n, 10n, 11n]);
    await stream.return();
    expect(calls[2]!.cancelled).toBe(true);
  });

  it("fails with the oldest zxid when the history is gone, and on a repeated zxid", async () => {
    const compacted = setup();
    const stale = new WatchStream(compacted.source, "/w", { fromZxid: 1n });
    compacted.calls[0]!.send(canceled(1, 1n, 40n));
    const error = await stale.next().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WatchCompactedError);
    expect((error as WatchCompactedError).oldestZxid).toBe(40n);

    const repeated = setup();
    const stream = new WatchStream(repeated.source, "/w", { fromZxid: 1n });
    repeated.calls[0]!.send(changes(3n));
    repeated.calls[0]!.send(changes(3n));
    expect((await stream.next()).value).toMatchObject({ zxid: 3n });
    await expect(stream.next()).rejects.toThrow(/repeated zxid 3/);
  });

  it("gives up on a refusal that retrying cannot cure", async () => {
    const { calls, source } = setup();
    const stream = new WatchStream(source, "/w");
    calls[0]!.emit("error", Object.assign(new Error("3 INVALID_ARGUMENT: bad path"), { code: 3 }));
    await expect(stream.next()).rejects.toThrow(/bad path/);
    expect(calls).toHaveLength(1);
  });
});
