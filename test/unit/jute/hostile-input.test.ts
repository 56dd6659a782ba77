// Truncated and random input: every decoder throws JuteDecodeError and nothing else.
import { describe, expect, it } from "vitest";
import { decodeConnectRequest } from "../../../server/jute/connect-records.js";
import { FrameDecoder } from "../../../server/jute/frame-decoder.js";
import { JuteDecodeError } from "../../../server/jute/jute-decode-error.js";
import { JuteReader } from "../../../server/jute/jute-reader.js";
import { OpCode } from "../../../server/jute/opcodes.js";
import { decodeRequest } from "../../../server/jute/request-decoder.js";
import { Prng } from "../../../server/util/prng.js";
import { type Field, MULTI_END, multiOp, OPEN, requestBody } from "./support/jute-client.js";

const create: Field[] = [
  ["ustring", "/a"],
  ["buffer", Buffer.from("data")],
  ["acls", OPEN],
  ["int", 0],
];
const list: Field[] = [["strings", ["/a", "/b"]]];
/** One well-formed request per opcode with a body. */
const REQUESTS: Buffer[] = [
  requestBody(1, OpCode.create, create),
  requestBody(1, OpCode.createTTL, [...create, ["long", 5n]]),
  requestBody(1, OpCode.delete, [
    ["ustring", "/a"],
    ["int", 1],
  ]),
  requestBody(1, OpCode.exists, [
    ["ustring", "/a"],
    ["bool", true],
  ]),
  requestBody(1, OpCode.getData, [
    ["ustring", "/a"],
    ["bool", true],
  ]),
  requestBody(1, OpCode.setData, [
    ["ustring", "/a"],
    ["buffer", Buffer.from("v")],
    ["int", 1],
  ]),
  requestBody(1, OpCode.getACL, [["ustring", "/a"]]),
  requestBody(1, OpCode.setACL, [
    ["ustring", "/a"],
    ["acls", OPEN],
    ["int", 1],
  ]),
  requestBody(1, OpCode.getChildren2, [
    ["ustring", "/a"],
    ["bool", false],
  ]),
  requestBody(1, OpCode.sync, [["ustring", "/a"]]),
  requestBody(1, OpCode.multi, [
    ...multiOp(OpCode.create, create),
    ...multiOp(OpCode.check, [
      ["ustring", "/a"],
      ["int", 1],
    ]),
    ...MULTI_END,
  ]),
  requestBody(1, OpCode.multiRead, [
    ...multiOp(OpCode.getData, [
      ["ustring", "/a"],
      ["bool", false],
    ]),
    ...MULTI_END,
  ]),
  requestBody(1, OpCode.checkWatches, [
    ["ustring", "/a"],
    ["int", 1],
  ]),
  requestBody(1, OpCode.removeWatches, [
    ["ustring", "/a"],
    ["int", 1],
  ]),
  requestBody(1, OpCode.auth, [
    ["int", 0],
    ["ustring", "digest"],
    ["buffer", Buffer.from("u:p")],
  ]),
  requestBody(1, OpCode.setWatches, [["long", 1n], ...list, ...list, ...list]),
  requestBody(1, OpCode.setWatches2, [["long", 1n], ...list, ...list, ...list, ...list, ...list]),
  requestBody(1, OpCode.getEphemerals, [["ustring", "/a"]]),
  requestBody(1, OpCode.getAllChildrenNumber, [["ustring", "/a"]]),
  requestBody(1, OpCode.addWatch, [
    ["ustring", "/a"],
    ["int", 1],
  ]),
];
const CONNECT = requestBody(0, 0, [
  ["int", 0],
  ["long", 1n],
  ["int", 3000],
  ["long", 2n],
  ["buffer", Buffer.alloc(16)],
]).subarray(8);

/** Runs f; returns "ok", or "decode" for a JuteDecodeError; any other exception fails the test. */
function outcome(f: () => unknown): "ok" | "decode" {
  try {
    f();
    return "ok";
  } catch (e) {
    if (e instanceof JuteDecodeError) return "decode";
    throw e;
  }
}

describe("hostile input", () => {
  it("every request decodes whole and fails cleanly when cut at any byte", () => {
    for (const frame of REQUESTS) {
      expect(outcome(() => decodeRequest(frame))).toBe("ok");
      for (let cut = 0; cut < frame.length; cut++) {
        expect(
          outcome(() => decodeRequest(frame.subarray(0, cut))),
          `opcode ${frame.readInt32BE(4)} cut ${cut}`,
        ).toBe("decode");
      }
    }
  });

  it("a ConnectRequest cut anywhere before readOnly fails cleanly", () => {
    for (let cut = 0; cut < CONNECT.length; cut++) {
      expect(
        outcome(() => decodeConnectRequest(CONNECT.subarray(0, cut))),
        `cut ${cut}`,
      ).toBe("decode");
    }
  });

  it("hostile lengths throw before allocating, naming field and offset", () => {
    const huge = Buffer.from([0x7f, 0xff, 0xff, 0xff, 1, 2]);
    expect(() => new JuteReader(huge).buffer("data")).toThrow(
      "data: length 2147483647 at offset 0 exceeds the 2 bytes left",
    );
    expect(() => new JuteReader(huge).vector("acl", 12, (r) => r.int("x"))).toThrow(JuteDecodeError);
    const negative = Buffer.from([0xff, 0xff, 0xff, 0xfe]);
    expect(() => new JuteReader(negative).ustring("path")).toThrow("path: negative length -2 at offset 0");
    // A count that fits the bytes only at 1 byte per item still fails for 4-byte items.
    const count = Buffer.from([0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(() => new JuteReader(count).vector("children", 4, (r) => r.ustring("c"))).toThrow(
      /length 3 at offset 0 exceeds/,
    );
  });

  it("random bytes and mutated requests never throw anything but JuteDecodeError (seeded)", () => {
    const rng = new Prng(20260807);
    let decoded = 0;
    for (let i = 0; i < 4000; i++) {
      let frame: Buffer;
      if (i % 2 === 0) {
        frame = Buffer.alloc(rng.below(64));
        for (let j = 0; j < frame.length; j++) frame[j] = rng.below(256);
        if (frame.length >= 8) frame.writeInt32BE([1, 4, 7, 14, 22, 100, 101, 105][rng.below(8)]!, 4);
      } else {
        frame = Buffer.from(REQUESTS[rng.below(REQUESTS.length)]!);
        for (let k = 0; k <= rng.below(3); k++) frame[8 + rng.below(frame.length - 8)] = rng.below(256);
      }
      if (outcome(() => decodeRequest(frame)) === "ok") decoded++;
      outcome(() => decodeConnectRequest(frame));
      outcome(() => new FrameDecoder(1000).push(frame));
    }
    // Mutations often keep a frame decodable: the loop exercised both outcomes.
    expect(decoded).toBeGreaterThan(0);
    expect(decoded).toBeLessThan(4000);
  });
});
