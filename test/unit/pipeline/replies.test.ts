import { describe, expect, it } from "vitest";
import { errorReply, okReply, outcomeReply, toApiError } from "../../../server/pipeline/replies.js";
import type { ApplyOutcome, TxnResult } from "../../../server/tree/data-tree.js";
import { Code } from "../../../server/util/error-code.js";
import { PaddockError } from "../../../server/util/paddock-error.js";

const outcome = (result: TxnResult, code: number = Code.OK, path = "", message?: string): ApplyOutcome => ({
  zxid: 0x500000007,
  code,
  path,
  result,
  triggers: [],
  ...(message === undefined ? {} : { message }),
});

describe("replies", () => {
  it("a PaddockError keeps its code, path and message", () => {
    expect(toApiError(new PaddockError(Code.NoNode, "/a", "no node /a"))).toEqual({
      code: Code.NoNode,
      path: "/a",
      message: "no node /a",
    });
  });

  it("anything else thrown is a SystemError naming it, without a path", () => {
    expect(toApiError(new TypeError("boom"))).toEqual({
      code: Code.SystemError,
      path: "",
      message: "internal error: boom",
    });
    expect(toApiError("plain")).toEqual({
      code: Code.SystemError,
      path: "",
      message: "internal error: plain",
    });
  });

  it("ok and error replies carry xid and zxid as given", () => {
    expect(okReply(7, 9, undefined)).toEqual({ xid: 7, zxid: 9n, error: undefined, result: undefined });
    const e = errorReply(3, 4, new PaddockError(Code.BadVersion, "/b", "bad"));
    expect(e).toEqual({
      xid: 3,
      zxid: 4n,
      error: { code: Code.BadVersion, path: "/b", message: "bad" },
      result: undefined,
    });
  });

  it("an applied close answers with the close result; none and check with no result", () => {
    expect(outcomeReply(1, outcome({ $case: "session", value: undefined }))).toEqual({
      xid: 1,
      zxid: 0x500000007n,
      error: undefined,
      result: { $case: "close", value: {} },
    });
    expect(outcomeReply(2, outcome({ $case: "none", value: undefined })).result).toBeUndefined();
    expect(outcomeReply(3, outcome({ $case: "check", value: {} } as TxnResult)).result).toBeUndefined();
    const created = { $case: "create", value: { path: "/x" } } as TxnResult;
    expect(outcomeReply(4, outcome(created)).result).toEqual(created);
  });

  it("a refused write is an error reply with the outcome's code, path, message; only a multi keeps its result", () => {
    const refused = outcomeReply(
      5,
      outcome({ $case: "none", value: undefined }, Code.NodeExists, "/n", "exists"),
    );
    expect(refused).toEqual({
      xid: 5,
      zxid: 0x500000007n,
      error: { code: Code.NodeExists, path: "/n", message: "exists" },
      result: undefined,
    });
    const created = { $case: "create", value: { path: "/x" } } as TxnResult;
    expect(outcomeReply(6, outcome(created, Code.NoNode, "/x", "no parent")).result).toBeUndefined();
    const multi = { $case: "multi", value: { results: [] } } as unknown as TxnResult;
    expect(outcomeReply(7, outcome(multi, Code.NoNode, "/x", "no parent")).result).toEqual(multi);
  });
});
