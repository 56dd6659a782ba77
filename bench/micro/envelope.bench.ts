/**
 * The session-stream envelope on the client side of the hot path: one request per envelope against
 * 16 per envelope (PROTOCOL.md's batching per event-loop turn), encode and decode.
 */
import { bench, describe } from "vitest";
import {
  type ClientMessage,
  SessionRequest,
  SessionResponse,
} from "../../clients/ts/gen/paddock/v1/session.js";

const data = Buffer.alloc(100, 97);
const request = (xid: number): ClientMessage => ({
  kind: {
    $case: "request",
    value: {
      xid,
      timeoutMs: 0,
      trace: {},
      op: { $case: "setData", value: { path: `/bench/set/k-0-${xid}`, data, version: undefined } },
    },
  },
});
const one: SessionRequest = { messages: [request(1)] };
const sixteen: SessionRequest = { messages: Array.from({ length: 16 }, (_, i) => request(i)) };
const replies16 = SessionResponse.encode({
  messages: Array.from({ length: 16 }, (_, i) => ({
    kind: {
      $case: "reply" as const,
      value: { xid: i, zxid: BigInt(i), error: undefined, result: undefined },
    },
  })),
}).finish();

describe("session envelope", () => {
  bench("encode 16 envelopes of 1 setData", () => {
    for (let i = 0; i < 16; i++) SessionRequest.encode(one).finish();
  });
  bench("encode 1 envelope of 16 setData", () => {
    SessionRequest.encode(sixteen).finish();
  });
  bench("decode 1 envelope of 16 replies", () => {
    SessionResponse.decode(replies16);
  });
});
