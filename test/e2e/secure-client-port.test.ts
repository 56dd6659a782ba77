import { copyFileSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { type TLSSocket, connect as tlsConnect } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, connect, NoAuthError, Perms } from "../../clients/ts/src/index.js";
import { connectFrame, framesOf, parseConnectResponse } from "../support/jute-raw.js";
import { type ServerHandle, startServer } from "../support/launcher.js";
import { runProcess } from "../support/run-process.js";
import { makeTestPki, type TestClientCert, type TestPki } from "../support/tls-certs.js";
import { deferred } from "../support/wait.js";

// secureClientPort: TLS in front of both doors (gRPC with ALPN h2, ZooKeeper's protocol), the key
// and trust stores as PKCS12 (keytool's trust store) and PEM, ssl.clientAuth, the x509 identity of
// a client certificate, a JKS store refused with the command that converts it, and a reload.

let pki: TestPki;
let client: TestClientCert;
let untrusted: TestClientCert;
let need: ServerHandle;
let want: ServerHandle;

const superDn = "CN=admin,OU=ops,O=Paddock";

beforeAll(async () => {
  pki = makeTestPki();
  client = pki.client("client", "/O=Paddock/CN=client");
  pki.client("admin", "/O=Paddock/OU=ops/CN=admin");
  untrusted = pki.client("intruder", "/O=Elsewhere/CN=intruder", { untrusted: true });
  [need, want] = await Promise.all([
    startServer({
      settings: {
        secureClientPort: 0,
        "ssl.keyStore.location": pki.serverP12,
        "ssl.keyStore.password": pki.password,
        "ssl.trustStore.location": pki.trustP12,
        "ssl.trustStore.password": pki.password,
        "zookeeper.X509AuthenticationProvider.superUser": superDn,
        "4lw.commands.whitelist": "srvr,ruok",
      },
    }),
    startServer({
      settings: {
        secureClientPort: 0,
        "ssl.keyStore.location": pki.serverPem,
        "ssl.keyStore.type": "PEM",
        "ssl.trustStore.location": pki.caCert,
        "ssl.trustStore.type": "PEM",
        "ssl.clientAuth": "want",
      },
    }),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([need?.stop(), want?.stop()]);
});

const secure = (server: ServerHandle): string => `127.0.0.1:${server.securePort}`;

function tlsOptions(cert?: TestClientCert) {
  const ca = readFileSync(pki.caCert);
  return cert === undefined ? { ca } : { ca, cert: readFileSync(cert.cert), key: readFileSync(cert.key) };
}

/** A TLS connection to the port: everything it receives, its peer certificate, and when it closed. */
function rawTls(
  server: ServerHandle,
  cert?: TestClientCert,
): Promise<{ socket: TLSSocket; received: () => Buffer; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const closed = deferred<void>();
    const socket = tlsConnect(
      {
        host: "127.0.0.1",
        servername: "localhost",
        port: server.securePort!,
        ca: readFileSync(pki.caCert),
        ...(cert === undefined ? {} : { cert: readFileSync(cert.cert), key: readFileSync(cert.key) }),
      },
      () => resolve({ socket, received: () => Buffer.concat(chunks), closed: closed.promise }),
    );
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("close", () => closed.resolve());
    socket.on("error", reject);
  });
}

describe("secureClientPort with PKCS12 stores and ssl.clientAuth=need (the default)", () => {
  it("serves the gRPC door over TLS to a client certificate signed by the trust store's CA", async () => {
    const c: Client = await connect(secure(need), { tls: tlsOptions(client), connectTimeoutMs: 10_000 });
    try {
      await c.create("/tls-grpc", "over tls");
      expect(Buffer.from((await c.getData("/tls-grpc")).data).toString()).toBe("over tls");
      // The certificate is the connection's x509 identity (RFC 2253, most specific first).
      expect(await c.whoAmI()).toContainEqual({ scheme: "x509", user: "CN=client,O=Paddock" });
    } finally {
      await c.close();
    }
  });

  it("refuses a gRPC client without a certificate, or with one the trust store does not know", async () => {
    await expect(connect(secure(need), { tls: tlsOptions(), connectTimeoutMs: 1500 })).rejects.toThrow();
    await expect(
      connect(secure(need), { tls: tlsOptions(untrusted), connectTimeoutMs: 1500 }),
    ).rejects.toThrow();
  });

  it("serves ZooKeeper's protocol and four-letter words after the handshake", async () => {
    const c = await rawTls(need, client);
    expect(c.socket.alpnProtocol).toBe(false);
    c.socket.write(connectFrame({}));
    await until(() => framesOf(c.received()).length >= 1);
    expect(parseConnectResponse(c.received()).sessionId).not.toBe(0n);
    c.socket.destroy();
    const word = await rawTls(need, client);
    word.socket.write("ruok");
    await word.closed;
    expect(word.received().toString()).toBe("imok");
  });

  it("gives x509 ACLs to the certificate's DN, and super rights to the super user's", async () => {
    const owner = await connect(secure(need), { tls: tlsOptions(client), connectTimeoutMs: 10_000 });
    const other = pki.client("other", "/O=Paddock/CN=other");
    const stranger = await connect(secure(need), { tls: tlsOptions(other), connectTimeoutMs: 10_000 });
    const admin = {
      ca: readFileSync(pki.caCert),
      cert: readFileSync(join(pki.dir, "admin.crt")),
      key: readFileSync(join(pki.dir, "admin.key")),
    };
    const root = await connect(secure(need), { tls: admin, connectTimeoutMs: 10_000 });
    const plain = await connect(need.address, { connectTimeoutMs: 10_000 });
    try {
      await owner.create("/x509-owned", "mine", {
        acl: [{ perms: Perms.ALL, id: { scheme: "x509", id: "CN=client,O=Paddock" } }],
      });
      expect(Buffer.from((await owner.getData("/x509-owned")).data).toString()).toBe("mine");
      await expect(stranger.getData("/x509-owned")).rejects.toBeInstanceOf(NoAuthError);
      await expect(plain.getData("/x509-owned")).rejects.toBeInstanceOf(NoAuthError);
      expect(Buffer.from((await root.getData("/x509-owned")).data).toString()).toBe("mine");
      // "auth" expands to the certificate's identity, as to a digest one.
      await owner.create("/x509-auth", "", { acl: [{ perms: Perms.ALL, id: { scheme: "auth", id: "" } }] });
      expect((await owner.getACL("/x509-auth")).acl).toEqual([
        { perms: Perms.ALL, id: { scheme: "x509", id: "CN=client,O=Paddock" } },
      ]);
      await expect(
        owner.create("/x509-bad", "", {
          acl: [{ perms: Perms.ALL, id: { scheme: "x509", id: "not a dn" } }],
        }),
      ).rejects.toThrow(/InvalidACL|invalid/i);
    } finally {
      await Promise.all([owner.close(), stranger.close(), root.close(), plain.close()]);
    }
  });

  it("keeps the plain client port open beside it", async () => {
    const c = await connect(need.address, { connectTimeoutMs: 10_000 });
    expect(await c.exists("/")).not.toBeNull();
    await c.close();
  });
});

describe("secureClientPort with a PEM key store and ssl.clientAuth=want", () => {
  it("accepts a client without a certificate, with no x509 identity", async () => {
    const c = await connect(secure(want), { tls: tlsOptions(), connectTimeoutMs: 10_000 });
    expect((await c.whoAmI()).map((i) => i.scheme)).not.toContain("x509");
    await c.close();
  });

  it("counts its connections of both doors and their bytes in /metrics and mntr", async () => {
    const scrape = async (): Promise<{ open: number; received: number; sent: number }> => {
      const text = await (await fetch(`http://127.0.0.1:${want.metricsPort}/metrics`)).text();
      const value = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1]);
      return {
        open: value("num_alive_connections"),
        received: value("bytes_received_count"),
        sent: value("response_bytes"),
      };
    };
    // The earlier tests' connections are gone first (a client's close ends its socket soon after).
    await until(async () => (await scrape()).open === 0);
    const before = await scrape();
    const grpc = await connect(secure(want), { tls: tlsOptions(), connectTimeoutMs: 10_000 });
    const jute = await rawTls(want);
    try {
      jute.socket.write(connectFrame({}));
      await until(() => framesOf(jute.received()).length >= 1);
      await grpc.exists("/");
      const during = await scrape();
      expect(during.open).toBe(2);
      // Bytes on the wire: at least what each side wrote, TLS records included.
      expect(during.received - before.received).toBeGreaterThan(connectFrame({}).length);
      expect(during.sent - before.sent).toBeGreaterThan(jute.received().length);
      const mntr = (await (await fetch(`http://127.0.0.1:${want.adminPort}/commands/mntr`)).json()) as {
        num_alive_connections: number;
      };
      expect(mntr.num_alive_connections).toBe(during.open);
    } finally {
      jute.socket.destroy();
      await grpc.close();
    }
    await until(async () => (await scrape()).open === 0);
  });

  it("refuses a certificate the trust store does not verify", async () => {
    const c = await rawTls(want, untrusted).catch((error: Error) => error);
    if (c instanceof Error) return; // refused in the handshake (TLS 1.2)
    await c.closed; // TLS 1.3: the server verifies after the client's Finished, then closes
    expect(c.received().length).toBe(0);
  });
});

describe("certificate reload and store errors", () => {
  it("gives a new connection the new certificate once the key store file is replaced", async () => {
    const dir = pki.dir;
    const live = join(dir, "live.pem");
    copyFileSync(pki.serverPem, live);
    const server = await startServer({
      settings: {
        secureClientPort: 0,
        "ssl.keyStore.location": live,
        "ssl.trustStore.location": pki.caCert,
        "ssl.clientAuth": "none",
      },
    });
    try {
      const before = await rawTls(server);
      expect(before.socket.getPeerCertificate().subject.CN).toBe("paddock-server");
      before.socket.destroy();
      const next = pki.server("server2", "/CN=paddock-server-2/O=Paddock");
      // Replaced by rename, as tools that write certificates atomically do.
      copyFileSync(next.pem, `${live}.tmp`);
      renameSync(`${live}.tmp`, live);
      await until(async () => {
        const after = await rawTls(server);
        const cn = after.socket.getPeerCertificate().subject.CN;
        after.socket.destroy();
        return cn === "paddock-server-2";
      });
      expect(server.log()).toMatch(/reloaded/);
    } finally {
      await server.stop();
    }
  });

  it("refuses to start on a JKS key store, saying how to convert it", async () => {
    const jks = join(pki.dir, "server.jks");
    await runProcess("keytool", [
      "-importkeystore",
      "-srckeystore",
      pki.serverP12,
      "-srcstoretype",
      "PKCS12",
      "-srcstorepass",
      pki.password,
      "-destkeystore",
      jks,
      "-deststoretype",
      "JKS",
      "-deststorepass",
      pki.password,
      "-noprompt",
    ]);
    const failure = await startServer({
      settings: { secureClientPort: 0, "ssl.keyStore.location": jks, "ssl.keyStore.password": pki.password },
    }).then(
      async (s) => {
        await s.stop();
        return "";
      },
      (error: Error) => error.message,
    );
    expect(failure).toMatch(/JKS/);
    expect(failure).toContain("keytool -importkeystore");
    expect(failure).toContain("-deststoretype PKCS12");
  });

  it("refuses to start with a wrong key store password", async () => {
    const failure = await startServer({
      settings: {
        secureClientPort: 0,
        "ssl.keyStore.location": pki.serverP12,
        "ssl.keyStore.password": "wrong",
      },
    }).then(
      async (s) => {
        await s.stop();
        return "";
      },
      (error: Error) => error.message,
    );
    expect(failure).toContain(pki.serverP12);
  });
});

/** Polls `check` (every 50 ms, up to 10 s): the events here have no completion signal to await. */
async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in 10 s");
    await new Promise((r) => setTimeout(r, 50));
  }
}
