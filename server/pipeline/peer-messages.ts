import type { PeerMessage } from "../gen/paddock/internal/v1/peer.js";
import { Code, type CodeValue } from "../util/error-code.js";
import { PaddockError } from "../util/paddock-error.js";
import type { PipelineContext } from "./context.js";
import { closeMoved } from "./intake.js";
import { acceptForwarded } from "./leader-intake.js";
import { failWaiter } from "./session-queue.js";

/** Forwarded requests (on the leader), the leader's refusals (on its learners), session touches. */
export function onPeerMessage(ctx: PipelineContext, from: number, message: PeerMessage): void {
  const kind = message.kind;
  const replica = ctx.deps.replica;
  switch (kind?.$case) {
    case "forward":
      if (ctx.member.leading) acceptForwarded(ctx, from, kind.value);
      else replica.sendTo(from, refused(kind.value.ref));
      return;
    case "forwardReply": {
      if (from !== replica.view.leaderId) return;
      const waiter = ctx.forwarder.take(kind.value.ref);
      const e = kind.value.error;
      if (waiter === undefined) return;
      const code = (e?.code ?? Code.SystemError) as CodeValue;
      // As ZooKeeper: a session that moved to another member loses this connection, unanswered.
      if (code === Code.SessionMoved) closeMoved(waiter.requester);
      failWaiter(ctx, waiter, new PaddockError(code, e?.path ?? "", e?.message ?? "refused by the leader"));
      return;
    }
    case "touch":
      if (ctx.member.leading) ctx.upkeep.touchedRemotely(kind.value.sessionIds);
      return;
    default:
      return;
  }
}

/** A forward that reached a member which no longer leads: the origin's client may retry. */
function refused(ref: number): PeerMessage {
  const error = { code: Code.ConnectionLoss, path: "", message: "forwarded request refused: not the leader" };
  return { kind: { $case: "forwardReply", value: { ref, error } } };
}
