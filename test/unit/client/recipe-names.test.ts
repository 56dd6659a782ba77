import { describe, expect, it } from "vitest";
import { splitChroot } from "../../../clients/ts/src/chroot.js";
import {
  deserializeItems,
  encodeLong,
  javaUrlDecode,
  javaUrlEncode,
  priorityKey,
  serializeItems,
} from "../../../clients/ts/src/index.js";
import { sortBySequence } from "../../../clients/ts/src/recipes/nodes.js";

// The pure parts of the recipes' node layouts (docs/RECIPES.md); the recipes themselves run
// against a real server in test/e2e/recipes-*.test.ts.
describe("recipe names and encodings", () => {
  it("encodes Dubbo URLs as java.net.URLEncoder does (output of Java 17 pinned)", () => {
    const url = "dubbo://10.0.0.5:20880/org.example.Greeter?application=node&methods=hi,bye é~!'()* x";
    const java =
      "dubbo%3A%2F%2F10.0.0.5%3A20880%2Forg.example.Greeter%3Fapplication%3Dnode%26methods%3Dhi%2Cbye+%C3%A9%7E%21%27%28%29*+x";
    expect(javaUrlEncode(url)).toBe(java);
    expect(javaUrlDecode(java)).toBe(url);
  });

  it("names priorities as Curator's priorityToString, so names sort by priority", () => {
    expect([0, 1, 255, -1, -(2 ** 31), 2 ** 31 - 1].map(priorityKey)).toEqual([
      "100000000",
      "100000001",
      "1000000FF",
      "0FFFFFFFF",
      "080000000",
      "17FFFFFFF",
    ]);
    const sorted = [5, -3, 0, 100, -1].map(priorityKey).sort();
    expect(sorted).toEqual([-3, -1, 0, 5, 100].map(priorityKey));
    expect(() => priorityKey(2 ** 31)).toThrow("queue priority must be a 32-bit integer, got 2147483648");
  });

  it("frames queue items as Curator's ItemSerializer and refuses anything else by path", () => {
    const framed = serializeItems(["ab", ""]);
    expect(framed.toString("hex")).toBe("00010001" + "01" + "00000002" + "6162" + "01" + "00000000" + "02");
    expect(deserializeItems(framed, "/q/queue-1").map(String)).toEqual(["ab", ""]);
    expect(() => deserializeItems(Buffer.from("hello"), "/q/queue-2")).toThrow(
      "queue item /q/queue-2: not in Curator's item framing",
    );
    expect(() => deserializeItems(framed.subarray(0, 8), "/q/queue-3")).toThrow("queue item /q/queue-3:");
  });

  it("stores counters as 8 bytes big-endian (Curator's DistributedAtomicLong)", () => {
    expect(encodeLong(60n).toString("hex")).toBe("000000000000003c");
    expect(encodeLong(-1n).toString("hex")).toBe("ffffffffffffffff");
  });

  it("sorts protected and plain sequential names by the digits after the marker", () => {
    const names = ["_c_b-lock-0000000003", "lock-0000000001", "_c_a-lock-0000000002"];
    expect(sortBySequence(names, ["lock-"])).toEqual([
      "lock-0000000001",
      "_c_a-lock-0000000002",
      "_c_b-lock-0000000003",
    ]);
    expect(
      sortBySequence(["_c_x-__WRIT__0000000002", "_c_y-__READ__0000000001"], ["__READ__", "__WRIT__"]),
    ).toEqual(["_c_y-__READ__0000000001", "_c_x-__WRIT__0000000002"]);
  });

  it("splits a chroot off the connect string as ZooKeeper's ConnectStringParser", () => {
    expect(splitChroot("a:1,b:2/app/x")).toEqual({ servers: "a:1,b:2", chroot: "/app/x" });
    expect(splitChroot("a:1/")).toEqual({ servers: "a:1", chroot: "" });
    expect(splitChroot("a:1")).toEqual({ servers: "a:1", chroot: "" });
    expect(() => splitChroot("a:1/app//x")).toThrow("empty node name specified");
  });
});
