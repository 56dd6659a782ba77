import { describe, expect, it } from "vitest";
import type { Request } from "../../../server/gen/paddock/v1/session.js";
import { Code } from "../../../server/util/error-code.js";
import { connect, connection, member } from "./fake-member.js";
import { refusal } from "./refusal.js";

// front.ts's edges on the real Pipeline of fake-member.ts: the exact refusals of a connection used
// out of order, no entry kept for an address whose connections are all gone, and a connection
// dropped before its session was ready keeping no hold on that session.

const ping: Request = { xid: 1, timeoutMs: 0, trace: {}, op: { $case: "ping", value: {} } };

describe("FrontConnection used out of order", () => {
  it("refuses a request before the ConnectRequest, and a second ConnectRequest, exactly", async () => {
    const m = member();
    await m.advanceTo(2_000);
    const c = connection(m.pipeline.front, "10.0.0.1");
    expect(refusal(() => c.conn.submit([ping]))).toEqual({
      code: Code.BadArguments,
      path: "",
      message: "BadArguments for : the first message must be a ConnectRequest",
    });
    c.conn.connect(connect);
    expect(refusal(() => c.conn.connect(connect))).toEqual({
      code: Code.BadArguments,
      path: "",
      message: "BadArguments for : a second ConnectRequest on one connection",
    });
    m.stop();
  });
});

describe("ClientFront's count per address", () => {
  it("keeps no entry for an address once its last connection is dropped", async () => {
    const m = member();
    await m.advanceTo(2_000);
    // Private: only the map's size is read. An entry left at 0 per address ever seen would grow
    // with every client address for the life of the server.
    const perAddress = () => (m.pipeline.front as unknown as { perAddress: Map<string, number> }).perAddress;
    const a = connection(m.pipeline.front, "10.0.0.1");
    const b = connection(m.pipeline.front, "10.0.0.1");
    const c = connection(m.pipeline.front, "10.0.0.2");
    expect([...perAddress()]).toEqual([
      ["10.0.0.1", 2],
      ["10.0.0.2", 1],
    ]);
    a.conn.drop();
    c.conn.drop();
    expect([...perAddress()]).toEqual([["10.0.0.1", 1]]);
    b.conn.drop();
    expect(perAddress().size).toBe(0);
    m.stop();
  });
});

describe("a connection dropped before its session was ready", () => {
  it("is not the session's connection: a resume elsewhere does not end it", async () => {
    const m = member();
    await m.advanceTo(2_000);
    const a = connection(m.pipeline.front, "10.0.0.1");
    a.conn.connect({ ...connect, timeoutMs: 10_000 });
    a.conn.drop();
    await m.advanceTo(2_100);
    const hello = a.received[0]?.kind;
    if (hello?.$case !== "connected") throw new Error("the session was not opened");
    const b = connection(m.pipeline.front, "10.0.0.2");
    b.conn.connect({ ...connect, sessionId: hello.value.sessionId, password: hello.value.password });
    await m.advanceTo(2_200);
    expect(b.received[0]?.kind?.$case).toBe("connected");
    // The resume ends the session's live connection first: the dropped one was never that.
    expect(a.ended).toBe(false);
    expect(a.received.map((r) => r.kind?.$case)).toEqual(["connected"]);
    m.stop();
  });
});
