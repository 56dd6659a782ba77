// Property tests (fast-check, fixed seed) beside the coverage-guided fuzzer: structured inputs the
// byte mutator rarely builds (docs/FUZZING.md).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ZabPacket, ZabType } from "../../../server/gen/paddock/internal/v1/peer.js";
import { Request } from "../../../server/gen/paddock/v1/session.js";
import { FrameDecoder } from "../../../server/jute/frame-decoder.js";
import { JuteDecodeError } from "../../../server/jute/jute-decode-error.js";
import { decodeRequest } from "../../../server/jute/request-decoder.js";
import { ConfigError, defaultConfig, parseZooCfg } from "../../../server/main/config.js";
import { zabFromWire } from "../../../server/replica/zab-codec.js";
import { PaddockError } from "../../../server/util/paddock-error.js";
import { juteRequestSeeds } from "../../fuzz/targets/jute-request.js";
import { RequestChecks } from "../../fuzz/targets/support/request-checks.js";

const params = { seed: 20261207, numRuns: 300 };

function framed(body: Buffer): Buffer {
  const prefix = Buffer.alloc(4);
  prefix.writeInt32BE(body.length);
  return Buffer.concat([prefix, body]);
}

describe("properties of the decoders", () => {
  it("FrameDecoder gives the same frames however the stream is cut into chunks", () => {
    const frames = juteRequestSeeds();
    const stream = Buffer.concat(frames.map(framed));
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 200 }), (sizes) => {
        const decoder = new FrameDecoder();
        const out: Buffer[] = [];
        let at = 0;
        for (let i = 0; at < stream.length; i++) {
          const n = sizes[i % sizes.length]!;
          out.push(...decoder.push(stream.subarray(at, at + n)));
          at += n;
        }
        expect(out.map((f) => f.toString("hex"))).toEqual(frames.map((f) => f.toString("hex")));
        expect(decoder.bufferedBytes).toBe(0);
      }),
      params,
    );
  });

  it("decodeRequest throws nothing but JuteDecodeError for a known header and any body", () => {
    const opcodes = juteRequestSeeds().map((f) => f.readInt32BE(4));
    fc.assert(
      fc.property(fc.constantFrom(...opcodes), fc.uint8Array({ maxLength: 64 }), (opcode, body) => {
        const header = Buffer.alloc(8);
        header.writeInt32BE(1, 0);
        header.writeInt32BE(opcode, 4);
        try {
          decodeRequest(Buffer.concat([header, body]));
        } catch (e) {
          expect(e).toBeInstanceOf(JuteDecodeError);
        }
      }),
      params,
    );
  });

  it("an integer zoo.cfg key takes a decimal int32 in range and refuses anything else with ConfigError", () => {
    const value = fc.oneof(fc.string({ maxLength: 12 }), fc.integer().map(String), fc.double().map(String));
    fc.assert(
      fc.property(value, (v) => {
        const config = defaultConfig();
        const ok = /^[+-]?\d{1,10}$/.test(v.trim()) && Number(v) >= 1 && Number(v) <= 0x7fffffff;
        try {
          parseZooCfg(`tickTime=${v}`, config, "/", () => {});
          expect(ok).toBe(true);
          expect(config.tickTime).toBe(Number(v.trim()));
        } catch (e) {
          expect(e).toBeInstanceOf(ConfigError);
          expect(ok).toBe(false);
        }
      }),
      params,
    );
  });

  it("a session request with any path, version, mode and TTL is answered or refused with PaddockError", () => {
    const path = fc.oneof(
      fc.constantFrom("/", "/a", "/a/b", "/zookeeper", "/a/", "//", ""),
      fc.string({ maxLength: 12 }),
    );
    const op = fc.oneof(
      fc
        .record({
          path,
          mode: fc.integer({ min: -2, max: 9 }),
          ttl: fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
        })
        .map(({ path, mode, ttl }) => ({
          $case: "create" as const,
          value: { path, data: Buffer.alloc(1), acl: [], mode, ttl },
        })),
      fc
        .record({ path, version: fc.option(fc.integer(), { nil: undefined }) })
        .map((v) => ({ $case: "delete" as const, value: v })),
      fc.record({ path, type: fc.integer({ min: -1, max: 7 }) }).map(({ path, type }) => ({
        $case: "removeWatches" as const,
        value: { path, type, checkOnly: false },
      })),
      fc
        .record({ path, mode: fc.integer({ min: -1, max: 3 }) })
        .map((v) => ({ $case: "addWatch" as const, value: v })),
      fc
        .record({
          relativeZxid: fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
          p: fc.array(path, { maxLength: 3 }),
        })
        .map(({ relativeZxid, p }) => ({
          $case: "setWatches" as const,
          value: {
            relativeZxid,
            dataWatches: p,
            existWatches: p,
            childWatches: p,
            persistentWatches: p,
            persistentRecursiveWatches: p,
          },
        })),
    );
    fc.assert(
      fc.property(op, (o) => {
        // Through the wire first, as the session stream receives it.
        const request = Request.decode(Request.encode({ xid: 1, timeoutMs: 0, trace: {}, op: o }).finish());
        new RequestChecks().request(request); // throws if anything but PaddockError escapes
      }),
      params,
    );
  });

  it("zabFromWire refuses an out-of-range field with PaddockError, never an assertion", () => {
    const int64 = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20 }), int64, int64, int64, (type, epoch, zxid, prevZxid) => {
        const packet = ZabPacket.fromPartial({ type: type as ZabType, epoch, zxid, prevZxid });
        try {
          zabFromWire(packet);
        } catch (e) {
          expect(e).toBeInstanceOf(PaddockError);
        }
      }),
      params,
    );
    expect(ZabType.ZAB_TYPE_ACK).toBeGreaterThan(0);
  });
});
