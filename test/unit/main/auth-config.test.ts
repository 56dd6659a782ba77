import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { enforcedAuthSchemes, jaasSectionOptions, loadSaslUsers } from "../../../server/main/auth-config.js";
import { ConfigError, defaultConfig, parseZooCfg } from "../../../server/main/config.js";

const JAAS = `
/* both sections, as ZooKeeper's docs write them */
Server {
  org.apache.zookeeper.server.auth.DigestLoginModule required
  user_super="adminsecret"
  user_bob="bob\\"pw";   // a quote in a password
};
Client {
  org.apache.zookeeper.server.auth.DigestLoginModule required
  username="bob" password=bare;
};
`;

describe("enforce.auth.* and sessionRequireClientSASLAuth", () => {
  const schemes = (lines: string[]): readonly string[] | undefined => {
    const config = defaultConfig();
    parseZooCfg(lines.join("\n"), config, "/", () => {});
    return enforcedAuthSchemes(config.auth);
  };

  it("off unless enabled (Java's parseBoolean: only true is true); schemes trimmed; the zookeeper. prefix", () => {
    expect(schemes([])).toBeUndefined();
    expect(schemes(["enforce.auth.enabled=yes", "enforce.auth.schemes=digest"])).toBeUndefined();
    expect(schemes(["enforce.auth.enabled=TRUE", "enforce.auth.schemes= digest, sasl ,"])).toEqual([
      "digest",
      "sasl",
    ]);
    expect(schemes(["zookeeper.enforce.auth.enabled=true", "zookeeper.enforce.auth.schemes=x509"])).toEqual([
      "x509",
    ]);
  });

  it("sessionRequireClientSASLAuth=true means sasl, whatever enforce.auth.* say", () => {
    expect(schemes(["sessionRequireClientSASLAuth=true", "enforce.auth.schemes=digest"])).toEqual(["sasl"]);
    expect(schemes(["zookeeper.sessionRequireClientSASLAuth=true"])).toEqual(["sasl"]);
  });

  it("enabled without schemes, or with a scheme this server lacks, stops startup naming the key", () => {
    expect(() => schemes(["enforce.auth.enabled=true"])).toThrow(
      /enforce.auth.enabled is true: enforce.auth.schemes must name at least one scheme/,
    );
    expect(() => schemes(["enforce.auth.enabled=true", "enforce.auth.schemes=digest,kerberos"])).toThrow(
      /authentication scheme kerberos is not available \(ip, digest, sasl, x509\)/,
    );
  });
});

describe("auth keys of zoo.cfg and the JAAS file", () => {
  it("skipACL, superUser, the JAAS file (relative to zoo.cfg) and section; superDigest in every form", () => {
    const dir = mkdtempSync(join(tmpdir(), "paddock-jaas-"));
    writeFileSync(join(dir, "jaas.conf"), JAAS);
    const warnings: string[] = [];
    for (const key of [
      "superDigest",
      "DigestAuthenticationProvider.superDigest",
      "zookeeper.DigestAuthenticationProvider.superDigest",
    ]) {
      const config = defaultConfig();
      parseZooCfg(`${key}=super:abc=`, config, dir, (w) => warnings.push(w));
      expect(config.superDigest).toBe("super:abc=");
    }
    const config = defaultConfig();
    parseZooCfg(
      [
        "skipACL=yes",
        "java.security.auth.login.config=jaas.conf",
        "superUser=bob",
        "zookeeper.superUser.2=alice",
      ].join("\n"),
      config,
      dir,
      (w) => warnings.push(w),
    );
    expect(warnings).toEqual([]);
    expect(config.auth).toEqual({
      skipAcl: true,
      jaasFile: join(dir, "jaas.conf"),
      jaasSection: "Server",
      saslSuperUsers: ["bob", "alice"],
      allowSaslFailedClients: false,
      enforce: { enabled: false, schemes: [], requireSasl: false },
    });
    const users = loadSaslUsers(config.auth)!;
    expect([...users.passwords]).toEqual([
      ["super", "adminsecret"],
      ["bob", 'bob"pw'],
    ]);
    expect(users.superUsers).toEqual(["bob", "alice"]);
    // As ZooKeeper: only "yes" turns ACL checks off.
    const other = defaultConfig();
    parseZooCfg(
      "zookeeper.skipACL=true\nzookeeper.sasl.serverconfig=Client\nauthProvider.1=org.apache.zookeeper.server.auth.SASLAuthenticationProvider",
      other,
      dir,
      (w) => warnings.push(w),
    );
    expect(warnings).toEqual([]);
    expect(other.auth.skipAcl).toBe(false);
    expect(other.auth.jaasSection).toBe("Client");
    expect(loadSaslUsers(defaultConfig().auth)).toBeUndefined();
  });

  it("names the file and section that cannot be used", () => {
    expect(() => jaasSectionOptions(JAAS, "Missing", "f.conf")).toThrow(
      /f.conf: no JAAS section named Missing/,
    );
    expect(() => jaasSectionOptions("Server { m required a=", "Server", "f.conf")).toThrow(ConfigError);
    expect(jaasSectionOptions(JAAS, "Client", "f.conf")).toEqual(
      new Map([
        ["username", "bob"],
        ["password", "bare"],
      ]),
    );
    const missing = defaultConfig().auth;
    missing.jaasFile = "/nonexistent/jaas.conf";
    expect(() => loadSaslUsers(missing)).toThrow(/cannot read \/nonexistent\/jaas.conf/);
  });
});
