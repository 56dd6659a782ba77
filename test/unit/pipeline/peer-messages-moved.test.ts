import { beforeEach, describe, expect, it } from "vitest";
import type { PeerMessage } from "../../../server/gen/paddock/internal/v1/peer.js";
import type { ServerMessage } from "../../../server/gen/paddock/v1/session.js";
import type { PipelineContext } from "../../../server/pipeline/context.js";
import { Forwarder, type Waiter } from "../../../server/pipeline/forwarder.js";
import { onPeerMessage } from "../../../server/pipeline/peer-messages.js";
import { Requester } from "../../../server/pipeline/requester.js";
import { Code } from "../../../server/util/error-code.js";
import type { PaddockError } from "../../../server/util/paddock-error.js";

// The leader's SessionMoved refusal on the member that forwarded the request (peer-messages.ts,
// intake.ts closeMoved): as ZooKeeper, the stale connection is closed, and the waiter fails. Any
// other refusal leaves the connection open. The real Forwarder; the replica only says who leads.
const LEADER = 1;

let forwarder: Forwarder;
let failures: PaddockError[];
let ctx: PipelineContext;

beforeEach(() => {
  failures = [];
  forwarder = new Forwarder({ sendToLeader: () => true }, 10);
  ctx = {
    deps: { replica: { view: { leaderId: LEADER }, sendTo: () => true } },
    member: { leading: false, serving: true, storageFailure: undefined },
    forwarder,
    counters: { appliedZxid: 0 },
  } as unknown as PipelineContext;
});

/** A requester on a connection that records what it gets and its ends; its forward is pending. */
function forwarded(attached: boolean) {
  const sent: ServerMessage[] = [];
  let ends = 0;
  const sink = attached ? { send: (m: ServerMessage) => sent.push(m), end: () => ends++ } : undefined;
  const requester = new Requester(5n, [], sink);
  const waiter: Waiter = {
    requester,
    slot: undefined,
    barrier: false,
    onApplied: undefined,
    onFailed: (e) => failures.push(e),
  };
  forwarder.forward(waiter, { $case: "barrier", value: { revalidate: false } }, 5n, "");
  return { requester, sent, ends: () => ends };
}

const refusal = (ref: number, code: number, message: string): PeerMessage => ({
  kind: { $case: "forwardReply", value: { ref, error: { code, path: "", message } } },
});
const MOVED = "session 0x5 moved to another member: this connection is stale";

describe("the leader's SessionMoved refusal on the forwarding member", () => {
  it("closes the connection unanswered and fails the waiter; another refusal keeps it open", () => {
    const moved = forwarded(true);
    const expired = forwarded(true);
    onPeerMessage(ctx, LEADER, refusal(1, Code.SessionMoved, MOVED));
    onPeerMessage(ctx, LEADER, refusal(2, Code.SessionExpired, "session 0x5 expired"));
    expect([moved.ends(), moved.requester.sink, moved.sent]).toEqual([1, undefined, []]);
    expect(expired.ends()).toBe(0);
    expect(expired.requester.sink).toBeDefined();
    expect(failures.map((e) => [e.code, e.message])).toEqual([
      [Code.SessionMoved, MOVED],
      [Code.SessionExpired, "session 0x5 expired"],
    ]);
  });

  it("a requester whose connection is already gone just has its waiter failed", () => {
    forwarded(false);
    onPeerMessage(ctx, LEADER, refusal(1, Code.SessionMoved, MOVED));
    expect(failures.map((e) => e.code)).toEqual([Code.SessionMoved]);
    expect(forwarder.size).toBe(0);
  });
});
