import { describe, expect, it } from "vitest";
import { Requester } from "../../../server/pipeline/requester.js";

// A Requester's identities: what each request is ACL-checked with, as it arrived.
describe("a requester's identities", () => {
  const ip = { scheme: "ip", id: "10.0.0.1" };
  const alice = { scheme: "digest", id: "alice:hash" };

  it("starts with the connection's identities, open, with an empty queue and nothing held", () => {
    const sink = { send: () => {}, end: () => {} };
    const r = new Requester(7n, [ip], sink);
    expect([r.sessionId, r.ids, r.sink, r.closing, r.held, r.queue]).toEqual([
      7n,
      [ip],
      sink,
      false,
      undefined,
      [],
    ]);
    expect(r.sink).toBe(sink);
  });

  it("adds only identities it does not hold, by scheme and id together, in the order given", () => {
    const r = new Requester(7n, [ip], undefined);
    r.addIds([
      alice,
      { scheme: "ip", id: "10.0.0.1" },
      { scheme: "digest", id: "10.0.0.1" },
      { scheme: "ip", id: "alice:hash" },
    ]);
    expect(r.ids).toEqual([
      ip,
      alice,
      { scheme: "digest", id: "10.0.0.1" },
      { scheme: "ip", id: "alice:hash" },
    ]);
  });

  it("replaces the list instead of changing it: a request that arrived earlier keeps its own", () => {
    const r = new Requester(7n, [ip], undefined);
    const before = r.ids;
    r.addIds([alice]);
    expect(before).toEqual([ip]);
    expect(r.ids).toEqual([ip, alice]);
    const after = r.ids;
    r.addIds([alice, ip]);
    expect(r.ids).toBe(after);
  });

  it("is a session unless its id is 0 (a sessionless unary call)", () => {
    expect(new Requester(0n, [], undefined).isSession).toBe(false);
    expect(new Requester(1n, [], undefined).isSession).toBe(true);
    expect(new Requester(-1n, [], undefined).isSession).toBe(true);
  });
});
