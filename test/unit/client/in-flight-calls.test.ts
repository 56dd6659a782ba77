import { describe, expect, it } from "vitest";
import { type Call, InFlightCalls } from "../../../clients/ts/src/call.js";

const call = (xid: number): Call => ({
  xid,
  op: { $case: "ping", value: {} },
  deadline: Number.POSITIVE_INFINITY,
  trace: {},
  bytes: 8,
  done: false,
  onReply: () => undefined,
  onFail: () => undefined,
});

describe("InFlightCalls", () => {
  it("takes calls in send order, and by xid out of order", () => {
    const calls = new InFlightCalls();
    for (let xid = 1; xid <= 5; xid++) calls.add(call(xid));
    expect(calls.take(1)?.xid).toBe(1);
    expect(calls.take(3)?.xid).toBe(3);
    expect(calls.take(3)).toBeUndefined();
    expect(calls.take(99)).toBeUndefined();
    expect(calls.size).toBe(3);
    expect([...calls.values()].map((c) => c.xid)).toEqual([2, 4, 5]);
    expect(calls.take(2)?.xid).toBe(2);
    expect(calls.clear().map((c) => c.xid)).toEqual([4, 5]);
    expect(calls.size).toBe(0);
    expect([...calls.values()]).toEqual([]);
  });

  it("stays correct over a long run with a window of calls in flight", () => {
    const calls = new InFlightCalls();
    let sent = 0;
    let answered = 0;
    for (let round = 0; round < 3000; round++) {
      for (let i = 0; i < 7; i++) calls.add(call(++sent));
      // Answer in order, except that every 50th round one reply overtakes its predecessor.
      while (sent - answered > 20) {
        const xid = round % 50 === 0 && sent - answered > 1 ? answered + 2 : answered + 1;
        expect(calls.take(xid)?.xid).toBe(xid);
        if (xid === answered + 2) {
          expect(calls.take(answered + 1)?.xid).toBe(answered + 1);
          answered += 2;
        } else answered++;
      }
      expect(calls.size).toBe(sent - answered);
    }
    expect([...calls.values()].map((c) => c.xid)).toEqual(
      Array.from({ length: sent - answered }, (_, i) => answered + 1 + i),
    );
  });
});
