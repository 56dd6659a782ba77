import { readFileSync } from "node:fs";
import { get as httpGet } from "node:http";
import { request as httpsRequest } from "node:https";
import { connect as netConnect } from "node:net";
import type { TLSSocket } from "node:tls";
import { credentials, type ServiceError, status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminServiceClient, type CommandResponse } from "../../server/gen/paddock/v1/admin.js";
import { type ServerHandle, startServer } from "../support/launcher.js";
import { makeTestPki, type TestClientCert, type TestPki } from "../support/tls-certs.js";

// Admin endpoints when TLS is on (docs/SECURITY.md "Admin endpoints"): the AdminServer over HTTPS
// (admin.forceHttps, admin.portUnification, admin.needClientAuth, as ZooKeeper 3.9), and the gRPC
// AdminService answering only calls with a verified client certificate once secureClientPort is set.

let pki: TestPki;
let client: TestClientCert;
let untrusted: TestClientCert;
/** secureClientPort (clientAuth=want), admin.forceHttps and admin.needClientAuth. */
let forced: ServerHandle;
/** secureClientPort, admin.portUnification: HTTP and HTTPS on one port, no client certificate asked. */
let unified: ServerHandle;

beforeAll(async () => {
  pki = makeTestPki();
  client = pki.client("operator", "/O=Paddock/OU=ops/CN=operator");
  untrusted = pki.client("intruder", "/O=Elsewhere/CN=intruder", { untrusted: true });
  const adminCert = pki.server("admin-https", "/O=Paddock/CN=admin-https");
  const tls = {
    secureClientPort: 0,
    "ssl.keyStore.location": pki.serverPem,
    "ssl.keyStore.type": "PEM",
    "ssl.trustStore.location": pki.caCert,
    "ssl.trustStore.type": "PEM",
    "ssl.clientAuth": "want",
    "4lw.commands.whitelist": "srvr",
  };
  [forced, unified] = await Promise.all([
    startServer({ settings: { ...tls, "admin.forceHttps": true, "admin.needClientAuth": true } }),
    // As ZooKeeper's JettyAdminServer: the ssl.quorum.* key store when one is set (sslQuorum or not).
    startServer({
      settings: {
        ...tls,
        "admin.portUnification": true,
        "ssl.quorum.keyStore.location": adminCert.pem,
        "ssl.quorum.keyStore.type": "PEM",
      },
    }),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([forced?.stop(), unified?.stop()]);
});

interface Answer {
  status: number;
  body: string;
  /** The CN of the certificate the server presented (HTTPS only). */
  serverName?: string;
}

function httpsGet(port: number | undefined, path: string, cert?: TestClientCert): Promise<Answer> {
  const identity = cert === undefined ? {} : { cert: readFileSync(cert.cert), key: readFileSync(cert.key) };
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      { host: "127.0.0.1", port, path, ca: readFileSync(pki.caCert), agent: false, ...identity },
      (response) => {
        let body = "";
        response.on("data", (chunk: Buffer) => {
          body += chunk.toString();
        });
        const cn = (response.socket as TLSSocket).getPeerCertificate().subject.CN;
        const serverName = Array.isArray(cn) ? cn.join(",") : cn;
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body, serverName }));
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end();
  });
}

function plainGet(port: number | undefined, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    httpGet({ host: "127.0.0.1", port, path, agent: false }, (response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => {
        body += chunk.toString();
      });
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    }).on("error", reject);
  });
}

function adminCall(client: AdminServiceClient, command: string): Promise<CommandResponse> {
  return new Promise((resolve, reject) => {
    client.command({ command }, (error, response) => (error ? reject(error) : resolve(response)));
  });
}

async function withAdminClient<T>(
  address: string,
  creds: ReturnType<typeof credentials.createInsecure>,
  use: (client: AdminServiceClient) => Promise<T>,
): Promise<T> {
  const admin = new AdminServiceClient(address, creds);
  try {
    return await use(admin);
  } finally {
    admin.close();
  }
}

const ca = (): Buffer => readFileSync(pki.caCert);
const mutual = (cert: TestClientCert) =>
  credentials.createSsl(ca(), readFileSync(cert.key), readFileSync(cert.cert));

describe("the AdminServer over HTTPS", () => {
  it("admin.forceHttps with admin.needClientAuth answers a client with a verified certificate", async () => {
    const ruok = await httpsGet(forced.adminPort, "/commands/ruok", client);
    expect(ruok.status).toBe(200);
    expect(JSON.parse(ruok.body)).toMatchObject({ command: "ruok", error: null });
    // No ssl.quorum.keyStore: the client port's ssl.* key store.
    expect(ruok.serverName).toBe("paddock-server");
    // The web console lives on the same listener, behind the same handshake.
    expect((await httpsGet(forced.adminPort, "/", client)).status).toBe(200);
  });

  it("refuses a handshake without a client certificate, or with one from another CA", async () => {
    await expect(httpsGet(forced.adminPort, "/commands/ruok")).rejects.toThrow();
    await expect(httpsGet(forced.adminPort, "/commands/ruok", untrusted)).rejects.toThrow();
  });

  it("admin.forceHttps serves no plain HTTP", async () => {
    await expect(plainGet(forced.adminPort, "/commands/ruok")).rejects.toThrow();
  });

  it("admin.portUnification serves HTTP and HTTPS on the one port, with no certificate asked", async () => {
    const overTls = await httpsGet(unified.adminPort, "/commands/srvr");
    expect(overTls.status).toBe(200);
    expect(JSON.parse(overTls.body)).toMatchObject({ command: "server_stats", error: null });
    expect(overTls.serverName).toBe("admin-https");
    const plain = await plainGet(unified.adminPort, "/commands/srvr");
    expect(plain.status).toBe(200);
    expect(JSON.parse(plain.body)).toMatchObject({ command: "server_stats", error: null });
  });

  it("logs the scheme and the stores it took", () => {
    expect(forced.log()).toMatch(
      /AdminServer on https:\/\/.*\(ssl\.\* stores, client certificate required\)/,
    );
    expect(unified.log()).toMatch(/AdminServer on http\+https:\/\/.*\(ssl\.quorum\.\* stores\)/);
  });

  it("stops startup when HTTPS is asked for and no key store is set", async () => {
    await expect(startServer({ settings: { "admin.forceHttps": true } })).rejects.toThrow(
      /admin\.forceHttps=true needs a key store: set ssl\.quorum\.keyStore\.location/,
    );
  });
});

describe("the gRPC AdminService with secureClientPort set", () => {
  it("answers a call over TLS with a verified client certificate", async () => {
    const answer = await withAdminClient(`127.0.0.1:${forced.securePort}`, mutual(client), (admin) =>
      adminCall(admin, "ruok"),
    );
    expect(answer.output).toBe("imok");
  });

  it("refuses the plain port, and TLS without a certificate, naming what is needed", async () => {
    for (const [address, creds] of [
      [forced.address, credentials.createInsecure()],
      [`127.0.0.1:${forced.securePort}`, credentials.createSsl(ca())],
    ] as const) {
      const error = (await withAdminClient(address, creds, (admin) => adminCall(admin, "ruok")).catch(
        (e: unknown) => e,
      )) as ServiceError;
      expect(error.code).toBe(status.UNAUTHENTICATED);
      expect(error.details).toMatch(/needs a verified client certificate when secureClientPort is set/);
    }
  });

  it("leaves the four-letter words to 4lw.commands.whitelist on the plain port", async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = netConnect({ host: "127.0.0.1", port: forced.port }, () => socket.write("srvr"));
      let text = "";
      socket.on("data", (chunk: Buffer) => {
        text += chunk.toString();
      });
      socket.on("close", () => resolve(text));
      socket.on("error", reject);
    });
    expect(answer).toMatch(/^Zookeeper version: /);
  });
});
