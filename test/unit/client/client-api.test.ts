import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { EventType } from "../../../clients/ts/gen/paddock/v1/session.js";
import {
  BadVersionError,
  type Client,
  connect,
  NoWatcherError,
  op,
  type WatchEvent,
} from "../../../clients/ts/src/index.js";
import { connected, event, FakeTransport, reply } from "./fake-transport.js";

async function open(): Promise<{ client: Client; t: FakeTransport }> {
  const t = new FakeTransport();
  const pending = connect("s1:1", { transport: t });
  t.last.send(connected());
  return { client: await pending, t };
}
const turn = (): Promise<void> => vi.advanceTimersByTimeAsync(0).then(() => undefined);

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("removeWatches", () => {
  it("fails with NoWatcher before sending when no such local watch exists", async () => {
    const { client, t } = await open();
    await expect(client.removeWatches("/x", "data")).rejects.toBeInstanceOf(NoWatcherError);
    await turn();
    expect(t.last.requests()).toHaveLength(0);
  });

  it("removes one of two callbacks locally; the last one also removes the server watch", async () => {
    const { client, t } = await open();
    const seen: string[] = [];
    const a = (e: WatchEvent): void => void seen.push(`a:${e.type}`);
    const b = (e: WatchEvent): void => void seen.push(`b:${e.type}`);
    const ga = client.getChildren("/x", { watch: a });
    const gb = client.getChildren("/x", { watch: b });
    await turn();
    const kids = { $case: "getChildren" as const, value: { children: [] } };
    t.last.send(reply(1, kids), reply(2, kids));
    await Promise.all([ga, gb]);
    await client.removeWatches("/x", "children", a);
    await turn();
    expect(t.last.requests()).toHaveLength(2); // nothing sent: b still needs the server watch
    expect(seen).toEqual(["a:ChildWatchRemoved"]);
    const last = client.removeWatches("/x", "children", b);
    await turn();
    const sent = t.last.requests()[2];
    expect(sent?.op?.$case).toBe("removeWatches");
    t.last.send(reply(3, { $case: "removeWatches", value: {} }));
    await last;
    expect(seen).toEqual(["a:ChildWatchRemoved", "b:ChildWatchRemoved"]);
    t.last.send(event(EventType.EVENT_TYPE_NODE_CHILDREN_CHANGED, "/x"));
    expect(seen).toHaveLength(2);
  });
});

describe("watch() async iterator", () => {
  it("yields persistent events in order and ends when the watch is removed", async () => {
    const { client, t } = await open();
    const pending = client.watch("/a", { recursive: true });
    await turn();
    const add = t.last.requests()[0];
    expect(add?.op?.$case === "addWatch" && add.op.value.mode).toBe(1);
    t.last.send(
      reply(1, { $case: "addWatch", value: {} }),
      event(EventType.EVENT_TYPE_NODE_CREATED, "/a/b", 4n),
      event(EventType.EVENT_TYPE_NODE_DATA_CHANGED, "/a", 5n),
      event(EventType.EVENT_TYPE_PERSISTENT_WATCH_REMOVED, "/a"),
    );
    const it = await pending;
    const got: string[] = [];
    for await (const e of it) got.push(`${e.type} ${e.path} ${e.zxid}`);
    expect(got).toEqual(["NodeCreated /a/b 4", "NodeDataChanged /a 5"]);
  });

  it("ends when the session closes", async () => {
    const { client, t } = await open();
    const pending = client.watch("/a");
    await turn();
    t.last.send(reply(1, { $case: "addWatch", value: {} }));
    const it = await pending;
    const next = it.next();
    const closing = client.close();
    await turn();
    t.last.send(reply(2, { $case: "close", value: {} }));
    await closing;
    expect(await next).toEqual({ value: undefined, done: true });
  });
});

describe("multi", () => {
  it("sends ops in one request and throws the failing op's error with every result attached", async () => {
    const { client, t } = await open();
    const pending = client.multi([op.create("/a", "x"), op.setData("/b", "y", 3), op.check("/c")]);
    await turn();
    const req = t.last.requests()[0];
    expect(req?.op?.$case === "multi" && req.op.value.ops.map((o) => o.op?.$case)).toEqual([
      "create",
      "setData",
      "check",
    ]);
    const err = (code: number, path: string) => ({
      result: { $case: "error" as const, value: { code, path, message: "" } },
    });
    t.last.send(
      reply(
        1,
        { $case: "multi", value: { results: [err(0, "/a"), err(-103, "/b"), err(-2, "/c")] } },
        { error: { code: -103, path: "/b" } },
      ),
    );
    const e = await pending.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BadVersionError);
    expect((e as { results: unknown[] }).results).toHaveLength(3);
  });
});
