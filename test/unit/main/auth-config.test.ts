import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { jaasSectionOptions, loadSaslUsers } from "../../../server/main/auth-config.js";
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
