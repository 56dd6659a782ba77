import type { Txn } from "../gen/paddock/internal/v1/txn.js";
import type { OpResult } from "../gen/paddock/v1/data.js";
import { assert, unreachable } from "../util/assert.js";
import { Code } from "../util/error-code.js";
import type { ApplyOutcome, TxnResult } from "./data-tree.js";
import { OwnerKind, ownerKind, ttlOf } from "./ephemeral-type.js";
import { applyReconfig } from "./reconfig-apply.js";
import type { TreeStore, WatchTrigger } from "./tree-store.js";
import { S } from "./znode.js";

interface Step {
  code: number;
  path: string;
  message?: string;
  result: TxnResult;
}

const NONE: TxnResult = { $case: "none", value: undefined };

/** Applies one committed txn to the store (DataTree.apply has checked the zxid). */
export function applyTxn(store: TreeStore, txn: Txn, zxid: number, replaying: boolean): ApplyOutcome {
  const triggers: WatchTrigger[] = [];
  const step = applyBody(store, txn, zxid, Number(txn.time), replaying, triggers);
  const outcome: ApplyOutcome = { zxid, code: step.code, path: step.path, result: step.result, triggers };
  if (step.message !== undefined) outcome.message = step.message;
  return outcome;
}

function applyBody(
  store: TreeStore,
  txn: Txn,
  zxid: number,
  time: number,
  replaying: boolean,
  triggers: WatchTrigger[],
): Step {
  const body = txn.body;
  assert(body !== undefined, `txn ${zxid} has no body`);
  switch (body.$case) {
    case "create": {
      const t = body.value;
      const code = store.createNode(
        t.path,
        t.data,
        t.acl,
        t.ephemeralOwner,
        t.parentCversion,
        zxid,
        time,
        triggers,
        t.dataNull === true,
      );
      if (code !== Code.OK) return { code, path: t.path, result: NONE };
      const stat = store.toStat(store.get(t.path)!);
      return { code, path: "", result: { $case: "create", value: { path: t.path, stat } } };
    }
    case "delete": {
      const code = store.deleteNode(body.value.path, zxid, triggers, replaying);
      if (code !== Code.OK) return { code, path: body.value.path, result: NONE };
      return { code, path: "", result: { $case: "delete", value: {} } };
    }
    case "deleteContainer": {
      const path = body.value.path;
      const node = store.get(path);
      const kind = node === undefined ? OwnerKind.Persistent : ownerKind(node.owner);
      const expired =
        node !== undefined &&
        node.numChildren === 0 &&
        (kind === OwnerKind.Container ||
          (kind === OwnerKind.Ttl && time - store.stat(node, S.mtime) > ttlOf(node.owner)));
      // No error either way: the container may have gained a child or gone since it was proposed.
      if (expired) store.deleteNode(path, zxid, triggers, replaying);
      return { code: Code.OK, path: "", result: expired ? { $case: "delete", value: {} } : NONE };
    }
    case "setData": {
      const t = body.value;
      const code = store.setData(t.path, t.data, t.version, zxid, time, triggers, t.dataNull === true);
      if (code !== Code.OK) return { code, path: t.path, result: NONE };
      return {
        code,
        path: "",
        result: { $case: "setData", value: { stat: store.toStat(store.get(t.path)!) } },
      };
    }
    case "setAcl": {
      const t = body.value;
      const code = store.setAcl(t.path, t.acl, t.version);
      if (code !== Code.OK) return { code, path: t.path, result: NONE };
      return {
        code,
        path: "",
        result: { $case: "setAcl", value: { stat: store.toStat(store.get(t.path)!) } },
      };
    }
    case "check":
      return { code: Code.OK, path: "", result: { $case: "check", value: {} } };
    case "createSession":
      return { code: Code.OK, path: "", result: { $case: "session", value: undefined } };
    case "closeSession": {
      // Sorted, so every member (and a restored tree, whose index order differs) fires alike.
      const paths = [...(store.ephemerals.get(txn.sessionId)?.paths ?? [])].sort();
      for (const path of paths) store.deleteNode(path, zxid, triggers, replaying);
      return { code: Code.OK, path: "", result: { $case: "session", value: undefined } };
    }
    case "error":
      // A refused write (buildWrite): nothing changes; the reply carries the refusal.
      return {
        code: body.value.code,
        path: body.value.path ?? "",
        result: NONE,
        ...(body.value.message === undefined ? {} : { message: body.value.message }),
      };
    case "noop":
      return { code: Code.OK, path: "", result: NONE };
    case "reconfig": {
      const value = applyReconfig(store, body.value.members, zxid, time, triggers);
      return { code: Code.OK, path: "", result: { $case: "reconfig", value } };
    }
    case "multi": {
      const step = applyMulti(store, txn, body.value.txns, zxid, time, replaying, triggers);
      const succeeded = body.value.compareSucceeded;
      // A compare-transaction's branch: the same results, plus which branch ran.
      if (succeeded === undefined || step.result.$case !== "multi") return step;
      return { ...step, result: { $case: "txn", value: { succeeded, results: step.result.value.results } } };
    }
    default:
      return unreachable(body, "txn body");
  }
}

/**
 * A multi whose prep failed holds an ErrorTxn: nothing is applied and the results are ZooKeeper's
 * (OK before the failing op, its code, RuntimeInconsistency after). Otherwise every op is applied,
 * under the multi's zxid and time; an op failing here (only in replay) reports its own code.
 */
function applyMulti(
  store: TreeStore,
  txn: Txn,
  txns: Txn[],
  zxid: number,
  time: number,
  replaying: boolean,
  triggers: WatchTrigger[],
): Step {
  const failedAt = txns.findIndex((t) => t.body?.$case === "error" && t.body.value.code !== Code.OK);
  const anyError = txns.some((t) => t.body?.$case === "error");
  if (anyError) {
    assert(failedAt >= 0, `multi ${zxid} has ErrorTxns but no failing code`);
    const failure = txns[failedAt]!.body as { $case: "error"; value: { code: number } };
    const results: OpResult[] = txns.map((_, i) => {
      const code = i < failedAt ? Code.OK : i === failedAt ? failure.value.code : Code.RuntimeInconsistency;
      return { result: { $case: "error", value: { code, path: "", message: "" } } };
    });
    return { code: failure.value.code, path: "", result: { $case: "multi", value: { results } } };
  }
  const results: OpResult[] = [];
  let firstCode: number = Code.OK;
  for (const sub of txns) {
    const subTxn: Txn = {
      zxid: txn.zxid,
      sessionId: txn.sessionId,
      cxid: txn.cxid,
      origin: txn.origin,
      originRef: txn.originRef,
      time: txn.time,
      body: sub.body,
    };
    const step = applyBody(store, subTxn, zxid, time, replaying, triggers);
    if (step.code !== Code.OK && firstCode === Code.OK) firstCode = step.code;
    results.push(opResult(step));
  }
  return { code: firstCode, path: "", result: { $case: "multi", value: { results } } };
}

function opResult(step: Step): OpResult {
  if (step.code !== Code.OK)
    return { result: { $case: "error", value: { code: step.code, path: step.path, message: "" } } };
  const r = step.result;
  switch (r.$case) {
    case "create":
    case "delete":
    case "setData":
    case "check":
      return { result: r } as OpResult;
    default:
      assert(false, `multi op with result ${r.$case}`);
  }
}
