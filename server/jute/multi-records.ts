// multi and multiRead: MultiOperationRecord decoding and MultiResponse encoding.
import type { Op as MultiOp, MultiReadResponse, MultiResponse, ReadOp } from "../gen/paddock/v1/data.js";
import { assert, unreachable } from "../util/assert.js";
import { writeStat, writeStringVector } from "./data-records.js";
import { JuteDecodeError } from "./jute-decode-error.js";
import type { JuteReader } from "./jute-reader.js";
import type { JuteWriter } from "./jute-writer.js";
import { OpCode } from "./opcodes.js";
import {
  MODE_CONTAINER,
  readCheck,
  readCreate,
  readDelete,
  readPathWatch,
  readSetData,
} from "./request-records.js";

/**
 * Reads MultiHeader {type int, done boolean, err int} then that op's record, until a header with
 * done set. Returns the ops and each op's opcode (the reply says create or create2 by it).
 * ZooKeeper answers an op type a multi cannot hold with MarshallingError.
 */
export function readMultiOps(r: JuteReader): { ops: MultiOp[]; opcodes: number[] } {
  const ops: MultiOp[] = [];
  const opcodes: number[] = [];
  for (;;) {
    const at = r.offset;
    const type = r.int("multi.header.type");
    const done = r.bool("multi.header.done");
    r.int("multi.header.err");
    if (done) return { ops, opcodes };
    switch (type) {
      case OpCode.create:
      case OpCode.create2:
      case OpCode.createContainer:
      case OpCode.createTTL: {
        const create = readCreate(r, type);
        ops.push({ op: { $case: "create", value: create } });
        // ZooKeeper 3.9 (Op.Create.getOpcode) turns a container or TTL mode into that opcode,
        // whose result is a Create2Response.
        if (create.mode === MODE_CONTAINER) opcodes.push(OpCode.createContainer);
        else opcodes.push(create.mode > MODE_CONTAINER ? OpCode.createTTL : type);
        continue;
      }
      case OpCode.delete:
        ops.push({ op: { $case: "delete", value: readDelete(r) } });
        break;
      case OpCode.setData:
        ops.push({ op: { $case: "setData", value: readSetData(r) } });
        break;
      case OpCode.check:
        ops.push({ op: { $case: "check", value: readCheck(r) } });
        break;
      default:
        throw new JuteDecodeError(`multi: op type ${type} at offset ${at} is not a write op`);
    }
    opcodes.push(type);
  }
}

/** multiRead's ops: getChildren and getData only; ZooKeeper ignores their watch flags here. */
export function readMultiReadOps(r: JuteReader): ReadOp[] {
  const ops: ReadOp[] = [];
  for (;;) {
    const at = r.offset;
    const type = r.int("multiRead.header.type");
    const done = r.bool("multiRead.header.done");
    r.int("multiRead.header.err");
    if (done) return ops;
    if (type === OpCode.getChildren) {
      ops.push({ op: { $case: "getChildren", value: { ...readPathWatch(r, "getChildren"), watch: false } } });
    } else if (type === OpCode.getData) {
      ops.push({ op: { $case: "getData", value: { ...readPathWatch(r, "getData"), watch: false } } });
    } else {
      throw new JuteDecodeError(`multiRead: op type ${type} at offset ${at} is not a read op`);
    }
  }
}

function header(w: JuteWriter, type: number, err: number): void {
  w.int(type).bool(false).int(err);
}

function error(w: JuteWriter, code: number): void {
  header(w, OpCode.error, code);
  w.int(code);
}

function end(w: JuteWriter): void {
  w.int(-1).bool(true).int(-1);
}

/**
 * MultiResponse: per result a MultiHeader {type, false, err} and the result's record, then
 * {-1, true, -1}. A failed multi is all ErrorResults (OK before the failing op, its code, then
 * RuntimeInconsistency), as Paddock already lists them. opcodes are the request's op types: a
 * create answers CreateResponse {path}, create2/createTTL/createContainer Create2Response.
 */
export function writeMultiResponse(w: JuteWriter, rsp: MultiResponse, opcodes?: readonly number[]): void {
  rsp.results.forEach((res, i) => {
    const result = res.result;
    assert(result !== undefined, `multi result ${i} is empty`);
    switch (result.$case) {
      case "create": {
        const stat = result.value.stat;
        if (opcodes?.[i] === OpCode.create || stat === undefined) {
          header(w, OpCode.create, 0);
          w.ustring(result.value.path);
        } else {
          header(w, OpCode.create2, 0);
          w.ustring(result.value.path);
          writeStat(w, stat);
        }
        break;
      }
      case "delete":
        header(w, OpCode.delete, 0);
        break;
      case "setData":
        assert(result.value.stat !== undefined, `multi setData result ${i} has no stat`);
        header(w, OpCode.setData, 0);
        writeStat(w, result.value.stat);
        break;
      case "check":
        header(w, OpCode.check, 0);
        break;
      case "error":
        error(w, result.value.code);
        break;
      default:
        unreachable(result, "multi result");
    }
  });
  end(w);
}

/** multiRead's MultiResponse: GetChildrenResponse {children} (no stat), GetDataResponse {data, stat} or ErrorResponse. */
export function writeMultiReadResponse(w: JuteWriter, rsp: MultiReadResponse): void {
  rsp.results.forEach((res, i) => {
    const result = res.result;
    assert(result !== undefined, `multiRead result ${i} is empty`);
    switch (result.$case) {
      case "getChildren":
        header(w, OpCode.getChildren, 0);
        writeStringVector(w, result.value.children);
        break;
      case "getData":
        assert(result.value.stat !== undefined, `multiRead getData result ${i} has no stat`);
        header(w, OpCode.getData, 0);
        w.buffer(result.value.dataNull === true ? null : result.value.data);
        writeStat(w, result.value.stat);
        break;
      case "error":
        error(w, result.value.code);
        break;
      default:
        unreachable(result, "multiRead result");
    }
  });
  end(w);
}
