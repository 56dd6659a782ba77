// Fuzz target jute-stream: the bytes of a connection, split into chunks, through FrameDecoder, the
// ConnectRequest decoder (first frame) and the request decoder (every later frame).
import { decodeConnectRequest, toPaddockConnect } from "../../../server/jute/connect-records.js";
import { FrameDecoder } from "../../../server/jute/frame-decoder.js";
import { JuteDecodeError } from "../../../server/jute/jute-decode-error.js";
import { decodeRequest } from "../../../server/jute/request-decoder.js";
import { connectFrame } from "../../support/jute-raw.js";
import type { FuzzTarget } from "../engine/fuzz-target.js";
import { juteRequestSeeds } from "./jute-request.js";

/** A small jute.maxbuffer so the over-limit branch is within reach of short inputs. */
const FRAME_BYTES_MAX = 1024;

function framed(body: Buffer): Buffer {
  const prefix = Buffer.alloc(4);
  prefix.writeInt32BE(body.length);
  return Buffer.concat([prefix, body]);
}

/** Byte 0 picks the chunk size (1..256); the rest is the stream: a connect, then requests. */
export function juteStreamSeeds(): Buffer[] {
  const requests = juteRequestSeeds();
  const seeds: Buffer[] = [];
  for (let i = 0; i < requests.length; i += 6) {
    const frames = requests.slice(i, i + 6).map(framed);
    seeds.push(Buffer.concat([Buffer.from([i * 7]), connectFrame({}), ...frames]));
  }
  seeds.push(Buffer.concat([Buffer.from([0]), connectFrame({}).subarray(0, 29)])); // without readOnly
  return seeds;
}

export function fuzzJuteStream(bytes: Buffer): void {
  if (bytes.length === 0) return;
  const chunk = bytes[0]! + 1;
  const decoder = new FrameDecoder(FRAME_BYTES_MAX);
  let connected = false;
  for (let at = 1; at < bytes.length; at += chunk) {
    let frames: Buffer[];
    try {
      frames = decoder.push(bytes.subarray(at, at + chunk));
    } catch (e) {
      if (!(e instanceof JuteDecodeError)) throw e;
      // Every later push must throw too: the connection is closed on the first.
      let again: unknown;
      try {
        decoder.push(Buffer.alloc(1));
      } catch (later) {
        again = later;
      }
      if (again !== e) throw new Error("FrameDecoder accepted a push after it failed");
      return;
    }
    for (const frame of frames) {
      if (frame.length > FRAME_BYTES_MAX) throw new Error(`frame of ${frame.length} bytes over the limit`);
      try {
        if (!connected) {
          toPaddockConnect(decodeConnectRequest(frame));
          connected = true;
        } else {
          decodeRequest(frame);
        }
      } catch (e) {
        if (!(e instanceof JuteDecodeError)) throw e;
        // A bad connect or a frame without a whole header closes the connection.
        if (!connected || e.header === undefined) return;
      }
    }
  }
  if (decoder.bufferedBytes < 0 || decoder.bufferedBytes > FRAME_BYTES_MAX + 4) {
    throw new Error(`FrameDecoder holds ${decoder.bufferedBytes} bytes`);
  }
}

export const juteStream: FuzzTarget = { name: "jute-stream", seeds: juteStreamSeeds, fuzz: fuzzJuteStream };
