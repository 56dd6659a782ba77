// FrameDecoder: splitting, limits and reassembly of length-prefixed frames.
import { describe, expect, it } from "vitest";
import { FrameDecoder } from "../../../server/jute/frame-decoder.js";
import { JuteDecodeError } from "../../../server/jute/jute-decode-error.js";

function framed(...payloads: Buffer[]): Buffer {
  return Buffer.concat(
    payloads.flatMap((p) => {
      const len = Buffer.alloc(4);
      len.writeInt32BE(p.length);
      return [len, p];
    }),
  );
}

const A = Buffer.from("hello, frame");
const B = Buffer.alloc(0);
const C = Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);

describe("FrameDecoder", () => {
  it("yields every frame of one chunk, in order", () => {
    const frames = new FrameDecoder().push(framed(A, B, C));
    expect(frames.map((f) => f.toString("hex"))).toEqual([A, B, C].map((f) => f.toString("hex")));
  });

  it("reassembles a stream split at every byte offset, and at every pair of offsets", () => {
    const stream = framed(A, B, C);
    for (let i = 0; i <= stream.length; i++) {
      for (let j = i; j <= stream.length; j++) {
        const d = new FrameDecoder();
        const out = [
          ...d.push(stream.subarray(0, i)),
          ...d.push(stream.subarray(i, j)),
          ...d.push(stream.subarray(j)),
        ];
        expect(
          out.map((f) => f.toString("hex")),
          `cuts ${i},${j}`,
        ).toEqual([A, B, C].map((f) => f.toString("hex")));
        expect(d.bufferedBytes).toBe(0);
      }
    }
  });

  it("reassembles one byte at a time", () => {
    const stream = framed(C, A);
    const d = new FrameDecoder();
    const out: Buffer[] = [];
    for (const byte of stream) out.push(...d.push(Buffer.from([byte])));
    expect(Buffer.concat(out).toString("hex")).toBe(Buffer.concat([C, A]).toString("hex"));
  });

  it("does not copy a frame that lies inside one chunk", () => {
    const chunk = framed(A);
    const [frame] = new FrameDecoder().push(chunk);
    expect(frame!.buffer).toBe(chunk.buffer);
  });

  it("accepts a length of exactly the limit and refuses limit + 1", () => {
    const max = 64;
    const ok = new FrameDecoder(max).push(framed(Buffer.alloc(max, 7)));
    expect(ok[0]!.length).toBe(max);
    const d = new FrameDecoder(max);
    expect(() => d.push(framed(Buffer.alloc(max + 1)))).toThrow(/65 is over the limit 64/);
  });

  it("uses jute.maxbuffer (0xfffff) by default, judged on the prefix alone", () => {
    const atLimit = Buffer.alloc(4);
    atLimit.writeInt32BE(0xfffff);
    expect(new FrameDecoder().push(atLimit)).toEqual([]);
    const over = Buffer.alloc(4);
    over.writeInt32BE(0x100000);
    expect(() => new FrameDecoder().push(over)).toThrow(JuteDecodeError);
  });

  it("refuses a negative length, and stays failed", () => {
    const d = new FrameDecoder();
    expect(() => d.push(Buffer.from([0xff, 0xff, 0xff, 0xfe]))).toThrow(/-2 is negative/);
    expect(() => d.push(framed(A))).toThrow(JuteDecodeError);
  });

  it("refuses a bad prefix that arrives split across chunks", () => {
    const d = new FrameDecoder(10);
    expect(d.push(Buffer.from([0, 0]))).toEqual([]);
    expect(() => d.push(Buffer.from([0, 11]))).toThrow(/11 is over the limit 10/);
  });
});
