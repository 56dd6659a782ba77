import { describe, expect, it } from "vitest";
import type { ConnectRequest, ServerMessage } from "../../../server/gen/paddock/v1/session.js";
import { Code } from "../../../server/util/error-code.js";
import { PaddockError } from "../../../server/util/paddock-error.js";
import { fakeEnsemble } from "./fake-ensemble.js";
import { connect, connection, create, member } from "./fake-member.js";

// Opening and resuming sessions on the real Pipeline of a standalone member (found by mutation
// testing, docs/TESTING.md): each refusal's session event, code and exact message, sessionsMax
// counting what is open and what is being opened, a resume taking the session over, and what a
// connect carries (auth, watches).

type Member = ReturnType<typeof member>;
type Client = ReturnType<typeof connection>;

const DISCONNECTED = 2;
const EXPIRED = 3;
const AUTH_FAILED = 5;
const NODE_DATA_CHANGED = 3;

const digestAuth = (scheme: string, auth: Uint8Array) => {
  if (scheme !== "digest") throw new PaddockError(Code.AuthFailed, "", `no ${scheme} in this test`);
  return [{ scheme: "digest", id: Buffer.from(auth).toString() }];
};

async function serving(...args: Parameters<typeof member>): Promise<Member> {
  const m = member(...args);
  await m.advanceTo(2_000);
  expect(m.pipeline.isServing).toBe(true);
  return m;
}

let address = 0;
/** A client that sent its ConnectRequest (each from its own address: maxClientCnxns is 2 here). */
function client(m: Member, request: Partial<ConnectRequest> = {}): Client {
  const c = connection(m.pipeline.front, `10.0.1.${++address}`);
  c.conn.connect({ ...connect, ...request });
  return c;
}

async function opened(m: Member, request: Partial<ConnectRequest> = {}): Promise<Client> {
  const c = client(m, request);
  await m.advanceTo(m.scheduler.now() + 100);
  expect(c.received.map((r) => r.kind?.$case)).toEqual(["connected"]);
  return c;
}

function connected(c: Client) {
  const first = c.received[0]?.kind;
  if (first?.$case !== "connected") throw new Error(`not connected: ${JSON.stringify(c.received)}`);
  return first.value;
}

/** What a refused connect receives: one session event, then the end of the connection. */
function refusedWith(state: number, code: number, message: string): ServerMessage[] {
  return [{ kind: { $case: "sessionEvent", value: { state, error: { code, path: "", message } } } }];
}

describe("connect refused: the session event, code and message", () => {
  it("while the member is not serving (no leader yet): Disconnected, ConnectionLoss", async () => {
    // Three voters before their first election: none serves.
    const e = fakeEnsemble(3);
    const target = e.members[0]!;
    expect(target.pipeline.isServing).toBe(false);
    const received: ServerMessage[] = [];
    let ended = false;
    const conn = target.pipeline.front.accept("10.0.2.1", {
      send: (m) => received.push(m),
      end: () => {
        ended = true;
      },
    });
    conn.connect(connect);
    expect(received).toEqual(
      refusedWith(
        DISCONNECTED,
        Code.ConnectionLoss,
        "this member is not serving: no leader (election running)",
      ),
    );
    expect(ended).toBe(true);
    e.stop();
  });

  it("from a client that saw a later zxid than this member applied: Disconnected, naming both", async () => {
    const m = await serving();
    const writer = await opened(m);
    writer.send(create("/a"));
    await m.advanceTo(m.scheduler.now() + 100);
    const applied = m.pipeline.zxid;
    expect(applied).toBe(0x1_0000_0002);
    const ahead = client(m, { lastZxidSeen: 0x1_0000_0003n });
    expect(ahead.received).toEqual(
      refusedWith(
        DISCONNECTED,
        Code.ConnectionLoss,
        "this member is behind the client: applied 0x100000002 < last seen 0x100000003",
      ),
    );
    expect(ahead.ended).toBe(true);
    // Exactly what this member applied is not ahead of it.
    const even = await opened(m, { lastZxidSeen: BigInt(applied) });
    expect(connected(even).sessionId).toBe(0x101n);
    m.stop();
  });

  it("auth that fails at connect: AuthFailed, the authenticator's message", async () => {
    const m = await serving({}, digestAuth);
    const c = client(m, { auth: [{ scheme: "sasl", auth: Buffer.from("x") }] });
    expect(c.received).toEqual(refusedWith(AUTH_FAILED, Code.AuthFailed, "no sasl in this test"));
    expect(c.ended).toBe(true);
    m.stop();
  });
});

describe("sessionsMax counts global, local and opening sessions", () => {
  it("at exactly the limit the next open is refused; below it one is admitted", async () => {
    const m = await serving({ sessionsMax: 2 });
    await opened(m);
    await opened(m);
    const third = client(m);
    expect(third.received).toEqual(
      refusedWith(DISCONNECTED, Code.Throttled, "sessionsMax 2 reached: no new session"),
    );
    expect(third.ended).toBe(true);
    m.stop();
  });

  it("sessions proposed but not applied yet count", async () => {
    const m = await serving({ sessionsMax: 2 });
    m.storage.hold();
    const a = client(m);
    const b = client(m);
    const c = client(m);
    expect(c.received).toEqual(
      refusedWith(DISCONNECTED, Code.Throttled, "sessionsMax 2 reached: no new session"),
    );
    m.storage.release();
    await m.advanceTo(2_200);
    expect([connected(a).sessionId, connected(b).sessionId]).toEqual([0x100n, 0x101n]);
    m.stop();
  });

  it("local sessions count (localSessionsEnabled); a local open answers `connected` and nothing else", async () => {
    const m = await serving({ sessionsMax: 2 }, undefined, { localSessions: { upgrading: false } });
    const a = client(m);
    // Local: no transaction, so connected at once.
    expect(a.received.map((r) => r.kind?.$case)).toEqual(["connected"]);
    expect(a.ended).toBe(false);
    client(m);
    const c = client(m);
    expect(c.received).toEqual(
      refusedWith(DISCONNECTED, Code.Throttled, "sessionsMax 2 reached: no new session"),
    );
    expect(m.storage.entries.filter((e) => e.txn.body?.$case === "createSession")).toEqual([]);
    m.stop();
  });
});

describe("a CreateSession that cannot be made durable", () => {
  it("fails the opening client; later opens are refused by the storage failure, not by sessionsMax", async () => {
    const m = await serving({ sessionsMax: 2 });
    m.storage.failWith = new Error("disk gone");
    const a = client(m);
    await m.advanceTo(2_100);
    expect(a.received).toEqual(
      refusedWith(DISCONNECTED, Code.SystemError, "write 4294967297 not durable: disk gone"),
    );
    expect(a.ended).toBe(true);
    for (const _ of [1, 2]) {
      const later = client(m);
      expect(later.received).toEqual(
        refusedWith(DISCONNECTED, Code.SystemError, "not accepting writes: storage failed: disk gone"),
      );
      expect(later.ended).toBe(true);
    }
    m.stop();
  });
});

describe("resume", () => {
  const password = Buffer.alloc(16, 7);

  it("takes the session over: the previous connection ends, the new one is answered", async () => {
    const m = await serving();
    const first = await opened(m, { timeoutMs: 4_000 });
    expect(connected(first)).toMatchObject({ sessionId: 0x100n, password, timeoutMs: 4_000 });
    const second = await opened(m, { sessionId: 0x100n, password, timeoutMs: 9_000 });
    expect(first.ended).toBe(true);
    expect(second.ended).toBe(false);
    // The session's own timeout, not the one asked for now.
    expect(connected(second)).toMatchObject({ sessionId: 0x100n, password, timeoutMs: 4_000 });
    const xid = second.send(create("/after"));
    await m.advanceTo(m.scheduler.now() + 100);
    expect(second.reply(xid)?.error).toBeUndefined();
    expect(first.received.filter((r) => r.kind?.$case === "reply")).toEqual([]);
    m.stop();
  });

  it("with a wrong password: Expired naming the session; the live connection ends all the same (as ZooKeeper)", async () => {
    const m = await serving();
    const live = await opened(m);
    const wrong = client(m, { sessionId: 0x100n, password: Buffer.alloc(16, 8) });
    expect(wrong.received).toEqual(
      refusedWith(EXPIRED, Code.SessionExpired, "session 0x100: wrong password"),
    );
    expect(wrong.ended).toBe(true);
    expect(live.ended).toBe(true);
    m.stop();
  });

  it("of an unknown session: Expired naming it in hex, once a barrier applied (revalidation)", async () => {
    const m = await serving();
    const c = client(m, { sessionId: 0xabcn, password });
    // Unknown here is judged only after a noop through the leader applied: nothing before it.
    expect(c.received).toEqual([]);
    await m.advanceTo(m.scheduler.now() + 100);
    expect(c.received).toEqual(refusedWith(EXPIRED, Code.SessionExpired, "session 0xabc expired or unknown"));
    expect(c.ended).toBe(true);
    m.stop();
  });

  it("re-sets the client's watches: a change it missed fires right after `connected`", async () => {
    const m = await serving();
    const first = await opened(m);
    const created = first.send(create("/w"));
    await m.advanceTo(m.scheduler.now() + 100);
    const seen = first.reply(created)!.zxid;
    const changed = first.send({
      $case: "setData",
      value: { path: "/w", data: Buffer.from("y"), version: undefined },
    });
    await m.advanceTo(m.scheduler.now() + 100);
    expect(first.reply(changed)?.error).toBeUndefined();
    const watches = {
      relativeZxid: seen,
      dataWatches: ["/w"],
      existWatches: [],
      childWatches: [],
      persistentWatches: [],
      persistentRecursiveWatches: [],
    };
    const second = client(m, { sessionId: 0x100n, password, watches });
    expect(second.received.map((r) => r.kind?.$case)).toEqual(["connected", "event"]);
    expect(second.received[1]?.kind).toEqual({
      $case: "event",
      value: { type: NODE_DATA_CHANGED, path: "/w", zxid: -1n },
    });
    m.stop();
  });

  it("applies the auth it carries, on open and on resume", async () => {
    const m = await serving({}, digestAuth);
    const bob = [{ scheme: "digest", auth: Buffer.from("bob:pw") }];
    const owner = await opened(m, { auth: bob });
    const acl = [{ perms: 31, id: { scheme: "digest", id: "bob:pw" } }];
    const made = owner.send({
      $case: "create",
      value: { path: "/secret", data: Buffer.from("s"), acl, mode: 0, ttl: 0n },
    });
    await m.advanceTo(m.scheduler.now() + 100);
    expect(owner.reply(made)?.error).toBeUndefined();
    const getData = { $case: "getData" as const, value: { path: "/secret", watch: false, consistency: 0 } };
    const stranger = await opened(m);
    const denied = stranger.send(getData);
    const resumed = await opened(m, { sessionId: 0x100n, password, auth: bob });
    const allowed = resumed.send(getData);
    await m.advanceTo(m.scheduler.now() + 100);
    expect(stranger.reply(denied)?.error).toMatchObject({ code: Code.NoAuth, path: "/secret" });
    expect(resumed.reply(allowed)?.error).toBeUndefined();
    m.stop();
  });
});
