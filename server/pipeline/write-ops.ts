import type { ACL, Op as MultiOp } from "../gen/paddock/v1/data.js";
import type { Prep, PrepContext, TxnBody } from "../tree/prep.js";
import { Code } from "../util/error-code.js";
import { PaddockError } from "../util/paddock-error.js";
import type { Op } from "./op-kinds.js";
import { prepReconfig, type ReconfigSource } from "./reconfig-prep.js";

/** What clients get when they send no ACL: ZooKeeper clients' usual default. */
const OPEN_ACL_UNSAFE: ACL[] = [{ perms: 31, id: { scheme: "world", id: "anyone" } }];

/** What a write is prepped from: its PrepContext plus the op (one object per write). */
export interface WriteInput extends PrepContext {
  readonly prep: Prep;
  readonly op: Op;
  /** A barrier's noop (sync, linearizable reads) instead of the op. */
  readonly barrier: boolean;
  /** What a reconfig is checked against: the leader's core and zoo.cfg's reconfig keys. */
  readonly reconfig?: ReconfigSource;
}

/** A multi's (or txn branch's) ops, each create without an ACL given the default one. */
function withDefaultAcl(ops: readonly MultiOp[]): MultiOp[] {
  return ops.map((o) =>
    o.op?.$case === "create" && o.op.value.acl.length === 0
      ? { op: { $case: "create" as const, value: { ...o.op.value, acl: OPEN_ACL_UNSAFE } } }
      : o,
  );
}

/** Characters of a refusal's path and message an ErrorTxn keeps (the default pathLengthMax). */
const TEXT_IN_LOG_MAX = 4096;

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

/** A barrier's body: proposed, committed and applied, changing nothing. */
export const NOOP: TxnBody = { $case: "noop", value: {} };

/**
 * The body of a write or barrier at zxid; Proposer.propose's builder for requests. A write that
 * prep refuses becomes an ErrorTxn carrying the refusal: it is proposed and answered when it
 * applies, after every change prepped before it, as ZooKeeper does. Answered at once, a refusal
 * decided against outstanding changes that a deposed leader never commits (BadVersion against a
 * setData that never happened) would be a verdict no history explains.
 */
export function buildWrite(zxid: number, w: WriteInput): TxnBody {
  if (w.barrier) return NOOP;
  try {
    return prepareWrite(w.prep, w.op, w, zxid);
  } catch (error) {
    if (!(error instanceof PaddockError)) throw error;
    // Clipped: the refusal of a request with a huge path must not become a huge log record.
    const path = clip(error.path, TEXT_IN_LOG_MAX);
    return {
      $case: "error",
      value: { code: error.code, path, message: clip(error.message, TEXT_IN_LOG_MAX) },
    };
  }
}

/** Turns a write op into a transaction body through prep (tree plus outstanding changes). Throws PaddockError. */
export function prepareWrite(
  prep: Prep,
  op: Op,
  ctx: PrepContext & { readonly reconfig?: ReconfigSource },
  zxid: number,
): TxnBody {
  switch (op.$case) {
    case "create":
      return prep.create(
        op.value.acl.length === 0 ? { ...op.value, acl: OPEN_ACL_UNSAFE } : op.value,
        ctx,
        zxid,
      );
    case "delete":
      return prep.delete(op.value, ctx, zxid);
    case "setData":
      return prep.setData(op.value, ctx, zxid);
    case "setAcl":
      return prep.setACL(op.value, ctx, zxid);
    case "multi":
      return prep.multi({ ops: withDefaultAcl(op.value.ops) }, ctx, zxid);
    case "txn": {
      const { compare, thenOps, elseOps } = op.value;
      return prep.txn(
        { compare, thenOps: withDefaultAcl(thenOps), elseOps: withDefaultAcl(elseOps) },
        ctx,
        zxid,
      );
    }
    case "reconfig":
      if (ctx.reconfig === undefined)
        throw new PaddockError(Code.Unimplemented, "", "reconfig needs the leader's consensus state");
      return prepReconfig(prep, op.value, ctx, zxid, ctx.reconfig);
    case "close":
      if (ctx.sessionId === 0n) throw PaddockError.badArguments("", "close needs a session");
      return prep.closeSession(ctx.sessionId, zxid);
    default:
      throw new PaddockError(Code.Unimplemented, "", `not a write: ${op.$case}`);
  }
}
