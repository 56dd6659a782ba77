import { describe, expect, it } from "vitest";
import type { ForwardedRequest, PeerMessage } from "../../../server/gen/paddock/internal/v1/peer.js";
import type { PipelineContext } from "../../../server/pipeline/context.js";
import { Code } from "../../../server/util/error-code.js";
import { standaloneLeader } from "./standalone-leader.js";

// The session owners on the leader's side of forwarding (leader-intake.ts, session-owners.ts), on
// the real Pipeline of a standalone leader: forwards arrive as the peer messages followers send,
// and what the leader proposes and refuses is read back. Members 2 and 3 stand for two followers.

const SESSION = 0x55n;
const MOVED = "session 0x55 moved to another member: this connection is stale";

const forward = (from: { kind: ForwardedRequest["kind"] } & Partial<ForwardedRequest>): ForwardedRequest => ({
  ref: 17,
  sessionId: SESSION,
  ids: [],
  ephemeralAllowed: true,
  trace: undefined,
  localSession: false,
  ...from,
});
const write = (path: string): ForwardedRequest["kind"] =>
  ({
    $case: "request",
    value: {
      xid: 1,
      timeoutMs: 0,
      trace: {},
      op: { $case: "create", value: { path, data: Buffer.from(""), acl: [], mode: 0, ttl: 0n } },
    },
  }) as ForwardedRequest["kind"];
/** The password session 0x55 was opened with (ownedBy3). */
const PASSWORD = Buffer.alloc(16, 1);
/** A barrier; a revalidating one carries the resuming client's password (the right one by default). */
const barrier = (revalidate: boolean, password: Buffer = PASSWORD): ForwardedRequest["kind"] => ({
  $case: "barrier",
  value: revalidate ? { revalidate, password } : { revalidate },
});
const refusals = (sent: { to: number; message: PeerMessage }[]) =>
  sent.map(({ to, message }) => {
    if (message.kind?.$case !== "forwardReply") throw new Error(`not a forwardReply: ${message.kind?.$case}`);
    return { to, ref: message.kind.value.ref, ...message.kind.value.error };
  });
/** The leader's owner map (its private context): only its size is read. */
const owners = (l: Awaited<ReturnType<typeof standaloneLeader>>) =>
  (l.pipeline as unknown as { ctx: PipelineContext }).ctx.owners;

/** A leader whose session 0x55 was opened through member 3 (its CreateSession applied). */
async function ownedBy3() {
  const l = await standaloneLeader();
  await l.forward(
    3,
    forward({ kind: { $case: "createSession", value: { timeoutMs: 4000, password: PASSWORD } } }),
  );
  if (l.sessions.get(SESSION) === undefined) throw new Error("the CreateSession did not apply");
  l.sent.length = 0;
  return l;
}

describe("session owners on the leader: forwards from the member that holds the session, or not", () => {
  it("a write or a plain barrier from another member is refused SessionMoved; from the owner both pass", async () => {
    const l = await ownedBy3();
    const before = l.proposed().length;
    await l.forward(2, forward({ kind: write("/from2") }));
    await l.forward(2, forward({ kind: barrier(false), ref: 18 }));
    await l.forward(3, forward({ kind: write("/from3"), ref: 19 }));
    await l.forward(3, forward({ kind: barrier(false), ref: 20 }));
    expect(refusals(l.sent)).toEqual([
      { to: 2, ref: 17, code: Code.SessionMoved, path: "", message: MOVED },
      { to: 2, ref: 18, code: Code.SessionMoved, path: "", message: MOVED },
    ]);
    expect(
      l
        .proposed()
        .slice(before)
        .map((e) => [e.txn.origin, e.txn.body?.$case]),
    ).toEqual([
      [3, "create"],
      [3, "noop"],
    ]);
    l.stop();
  });

  it("a revalidating barrier (a resume) from another member moves a live session there", async () => {
    const l = await ownedBy3();
    await l.forward(2, forward({ kind: barrier(true) }));
    await l.forward(3, forward({ kind: write("/from3"), ref: 18 }));
    await l.forward(2, forward({ kind: write("/from2"), ref: 19 }));
    expect(refusals(l.sent)).toEqual([{ to: 3, ref: 18, code: Code.SessionMoved, path: "", message: MOVED }]);
    expect(
      l
        .proposed()
        .map((e) => [e.txn.origin, e.txn.body?.$case])
        .slice(-2),
    ).toEqual([
      [2, "noop"],
      [2, "create"],
    ]);
    l.stop();
  });

  it("a revalidating barrier with a wrong password (or none) moves nothing: the noop is still proposed", async () => {
    const l = await ownedBy3();
    await l.forward(2, forward({ kind: barrier(true, Buffer.alloc(16, 9)) }));
    await l.forward(2, forward({ kind: { $case: "barrier", value: { revalidate: true } }, ref: 18 }));
    await l.forward(3, forward({ kind: write("/from3"), ref: 19 }));
    await l.forward(2, forward({ kind: write("/from2"), ref: 20 }));
    expect(refusals(l.sent)).toEqual([{ to: 2, ref: 20, code: Code.SessionMoved, path: "", message: MOVED }]);
    expect(
      l
        .proposed()
        .map((e) => [e.txn.origin, e.txn.body?.$case])
        .slice(-3),
    ).toEqual([
      [2, "noop"],
      [2, "noop"],
      [3, "create"],
    ]);
    l.stop();
  });

  it("a revalidating barrier for a closing session moves nothing, and for an unknown one keeps no owner", async () => {
    const l = await ownedBy3();
    l.sessions.setClosing(SESSION);
    await l.forward(2, forward({ kind: barrier(true) }));
    await l.forward(2, forward({ kind: barrier(false), ref: 18 }));
    await l.forward(3, forward({ kind: barrier(false), ref: 19 }));
    expect(refusals(l.sent)).toEqual([{ to: 2, ref: 18, code: Code.SessionMoved, path: "", message: MOVED }]);
    // An id the leader's table does not have: the noop is proposed, no owner is kept for it.
    await l.forward(2, forward({ kind: barrier(true), sessionId: 0x99n, ref: 20 }));
    await l.forward(2, forward({ kind: barrier(false), sessionId: 0x98n, ref: 21 }));
    expect(l.sent).toHaveLength(1);
    expect(
      l
        .proposed()
        .map((e) => [e.txn.sessionId, e.txn.body?.$case])
        .slice(-2),
    ).toEqual([
      [0x99n, "noop"],
      [0x98n, "noop"],
    ]);
    expect(owners(l).size).toBe(1);
    l.stop();
  });

  it("a barrier flagged local is not checked: the origin vouches for its local session", async () => {
    // A local session being upgraded is in the leader's table once its CreateSession applied
    // there, while the origin still flags it local: its barrier is taken whoever owns the id.
    const l = await ownedBy3();
    await l.forward(2, forward({ kind: barrier(false), localSession: true }));
    expect(l.sent).toEqual([]);
    expect(
      l
        .proposed()
        .map((e) => [e.txn.origin, e.txn.body?.$case])
        .slice(-1),
    ).toEqual([[2, "noop"]]);
    l.stop();
  });
});
