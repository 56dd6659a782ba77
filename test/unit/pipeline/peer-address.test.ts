import { describe, expect, it } from "vitest";
import { peerAddress } from "../../../server/api/peer-address.js";
import { grpcStatusOf } from "../../../server/api/status.js";
import { Code } from "../../../server/util/error-code.js";

describe("api helpers", () => {
  it("extracts the client address from grpc-js peers", () => {
    expect(peerAddress("ipv4:127.0.0.1:5000")).toBe("127.0.0.1");
    expect(peerAddress("ipv6:[::1]:5000")).toBe("::1");
    expect(peerAddress("127.0.0.1:5000")).toBe("127.0.0.1");
    expect(peerAddress("ipv6:[::ffff:10.0.0.1]:80")).toBe("::ffff:10.0.0.1");
  });

  it("maps ZooKeeper codes to gRPC status codes", () => {
    expect(grpcStatusOf(Code.NoNode)).toBe(5);
    expect(grpcStatusOf(Code.NodeExists)).toBe(6);
    expect(grpcStatusOf(Code.NoAuth)).toBe(7);
    expect(grpcStatusOf(Code.BadArguments)).toBe(3);
    expect(grpcStatusOf(Code.Throttled)).toBe(8);
    expect(grpcStatusOf(Code.SystemError)).toBe(13);
  });
});
