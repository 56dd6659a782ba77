import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { connectFrame, framesOf, openRaw, type RawConn } from "../../support/jute-raw.js";
import { type ServerHandle, startServer } from "../../support/launcher.js";
import { requireZooKeeper, startZooKeeper, type ZooKeeperHandle } from "../../support/zookeeper.js";
import { clientJaas, identity, identityDir } from "./identity-runners.js";

// enforce.auth.enabled / enforce.auth.schemes / sessionRequireClientSASLAuth and
// allowSaslFailedClients against ZooKeeper 3.8,
// through ZooKeeper's Java client (test/clients/zk/java/Identity.java, mode enforce): the same keys
// in both zoo.cfg files, the outputs must be equal, and ZooKeeper's are pinned.

const servers: (ServerHandle | ZooKeeperHandle)[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

async function pair(
  keys: Record<string, string>,
  zkJvmFlags: string[] = [],
): Promise<{ paddock: string; zookeeper: string }> {
  requireZooKeeper();
  const [paddock, zookeeper] = await Promise.all([
    startServer({ settings: keys }),
    startZooKeeper({
      jvmFlags: zkJvmFlags,
      extraConfig: Object.entries(keys).map(([k, v]) => `${k}=${v}`),
    }),
  ]);
  servers.push(paddock, zookeeper);
  return { paddock: paddock.juteAddress, zookeeper: zookeeper.address };
}

/** The frames received so far once `count` arrived, or the connection closed. */
async function frames(conn: RawConn, count: number): Promise<Buffer[]> {
  for (;;) {
    const got = conn.received();
    const all = framesOf(got);
    if (all.length >= count || conn.isClosed()) return all;
    await conn.bytes(got.length + 1);
  }
}

/**
 * A raw SASL exchange that fails: an empty DIGEST-MD5 first step (the server answers a challenge),
 * a garbage second step, then a ping. What each reply's err was, and whether the ping is answered.
 */
async function saslProbe(address: string): Promise<string[]> {
  const conn = await openRaw(address);
  const token = (xid: number, bytes: Buffer): Buffer => {
    const body = Buffer.alloc(12 + bytes.length);
    body.writeInt32BE(xid, 0);
    body.writeInt32BE(102, 4); // OpCode.sasl
    body.writeInt32BE(bytes.length, 8);
    bytes.copy(body, 12);
    const length = Buffer.alloc(4);
    length.writeInt32BE(body.length);
    return Buffer.concat([length, body]);
  };
  const out: string[] = [];
  // ReplyHeader {xid, zxid, err} then SetSASLResponse {token}: a null token is length -1.
  const sasl = (frame: Buffer | undefined, step: number): void => {
    if (frame === undefined) return void out.push(`sasl step ${step} -> closed`);
    const n = frame.length >= 20 ? frame.readInt32BE(16) : -1;
    out.push(`sasl step ${step} -> err ${frame.readInt32BE(12)}, ${n > 0 ? "a challenge" : "no token"}`);
  };
  conn.socket.write(connectFrame({}));
  conn.socket.write(token(1, Buffer.alloc(0)));
  sasl((await frames(conn, 2))[1], 1);
  conn.socket.write(token(2, Buffer.from("garbage")));
  sasl((await frames(conn, 3))[2], 2);
  if (!conn.isClosed()) {
    const ping = Buffer.alloc(12);
    ping.writeInt32BE(8, 0);
    ping.writeInt32BE(-2, 4);
    ping.writeInt32BE(11, 8); // OpCode.ping
    conn.socket.write(ping, () => {});
  }
  out.push(`ping -> ${(await frames(conn, 4)).length >= 4 ? "answered" : "closed"}`);
  conn.socket.destroy();
  return out;
}

/** Pinned from ZooKeeper 3.8: refused, the connection closed, the session resumed, refused again. */
const REFUSED = [
  "anonymous exists / -> err SESSIONCLOSEDREQUIRESASLAUTH",
  "anonymous state SyncConnected",
  "anonymous state Disconnected",
  "anonymous state SyncConnected",
  "anonymous exists / again -> err SESSIONCLOSEDREQUIRESASLAUTH",
];

describe("enforce.auth.enabled=true, enforce.auth.schemes=digest (ZooKeeper 3.8)", () => {
  it("a session without a digest identity is refused with -124 on every request; one with it is served", async () => {
    const { paddock, zookeeper } = await pair({
      "enforce.auth.enabled": "true",
      "enforce.auth.schemes": "digest",
    });
    const runs = [
      ["anonymous", undefined],
      ["digest", "alice:pw"],
    ] as const;
    for (const [name, credentials] of runs) {
      const extra = credentials === undefined ? [] : [credentials];
      const [z, p] = await Promise.all([
        identity("enforce", zookeeper, `/${name}`, undefined, ...extra),
        identity("enforce", paddock, `/${name}`, undefined, ...extra),
      ]);
      expect(p, name).toEqual(z);
      if (credentials === undefined) expect(z).toEqual(REFUSED);
      else
        expect(z).toEqual([
          "digest exists / -> ok true",
          "digest create  -> ok ",
          "digest state SyncConnected",
        ]);
    }
  }, 120_000);
});

describe("sessionRequireClientSASLAuth=true (ZooKeeper 3.8, the same JAAS file)", () => {
  it("only a SASL-authenticated session is served; digest credentials do not count", async () => {
    const jaas = join(identityDir, "enforce-server.jaas");
    writeFileSync(
      jaas,
      'Server {\n  org.apache.zookeeper.server.auth.DigestLoginModule required\n  user_bob="bobpw";\n};\n',
    );
    const { paddock, zookeeper } = await pair(
      {
        sessionRequireClientSASLAuth: "true",
        // ZooKeeper knows the sasl scheme only with its provider; Paddock always does.
        "authProvider.1": "org.apache.zookeeper.server.auth.SASLAuthenticationProvider",
        "java.security.auth.login.config": jaas,
      },
      [`-Djava.security.auth.login.config=${jaas}`],
    );
    const runs = [
      ["anonymous", undefined, []],
      ["digest only", undefined, ["bob:bobpw"]],
      ["sasl", clientJaas("bob", "bobpw"), []],
      ["wrong password", clientJaas("bob", "wrong"), []],
    ] as const;
    const out: Record<string, string[]> = {};
    for (const [name, jaasFile, extra] of runs) {
      const root = `/${name.replace(" ", "-")}`;
      const [z, p] = await Promise.all([
        identity("enforce", zookeeper, root, jaasFile, ...extra),
        identity("enforce", paddock, root, jaasFile, ...extra),
      ]);
      expect(p, name).toEqual(z);
      out[name] = z;
    }
    expect(out.anonymous).toEqual(REFUSED);
    expect(out["digest only"]![0]).toBe("digest exists / -> err SESSIONCLOSEDREQUIRESASLAUTH");
    // A failed exchange answers -124, not AuthFailed, when SASL is required (ZooKeeper 3.8's processSasl).
    const [z, p] = await Promise.all([saslProbe(zookeeper), saslProbe(paddock)]);
    expect(p).toEqual(z);
    expect(z).toEqual([
      "sasl step 1 -> err 0, a challenge",
      "sasl step 2 -> err -124, no token",
      "ping -> closed",
    ]);
    expect(out.sasl).toEqual([
      "sasl exists / -> ok true",
      "sasl create  -> ok ",
      "sasl state SyncConnected",
      "sasl state SaslAuthenticated",
    ]);
  }, 120_000);
});

describe("allowSaslFailedClients=true (ZooKeeper 3.8, the same JAAS file)", () => {
  it("a failed SASL exchange is answered OK without a token and keeps its connection", async () => {
    const jaas = join(identityDir, "allow-server.jaas");
    writeFileSync(
      jaas,
      'Server {\n  org.apache.zookeeper.server.auth.DigestLoginModule required\n  user_bob="bobpw";\n};\n',
    );
    const { paddock, zookeeper } = await pair(
      {
        allowSaslFailedClients: "true",
        "authProvider.1": "org.apache.zookeeper.server.auth.SASLAuthenticationProvider",
        "java.security.auth.login.config": jaas,
      },
      [`-Djava.security.auth.login.config=${jaas}`],
    );
    const [z, p] = await Promise.all([saslProbe(zookeeper), saslProbe(paddock)]);
    expect(p).toEqual(z);
    // Pinned from ZooKeeper 3.8: the failed step answered OK without a token; the connection serves on.
    expect(z).toEqual([
      "sasl step 1 -> err 0, a challenge",
      "sasl step 2 -> err 0, no token",
      "ping -> answered",
    ]);
  }, 120_000);
});
