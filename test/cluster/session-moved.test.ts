import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Ensemble, startEnsemble } from "../support/ensemble.js";
import { connectFrame, framesOf, openRaw, parseConnectResponse, pathRequest } from "../support/jute-raw.js";
import { startZooKeeperEnsemble } from "../support/zookeeper-ensemble.js";

// A session resumed on another member, and the connection it left behind on the first one, over
// ZooKeeper's protocol: the same scenario against a real three-member ZooKeeper 3.8.0 ensemble
// (Debian) and a three-member Paddock ensemble, with the same expected outcomes, as ZooKeeper
// shows them:
// - the old connection is not closed by the move itself;
// - on a follower it still answers reads; its first write closes it, unanswered (the leader
//   refuses the write with SessionMoved and the follower drops the connection);
// - on the leader, any request (a read too) closes it.

const GET_DATA = 4;
const SET_DATA = 5;
const CREATE = 1;

const int = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const str = (s: string): Buffer => Buffer.concat([int(Buffer.byteLength(s)), Buffer.from(s)]);
const OPEN_ACL = Buffer.concat([int(1), int(31), str("world"), str("anyone")]);

type Conn = Awaited<ReturnType<typeof openRaw>>;

/** The reply's err for `xid`, or "closed" if the connection ended first. */
async function reply(conn: Conn, skip: number, xid: number): Promise<number | "closed"> {
  for (;;) {
    const frame = framesOf(conn.received(), skip).find((f) => f.readInt32BE(0) === xid);
    if (frame !== undefined) return frame.readInt32BE(12);
    if (conn.isClosed()) return "closed";
    await conn.bytes(conn.received().length + 1);
  }
}

async function connect(address: string, session?: { id: bigint; passwd: Buffer }) {
  const conn = await openRaw(address);
  conn.socket.write(connectFrame({ timeOut: 10_000, sessionId: session?.id, passwd: session?.passwd }));
  const head = await conn.bytes(4);
  const skip = 4 + head.readInt32BE(0);
  const response = parseConnectResponse(await conn.bytes(skip));
  return { conn, skip, id: response.sessionId, passwd: Buffer.from(response.passwd) };
}

/**
 * Opens a session on `from`, creates a node, resumes the session on `to`; then, on the old
 * connection, a read and then a write; and a write on the new one.
 */
async function moved(from: string, to: string, path: string) {
  const old = await connect(from);
  old.conn.socket.write(pathRequest(1, CREATE, path, Buffer.concat([str("x"), OPEN_ACL, int(0)])));
  expect(await reply(old.conn, old.skip, 1)).toBe(0);
  const fresh = await connect(to, old);
  expect(fresh.id).toBe(old.id);
  const closedByMove = old.conn.isClosed();
  old.conn.socket.write(pathRequest(2, GET_DATA, path, Buffer.from([0])));
  const oldRead = await reply(old.conn, old.skip, 2);
  old.conn.socket.write(pathRequest(3, SET_DATA, path, Buffer.concat([str("y"), int(-1)])));
  const oldWrite = await reply(old.conn, old.skip, 3);
  fresh.conn.socket.write(pathRequest(4, SET_DATA, path, Buffer.concat([str("z"), int(-1)])));
  const newWrite = await reply(fresh.conn, fresh.skip, 4);
  old.conn.socket.destroy();
  fresh.conn.socket.destroy();
  return { closedByMove, oldRead, oldWrite, newWrite };
}

/** What ZooKeeper 3.8 does, by where the session was and where it moved. */
const expected = {
  followerToFollower: { closedByMove: false, oldRead: 0, oldWrite: "closed", newWrite: 0 },
  followerToLeader: { closedByMove: false, oldRead: 0, oldWrite: "closed", newWrite: 0 },
  leaderToFollower: { closedByMove: false, oldRead: "closed", oldWrite: "closed", newWrite: 0 },
};

/** The three moves on an ensemble whose leader and followers are these client addresses. */
async function allMoves(leader: string, followers: readonly string[]): Promise<void> {
  const [f1, f2] = followers as [string, string];
  expect(await moved(f1, f2, "/m1")).toEqual(expected.followerToFollower);
  expect(await moved(f1, leader, "/m2")).toEqual(expected.followerToLeader);
  expect(await moved(leader, f1, "/m3")).toEqual(expected.leaderToFollower);
}

describe("a session moved to another member: the connection it left behind", () => {
  it("ZooKeeper 3.8", async () => {
    const zk = await startZooKeeperEnsemble({ size: 3, version: "3.8" });
    try {
      await allMoves(zk.leader, zk.followers);
    } finally {
      await zk.stop();
    }
  }, 120_000);

  describe("Paddock", () => {
    let ensemble: Ensemble;
    beforeAll(async () => {
      ensemble = await startEnsemble({ voters: 3 });
      await ensemble.waitForLeader({ timeoutMs: 30_000 });
    }, 60_000);
    afterAll(async () => {
      await ensemble?.stopAll();
    });

    it("the same as ZooKeeper", async () => {
      const leaderId = await ensemble.waitForLeader({ timeoutMs: 30_000 });
      const leader = ensemble.members.find((m) => m.id === leaderId)!.address;
      const followers = ensemble.members.filter((m) => m.id !== leaderId).map((m) => m.address);
      await allMoves(leader, followers);
    }, 60_000);
  });
});
