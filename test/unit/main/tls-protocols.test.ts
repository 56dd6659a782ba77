import { describe, expect, it } from "vitest";
import { applyQuorumTlsKey, defaultQuorumTlsConfig } from "../../../server/main/quorum-tls.js";
import {
  openSslName,
  tlsProtocolOptions,
  zookeeperDefaultSuites,
} from "../../../server/main/tls-protocols.js";
import { applySslKey, defaultSslConfig } from "../../../server/main/tls-stores.js";

// The mapping from ZooKeeper's (Java's) TLS keys to Node's options. What a handshake then does is
// pinned against ZooKeeper 3.8 and 3.9.5 in test/clients/zk/tls-protocols.test.ts.

describe("ssl.protocol, ssl.enabledProtocols, ssl.ciphersuites", () => {
  it("spells every default suite as OpenSSL does, TLS 1.3 suites unchanged", () => {
    expect(zookeeperDefaultSuites.map((s) => openSslName("k", s))).toEqual([
      "TLS_AES_256_GCM_SHA384",
      "TLS_AES_128_GCM_SHA256",
      "TLS_CHACHA20_POLY1305_SHA256",
      "ECDHE-ECDSA-AES128-GCM-SHA256",
      "ECDHE-RSA-AES128-GCM-SHA256",
      "ECDHE-ECDSA-AES256-GCM-SHA384",
      "ECDHE-RSA-AES256-GCM-SHA384",
      "ECDHE-ECDSA-AES128-SHA256",
      "ECDHE-RSA-AES128-SHA256",
      "ECDHE-ECDSA-AES128-SHA",
      "ECDHE-RSA-AES128-SHA",
      "ECDHE-ECDSA-AES256-SHA384",
      "ECDHE-RSA-AES256-SHA384",
      "ECDHE-ECDSA-AES256-SHA",
      "ECDHE-RSA-AES256-SHA",
    ]);
    expect(openSslName("k", "TLS_RSA_WITH_AES_128_GCM_SHA256")).toBe("AES128-GCM-SHA256");
    expect(openSslName("k", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256")).toBe(
      "ECDHE-RSA-CHACHA20-POLY1305",
    );
  });

  it("offers TLS 1.2 and 1.3 by default, one version for ssl.protocol, the range of ssl.enabledProtocols", () => {
    const ssl = defaultSslConfig();
    expect(tlsProtocolOptions(ssl.tls, "ssl")).toMatchObject({
      minVersion: "TLSv1.2",
      maxVersion: "TLSv1.3",
    });
    applySslKey(ssl, "zookeeper.ssl.protocol", "TLSv1.2", "/");
    expect(tlsProtocolOptions(ssl.tls, "ssl")).toMatchObject({
      minVersion: "TLSv1.2",
      maxVersion: "TLSv1.2",
    });
    applySslKey(ssl, "ssl.enabledProtocols", "TLSv1.3, TLSv1.2", "/");
    expect(tlsProtocolOptions(ssl.tls, "ssl")).toMatchObject({
      minVersion: "TLSv1.2",
      maxVersion: "TLSv1.3",
    });
  });

  it("leaves TLS 1.3 out when no TLS 1.3 suite is listed, and refuses a 1.3-only port without one", () => {
    const ssl = defaultSslConfig();
    applySslKey(ssl, "ssl.ciphersuites", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "/");
    expect(tlsProtocolOptions(ssl.tls, "ssl")).toEqual({
      minVersion: "TLSv1.2",
      maxVersion: "TLSv1.2",
      ciphers: "ECDHE-RSA-AES128-GCM-SHA256",
    });
    applySslKey(ssl, "ssl.enabledProtocols", "TLSv1.3", "/");
    expect(() => tlsProtocolOptions(ssl.tls, "ssl")).toThrow(
      "ssl.enabledProtocols=TLSv1.3 needs a TLS 1.3 suite in ssl.ciphersuites",
    );
  });

  it("refuses an old version, an empty list and an unknown suite, naming the key", () => {
    const ssl = defaultSslConfig();
    expect(() => applySslKey(ssl, "ssl.enabledProtocols", "TLSv1.2,TLSv1", "/")).toThrow(
      /ssl\.enabledProtocols=TLSv1\.2,TLSv1: TLSv1 is not offered/,
    );
    expect(() => applySslKey(ssl, "ssl.protocol", "SSLv3", "/")).toThrow(/ssl\.protocol=SSLv3/);
    expect(() => applySslKey(ssl, "ssl.ciphersuites", " , ", "/")).toThrow(
      "zoo.cfg: ssl.ciphersuites is empty",
    );
    expect(() => applySslKey(ssl, "ssl.ciphersuites", "TLS_RSA_WITH_RC4_128_MD5", "/")).toThrow(
      "zoo.cfg: ssl.ciphersuites: cipher suite TLS_RSA_WITH_RC4_128_MD5 is not known to this server's OpenSSL",
    );
    expect(ssl.tls).toEqual({ protocol: undefined, enabledProtocols: undefined, cipherSuites: undefined });
  });

  it("takes the ssl.quorum.* twins for the links between members", () => {
    const quorum = defaultQuorumTlsConfig();
    expect(applyQuorumTlsKey(quorum, "ssl.quorum.enabledProtocols", "TLSv1.3", "/")).toBe(true);
    expect(
      applyQuorumTlsKey(quorum, "zookeeper.ssl.quorum.ciphersuites", "TLS_AES_128_GCM_SHA256", "/"),
    ).toBe(true);
    expect(tlsProtocolOptions(quorum.stores.tls, "ssl.quorum")).toEqual({
      minVersion: "TLSv1.3",
      maxVersion: "TLSv1.3",
      ciphers: "TLS_AES_128_GCM_SHA256",
    });
  });
});
