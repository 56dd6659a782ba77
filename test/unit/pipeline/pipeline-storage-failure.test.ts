import { describe, expect, it } from "vitest";
import { Code } from "../../../server/util/error-code.js";
import { connect, connection, create, member } from "./fake-member.js";

// Pipeline.onStorageFailed and stop() on the real Pipeline of one member (fake-member.ts): what a
// write in flight, a connect in flight and a later write are told, what the log says, and what a
// member shutting down tells its connections and watch streams.

const EPOCH_1 = 2 ** 32;

describe("storage failing under the pipeline", () => {
  it("fails each write in flight naming its path and zxid, a connect in flight with no path, then refuses writes", async () => {
    const m = member();
    await m.advanceTo(2_000);
    const c = connection(m.pipeline.front, "10.0.0.1");
    c.conn.connect(connect);
    await m.advanceTo(2_100);
    const first = m.pipeline.zxid;
    // The next two appends never finish; the one after throws.
    m.storage.hold();
    const a = c.send(create("/a"));
    const opener = connection(m.pipeline.front, "10.0.0.2");
    opener.conn.connect(connect);
    await m.advanceTo(2_150);
    m.storage.failWith = new Error("disk gone");
    const b = c.send(create("/b"));
    await m.advanceTo(2_200);
    expect(c.reply(a)?.error).toEqual({
      code: Code.SystemError,
      path: "/a",
      message: `write ${first + 1} not durable: disk gone`,
    });
    expect(c.reply(b)?.error).toEqual({
      code: Code.SystemError,
      path: "/b",
      message: `write ${first + 3} not durable: disk gone`,
    });
    const refused = opener.received[0]?.kind;
    expect(refused?.$case === "sessionEvent" ? refused.value.error : undefined).toEqual({
      code: Code.SystemError,
      path: "",
      message: `write ${first + 2} not durable: disk gone`,
    });
    expect(m.leveled).toContain("error storage failed, no longer accepting writes: disk gone");

    const later = c.send(create("/c"));
    await m.advanceTo(2_300);
    expect(c.reply(later)?.error).toEqual({
      code: Code.SystemError,
      path: "",
      message: "not accepting writes: storage failed: disk gone",
    });
    expect(first).toBeGreaterThan(EPOCH_1);
    m.stop();
  });
});

describe("a member shutting down", () => {
  it("ends every connection and cancels every watch stream with the reason", async () => {
    const m = member();
    await m.advanceTo(2_000);
    const c = connection(m.pipeline.front, "10.0.0.1");
    c.conn.connect(connect);
    await m.advanceTo(2_100);
    const stream: unknown[] = [];
    let streamEnded = false;
    m.pipeline.front.watch(
      {
        path: "/",
        recursive: true,
        fromZxid: undefined,
        withData: false,
        childrenEvents: false,
        progressIntervalMs: 0,
        withPrevData: false,
        eventTypes: [],
        fragment: false,
      },
      [],
      {
        send: (message) => stream.push(message.kind),
        bufferedBytes: 0,
        end: () => {
          streamEnded = true;
        },
      },
    );
    expect(c.ended).toBe(false);
    m.pipeline.stop();
    expect(c.ended).toBe(true);
    expect(streamEnded).toBe(true);
    expect(stream.at(-1)).toMatchObject({
      $case: "canceled",
      value: { reason: 3, message: "the member is shutting down: resume from last_zxid on another member" },
    });
  });
});
