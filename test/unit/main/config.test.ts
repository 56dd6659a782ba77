import { describe, expect, it } from "vitest";
import { ConfigError, defaultConfig, finishConfig, parseZooCfg } from "../../../server/main/config.js";
import { parseServerArgs } from "../../../server/main/server-command.js";

describe("zoo.cfg", () => {
  it("takes ZooKeeper's keys and meanings, and defaults as ZooKeeper", () => {
    const warnings: string[] = [];
    const config = defaultConfig();
    parseZooCfg(
      [
        "# comment",
        "tickTime=1000",
        "dataDir=/var/lib/zk",
        "clientPort=2182",
        "maxClientCnxns=10",
        "preAllocSize=1024",
        "jute.maxbuffer=2048",
        "autopurge.snapRetainCount=1",
        "zookeeper.unknownKey=1",
      ].join("\n"),
      config,
      "/etc",
      (m) => warnings.push(m),
    );
    finishConfig(config);
    expect(config.tickTime).toBe(1000);
    expect(config.minSessionTimeout).toBe(2000);
    expect(config.maxSessionTimeout).toBe(20000);
    expect(config.dataDir).toBe("/var/lib/zk");
    expect(config.clientPort).toBe(2182);
    expect(config.limits.connectionsPerAddressMax).toBe(10);
    expect(config.limits.requestBytesMax).toBe(2048);
    expect(config.preAllocSize).toBe(1024 * 1024);
    // ZooKeeper raises a retain count below 3 to 3.
    expect(config.snapRetainCount).toBe(3);
    expect(warnings).toEqual(["zoo.cfg: unknown key zookeeper.unknownKey ignored"]);
  });

  it("defaults follow ZooKeeper", () => {
    const config = finishConfig(defaultConfig());
    expect(config.clientPort).toBe(2181);
    expect(config.tickTime).toBe(2000);
    expect(config.limits.connectionsPerAddressMax).toBe(60);
    expect(config.limits.outstandingGlobalMax).toBe(1000);
    // jute.maxbuffer: ZooKeeper's default, 0xfffff.
    expect(config.limits.requestBytesMax).toBe(0xfffff);
    expect(config.fourLetterWordWhitelist).toBe("srvr");
  });

  it("enforceQuota: off by default, as ZooKeeper; on by its zoo.cfg key or its system-property name", () => {
    expect(finishConfig(defaultConfig()).enforceQuota).toBe(false);
    for (const key of ["enforceQuota", "zookeeper.enforceQuota"]) {
      const config = defaultConfig();
      parseZooCfg(`${key}=true`, config, "/", () => {});
      expect(config.enforceQuota).toBe(true);
    }
    expect(() => parseZooCfg("enforceQuota=maybe", defaultConfig(), "/", () => {})).toThrow(
      "enforceQuota=maybe",
    );
  });

  it("localSessionsEnabled and localSessionsUpgradingEnabled: off by default, as ZooKeeper's QuorumPeerConfig", () => {
    expect(finishConfig(defaultConfig()).localSessions).toEqual({ enabled: false, upgrading: false });
    const config = defaultConfig();
    parseZooCfg("localSessionsEnabled=true\nlocalSessionsUpgradingEnabled=true", config, "/", () => {});
    expect(config.localSessions).toEqual({ enabled: true, upgrading: true });
    expect(() => parseZooCfg("localSessionsEnabled=yes!", defaultConfig(), "/", () => {})).toThrow(
      "localSessionsEnabled=yes!",
    );
  });

  it("names the key and value it cannot use", () => {
    expect(() => parseZooCfg("tickTime=abc", defaultConfig(), "/", () => {})).toThrow("tickTime=abc");
    expect(() => parseZooCfg("forceSync=maybe", defaultConfig(), "/", () => {})).toThrow("forceSync=maybe");
    const c = defaultConfig();
    c.minSessionTimeout = 5000;
    c.maxSessionTimeout = 100;
    expect(() => finishConfig(c)).toThrow(/minSessionTimeout 5000/);
  });

  it("clientPortListenBacklog: -1 (unset, the default) or a count; below -1 refused naming the key", () => {
    const parse = (line: string) => {
      const config = defaultConfig();
      parseZooCfg(line, config, "/", () => {});
      return config;
    };
    expect(defaultConfig().clientPortListenBacklog).toBe(-1);
    expect(parse("clientPortListenBacklog=128").clientPortListenBacklog).toBe(128);
    expect(parse("clientPortListenBacklog=-1").clientPortListenBacklog).toBe(-1);
    expect(() => parse("clientPortListenBacklog=-2")).toThrow(
      "zoo.cfg: clientPortListenBacklog=-2 must be a decimal integer from -1 to 2147483647",
    );
  });

  it("takes decimal integers only, up to 2^31-1, and throws ConfigError naming key and rule (found by fuzzing)", () => {
    const parse = (line: string) => parseZooCfg(line, defaultConfig(), "/", () => {});
    // Number() took all of these: an empty jute.maxbuffer was a request limit of 0, and
    // preAllocSize=1e60 (KiB) a file size no number holds exactly.
    for (const line of [
      "jute.maxbuffer=",
      "clientPort=0x50",
      "tickTime=1e3",
      "tickTime=1.0",
      "preAllocSize=1e60",
    ]) {
      expect(() => parse(line), line).toThrow(ConfigError);
    }
    expect(() => parse("tickTime=2147483648")).toThrow(
      "zoo.cfg: tickTime=2147483648 must be a decimal integer from 1 to 2147483647",
    );
    expect(() => parse("server.1=h:1")).toThrow(ConfigError);
    const config = defaultConfig();
    parseZooCfg("tickTime=+2147483647\npreAllocSize=2147483647", config, "/", () => {});
    expect(config.tickTime).toBe(2147483647);
    expect(config.preAllocSize).toBe(2147483647 * 1024);
  });

  it("flags override the file, --set takes any key", () => {
    const config = parseServerArgs(["--port", "0", "--set", "tickTime=50", "--data-dir", "/tmp/x"], () => {});
    expect(config.clientPort).toBe(0);
    expect(config.tickTime).toBe(50);
    expect(config.dataLogDir).toBe("/tmp/x");
    expect(() => parseServerArgs(["--bogus"], () => {})).toThrow(/unknown argument --bogus/);
  });
});
