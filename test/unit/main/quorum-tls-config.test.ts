import { copyFileSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultConfig, parseZooCfg } from "../../../server/main/config.js";
import { defaultQuorumTlsConfig, quorumCredentials } from "../../../server/main/quorum-tls.js";
import { defaultSslConfig } from "../../../server/main/tls-stores.js";
import { makeTestPki } from "../../support/tls-certs.js";
import { waitUntil } from "../../support/wait.js";

describe("zoo.cfg sslQuorum keys", () => {
  it("takes sslQuorum and ssl.quorum.* with or without the zookeeper. prefix", () => {
    const warnings: string[] = [];
    const config = defaultConfig();
    expect(config.quorumTls).toEqual(defaultQuorumTlsConfig());
    parseZooCfg(
      [
        "sslQuorum=true",
        "sslQuorumReloadCertFiles=true",
        "ssl.quorum.hostnameVerification=false",
        "ssl.quorum.keyStore.location=tls/member.p12",
        "zookeeper.ssl.quorum.keyStore.password=secret",
        "ssl.quorum.keyStore.type=PKCS12",
        "ssl.quorum.trustStore.location=/etc/tls/ca.pem",
        "ssl.quorum.trustStore.type=PEM",
        "ssl.quorum.clientAuth=need",
      ].join("\n"),
      config,
      "/etc/zk",
      (m) => warnings.push(m),
    );
    expect(warnings).toEqual([]);
    expect(config.quorumTls).toEqual({
      enabled: true,
      reloadCertFiles: true,
      hostnameVerification: false,
      stores: {
        ...defaultSslConfig(),
        keyStoreLocation: "/etc/zk/tls/member.p12",
        keyStorePassword: "secret",
        keyStoreType: "PKCS12",
        trustStoreLocation: "/etc/tls/ca.pem",
        trustStoreType: "PEM",
      },
    });
    // The client port's stores are untouched.
    expect(config.ssl).toEqual(defaultSslConfig());
  });

  it("refuses a non-boolean flag and a quorum clientAuth other than need", () => {
    const parse = (line: string) => () => parseZooCfg(line, defaultConfig(), "/", () => {});
    expect(parse("sslQuorum=maybe")).toThrow(/sslQuorum=maybe must be true or false/);
    expect(parse("ssl.quorum.clientAuth=want")).toThrow(/always present and verify/);
  });

  it("names the ssl.quorum key of a store that cannot be used", () => {
    const pki = makeTestPki();
    const config = defaultQuorumTlsConfig();
    expect(() => quorumCredentials(config, () => {})).toThrow("sslQuorum needs ssl.quorum.keyStore.location");
    const jks = join(pki.dir, "member.jks");
    writeFileSync(jks, Buffer.from([0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2]));
    config.stores.keyStoreLocation = jks;
    expect(() => quorumCredentials(config, () => {})).toThrow(
      /ssl\.quorum\.keyStore\.location: .* is a JKS store/,
    );
    config.stores.keyStoreLocation = pki.serverP12;
    config.stores.keyStorePassword = "wrong";
    expect(() => quorumCredentials(config, () => {})).toThrow(/^ssl\.quorum\.keyStore\.location /);
    config.stores.keyStorePassword = pki.password;
    config.stores.trustStoreLocation = pki.trustP12;
    config.stores.trustStorePassword = pki.password;
    const credentials = quorumCredentials(config, () => {});
    expect(credentials.server._isSecure()).toBe(true);
    credentials.close();
  });

  it("with sslQuorumReloadCertFiles, gives new streams the key store written over the old one", async () => {
    const pki = makeTestPki();
    const next = pki.server("member-next", "/O=Paddock/CN=member-next");
    const store = join(pki.dir, "member.pem");
    copyFileSync(pki.serverPem, store);
    const config = defaultQuorumTlsConfig();
    Object.assign(config, { enabled: true, reloadCertFiles: true });
    Object.assign(config.stores, { keyStoreLocation: store, trustStoreLocation: pki.caCert });
    const logs: string[] = [];
    const credentials = quorumCredentials(config, (_level, message) => logs.push(message));
    try {
      const before = credentials.server._getSecureContextOptions()?.cert;
      expect(before).toContain("BEGIN CERTIFICATE");
      writeFileSync(`${store}.tmp`, readFileSync(next.pem));
      renameSync(`${store}.tmp`, store);
      await waitUntil("the reload", () => logs.some((m) => m.includes("sslQuorum: reloaded")));
      expect(credentials.server._getSecureContextOptions()?.cert).not.toEqual(before);
      expect(credentials.server._getSecureContextOptions()?.cert).toContain(
        readFileSync(next.cert, "utf8").trim(),
      );
    } finally {
      credentials.close();
    }
  });
});
