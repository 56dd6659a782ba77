import { beforeEach, describe, expect, it } from "vitest";
import type { PeerMessage } from "../../../server/gen/paddock/internal/v1/peer.js";
import type { PipelineContext } from "../../../server/pipeline/context.js";
import { Forwarder, type Waiter } from "../../../server/pipeline/forwarder.js";
import { onPeerMessage } from "../../../server/pipeline/peer-messages.js";
import { Requester } from "../../../server/pipeline/requester.js";
import { SessionUpkeep, type UpkeepDeps } from "../../../server/pipeline/upkeep.js";
import { SessionTable } from "../../../server/sessions/index.js";
import { Code } from "../../../server/util/error-code.js";
import type { PaddockError } from "../../../server/util/paddock-error.js";

// onPeerMessage on a member that does not lead (forwards refused, the leader's refusals routed to
// the real Forwarder's waiters, touches ignored) and on a leader (touches move the real session
// table's deadlines). The replica is a recorder of what is sent and who leads; forwards a leader
// accepts are leader-intake's and are driven through the fake ensemble elsewhere.
const LEADER = 1;
const TICK_MS = 100;

let now: number;
let sentTo: { to: number; message: PeerMessage }[];
let sessions: SessionTable;
let forwarder: Forwarder;
let failures: PaddockError[];
let ctx: PipelineContext;

function context(leading: boolean): PipelineContext {
  const replica = {
    view: { leaderId: LEADER },
    sendTo: (to: number, message: PeerMessage) => sentTo.push({ to, message }),
  };
  const upkeep = new SessionUpkeep({ sessions, clock: () => now } as unknown as UpkeepDeps);
  return {
    deps: { replica },
    member: { leading, serving: true, storageFailure: undefined },
    forwarder,
    upkeep,
    counters: { appliedZxid: 0 },
  } as unknown as PipelineContext;
}

beforeEach(() => {
  now = 1000;
  sentTo = [];
  failures = [];
  sessions = new SessionTable({ tickMs: TICK_MS, minTimeoutMs: 100, maxTimeoutMs: 60_000, sessionsMax: 10 });
  forwarder = new Forwarder({ sendToLeader: () => true }, 10);
  ctx = context(false);
});

/** A forwarded request waiting for the leader under handle 1, 2, … in order. */
function forwardOne(): void {
  const waiter: Waiter = {
    requester: new Requester(5n, [], undefined),
    slot: undefined,
    barrier: false,
    onApplied: undefined,
    onFailed: (e) => failures.push(e),
  };
  forwarder.forward(waiter, { $case: "sync", value: {} } as never, 5n, "/p");
}

const reply = (ref: number, error?: { code: number; path: string; message: string }): PeerMessage => ({
  kind: { $case: "forwardReply", value: { ref, error } },
});
const failed = () => failures.map((e) => [e.code, e.path, e.message]);

describe("peer messages to the pipeline", () => {
  it("a forward reaching a member that does not lead is refused to its sender: ConnectionLoss", () => {
    onPeerMessage(ctx, 3, { kind: { $case: "forward", value: { ref: 42 } as never } });
    expect(sentTo).toEqual([
      {
        to: 3,
        message: {
          kind: {
            $case: "forwardReply",
            value: {
              ref: 42,
              error: {
                code: Code.ConnectionLoss,
                path: "",
                message: "forwarded request refused: not the leader",
              },
            },
          },
        },
      },
    ]);
  });

  it("the leader's refusal fails the waiter it names with the leader's code, path and message", () => {
    forwardOne();
    forwardOne();
    onPeerMessage(ctx, LEADER, reply(2, { code: Code.NoAuth, path: "/p", message: "NoAuth for /p" }));
    expect(failed()).toEqual([[Code.NoAuth, "/p", "NoAuth for /p"]]);
    expect(forwarder.size).toBe(1);
  });

  it("a refusal without an error is a SystemError 'refused by the leader'", () => {
    forwardOne();
    onPeerMessage(ctx, LEADER, reply(1));
    expect(failed()).toEqual([[Code.SystemError, "", "refused by the leader"]]);
  });

  it("a refusal from a member that is not the leader, or for no pending handle, changes nothing", () => {
    forwardOne();
    onPeerMessage(ctx, 2, reply(1, { code: Code.NoAuth, path: "/p", message: "NoAuth for /p" }));
    onPeerMessage(ctx, LEADER, reply(7, { code: Code.NoAuth, path: "/p", message: "NoAuth for /p" }));
    expect([failures, forwarder.size, sentTo]).toEqual([[], 1, []]);
  });

  it("a leader takes a follower's touch: the sessions' deadlines move to now plus their timeout", () => {
    ctx = context(true);
    sessions.add(0x10n, 400, Buffer.alloc(16), now);
    sessions.add(0x11n, 400, Buffer.alloc(16), now);
    now = 1300;
    onPeerMessage(ctx, 2, { kind: { $case: "touch", value: { sessionIds: [0x10n] } } });
    // Both were due at 1400 (rounded up to the tick); the touched one now at 1700.
    expect(sessions.expire(1500)).toEqual([0x11n]);
    expect(sessions.expire(1800)).toEqual([0x10n]);
  });

  it("a member that does not lead ignores a touch (it owns no expiry)", () => {
    sessions.add(0x10n, 400, Buffer.alloc(16), now);
    now = 1300;
    onPeerMessage(ctx, 2, { kind: { $case: "touch", value: { sessionIds: [0x10n] } } });
    expect(sessions.expire(1500)).toEqual([0x10n]);
  });

  it("other messages and a message without a kind are ignored", () => {
    forwardOne();
    onPeerMessage(ctx, LEADER, {});
    onPeerMessage(ctx, LEADER, { kind: { $case: "hello", value: {} as never } });
    expect([failures, forwarder.size, sentTo]).toEqual([[], 1, []]);
  });
});
