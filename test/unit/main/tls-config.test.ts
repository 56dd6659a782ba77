import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultConfig, parseZooCfg } from "../../../server/main/config.js";
import { defaultSslConfig, secureContextOptions } from "../../../server/main/tls-stores.js";
import { makeTestPki } from "../../support/tls-certs.js";

describe("zoo.cfg TLS keys", () => {
  it("takes ZooKeeper's secureClientPort and ssl.* keys, with or without the zookeeper. prefix", () => {
    const warnings: string[] = [];
    const config = defaultConfig();
    expect(config.ssl.clientAuth).toBe("need"); // ZooKeeper's default
    expect(config.secureClientPort).toBeUndefined();
    parseZooCfg(
      [
        "secureClientPort=2281",
        "secureClientPortAddress=127.0.0.1",
        "serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory",
        "authProvider.x509=org.apache.zookeeper.server.auth.X509AuthenticationProvider",
        "ssl.keyStore.location=tls/server.p12",
        "ssl.keyStore.password=secret",
        "zookeeper.ssl.trustStore.location=/etc/tls/ca.pem",
        "ssl.trustStore.type=PEM",
        "ssl.clientAuth=Want",
        "X509AuthenticationProvider.superUser=CN=admin,O=Paddock",
        "client.certReload=false",
        "authProvider.ldap=com.example.LdapAuthenticationProvider",
      ].join("\n"),
      config,
      "/etc/zk",
      (m) => warnings.push(m),
    );
    expect(config.secureClientPort).toBe(2281);
    expect(config.secureClientPortAddress).toBe("127.0.0.1");
    expect(config.ssl).toEqual({
      ...defaultSslConfig(),
      keyStoreLocation: "/etc/zk/tls/server.p12",
      keyStorePassword: "secret",
      trustStoreLocation: "/etc/tls/ca.pem",
      trustStoreType: "PEM",
      clientAuth: "want",
      certReload: false,
      x509SuperUser: "CN=admin,O=Paddock",
    });
    // Only the x509 and SASL providers are known: another provider is not silently taken.
    expect(warnings).toEqual(["zoo.cfg: unknown key authProvider.ldap ignored"]);
    expect(() => parseZooCfg("ssl.clientAuth=sometimes", defaultConfig(), "/", () => {})).toThrow(
      /none, want or need/,
    );
  });
});

describe("key and trust stores", () => {
  const pki = makeTestPki();

  it("reads a PKCS12 key store, a keytool PKCS12 trust store and PEM ones", () => {
    const p12 = secureContextOptions({
      ...defaultSslConfig(),
      keyStoreLocation: pki.serverP12,
      keyStorePassword: pki.password,
      trustStoreLocation: pki.trustP12,
      trustStorePassword: pki.password,
    });
    expect(p12.pfx).toBeDefined();
    expect(String(p12.ca)).toContain("BEGIN CERTIFICATE");
    const pem = secureContextOptions({
      ...defaultSslConfig(),
      keyStoreLocation: pki.serverPem,
      trustStoreLocation: pki.caCert,
    });
    expect(String(pem.cert).match(/BEGIN CERTIFICATE/g)).toHaveLength(2); // the chain
  }, 30_000);

  it("names the file and the fix when a store cannot be read", () => {
    const dir = mkdtempSync(join(tmpdir(), "paddock-stores-"));
    const jksNamedP12 = join(dir, "store.p12");
    writeFileSync(jksNamedP12, Buffer.from([0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2]));
    const read = (over: Partial<ReturnType<typeof defaultSslConfig>>) => () =>
      secureContextOptions({ ...defaultSslConfig(), ...over });
    // A JKS store is told by its magic number, whatever its name says.
    expect(read({ keyStoreLocation: jksNamedP12 })).toThrow(/JKS store.*keytool -importkeystore/);
    const unnamed = join(dir, "store.bin");
    writeFileSync(unnamed, "x");
    expect(read({ keyStoreLocation: unnamed })).toThrow(/set ssl.keyStore.type to PEM or PKCS12/);
    expect(read({ keyStoreLocation: unnamed, keyStoreType: "BCFKS" })).toThrow(
      /PEM and PKCS12 stores \(not BCFKS\)/,
    );
    expect(read({ keyStoreLocation: pki.serverP12, keyStorePassword: "wrong" })).toThrow(pki.serverP12);
    expect(
      read({
        keyStoreLocation: pki.serverPem,
        trustStoreLocation: pki.trustP12,
        trustStorePassword: "wrong",
      }),
    ).toThrow(/cannot read the PKCS12 trust store/);
    expect(read({})).toThrow(/needs ssl.keyStore.location/);
  }, 30_000);
});
