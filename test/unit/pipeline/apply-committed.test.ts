import { describe, expect, it } from "vitest";
import { Code } from "../../../server/util/error-code.js";
import { PaddockError } from "../../../server/util/paddock-error.js";
import { connect, connection, member } from "./fake-member.js";

// Apply's delivery of watch events (found by mutation testing, docs/TESTING.md): ZooKeeper's fix
// of CVE-2024-23944 sends an event only to a session that may READ the node, with the identities it
// holds when the event fires; a one-time watch whose event is filtered is spent all the same.

const authenticate = (scheme: string, auth: Uint8Array) => {
  if (scheme !== "digest") throw new PaddockError(Code.AuthFailed, "", `no ${scheme} in this test`);
  return [{ scheme: "digest", id: Buffer.from(auth).toString() }];
};
const bobOnly = [{ perms: 31, id: { scheme: "digest", id: "bob:pw" } }];
const open = [{ perms: 31, id: { scheme: "world", id: "anyone" } }];
const events = (c: ReturnType<typeof connection>) =>
  c.received.flatMap((r) => (r.kind?.$case === "event" ? [`${r.kind.value.type} ${r.kind.value.path}`] : []));

describe("apply: watch events only to sessions that may READ the node", () => {
  it("filters by the node's ACL and the watcher's identities now; a filtered one-time watch is spent", async () => {
    const m = member({}, authenticate);
    await m.advanceTo(2_000);
    const [bob, anon, late] = ["10.0.0.1", "10.0.0.2", "10.0.0.3"].map((a) =>
      connection(m.pipeline.front, a),
    );
    for (const c of [bob!, anon!, late!]) c.conn.connect(connect);
    await m.advanceTo(2_100);
    bob!.send({ $case: "addAuth", value: { scheme: "digest", auth: Buffer.from("bob:pw") } });
    // One-time watches set by exists on a missing node: the only kind a session without READ on
    // the node-to-be can hold (exists on an existing node needs READ, as ZooKeeper 3.9).
    const watch = (path: string) => ({
      $case: "exists" as const,
      value: { path, watch: true, consistency: 0 },
    });
    for (const c of [bob!, anon!, late!]) c.send(watch("/s"));
    // late gains bob's identity after setting its watch, before the event fires.
    late!.send({ $case: "addAuth", value: { scheme: "digest", auth: Buffer.from("bob:pw") } });
    await m.advanceTo(2_200);
    bob!.send({
      $case: "create",
      value: { path: "/s", data: Buffer.from("x"), acl: bobOnly, mode: 0, ttl: 0n },
    });
    await m.advanceTo(2_400);
    expect(events(bob!)).toEqual(["1 /s"]);
    expect(events(late!)).toEqual(["1 /s"]);
    expect(events(anon!)).toEqual([]);
    const setData = (data: string) => ({
      $case: "setData" as const,
      value: { path: "/s", data: Buffer.from(data), version: -1 },
    });
    // anon's watch was spent: opening the ACL does not bring its event back.
    bob!.send({ $case: "setAcl", value: { path: "/s", acl: open, version: -1 } });
    bob!.send(setData("2"));
    await m.advanceTo(2_500);
    expect(events(anon!)).toEqual([]);
    m.stop();
  });
});
