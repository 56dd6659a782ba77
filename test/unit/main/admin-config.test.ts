import { describe, expect, it } from "vitest";
import { ConfigError, defaultConfig, finishConfig, parseZooCfg } from "../../../server/main/config.js";
import { parseServerArgs } from "../../../server/main/server-command.js";

const parse = (text: string) => {
  const config = defaultConfig();
  // As loadZooCfg: a zoo.cfg decides whether /metrics is on.
  config.metrics.enabled = false;
  parseZooCfg(text, config, "/etc", () => {});
  return finishConfig(config);
};

describe("AdminServer, /metrics and audit keys", () => {
  it("with no zoo.cfg: the AdminServer on 8080 and /metrics on 7000, audit off", () => {
    const config = parseServerArgs(["--data-dir", "/tmp/x"], () => {});
    expect(config.adminServer).toEqual({
      enabled: true,
      address: "0.0.0.0",
      port: 8080,
      commandUrl: "/commands",
      forceHttps: false,
      portUnification: false,
      needClientAuth: false,
    });
    expect(config.metrics).toEqual({ enabled: true, host: "0.0.0.0", port: 7000 });
    expect(config.audit.enabled).toBe(false);
  });

  it("with a zoo.cfg: ZooKeeper's defaults (AdminServer on, metrics off) and keys", () => {
    const plain = parse("clientPort=2181");
    expect(plain.adminServer.enabled).toBe(true);
    expect(plain.metrics.enabled).toBe(false);
    const set = parse(
      [
        "admin.enableServer=false",
        "admin.serverAddress=127.0.0.1",
        "admin.serverPort=9090",
        "admin.commandURL=/zk/",
        "metricsProvider.className=org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider",
        "metricsProvider.httpHost=127.0.0.1",
        "metricsProvider.httpPort=7001",
        "audit.enable=true",
      ].join("\n"),
    );
    expect(set.adminServer).toEqual({
      enabled: false,
      address: "127.0.0.1",
      port: 9090,
      commandUrl: "/zk",
      forceHttps: false,
      portUnification: false,
      needClientAuth: false,
    });
    expect(set.metrics).toEqual({ enabled: true, host: "127.0.0.1", port: 7001 });
    expect(set.audit.enabled).toBe(true);
    expect(
      parse("metricsProvider.className=org.apache.zookeeper.metrics.impl.NullMetricsProvider").metrics
        .enabled,
    ).toBe(false);
    expect(() => parse("metricsProvider.className=com.example.Other")).toThrow(ConfigError);
    expect(() => parse("admin.serverPort=70000")).toThrow(/admin.serverPort=70000 must be a port/);
  });

  it("admin.forceHttps, admin.portUnification and admin.needClientAuth (ZooKeeper 3.9's keys)", () => {
    const https = parse(
      ["admin.forceHttps=true", "admin.portUnification=true", "admin.needClientAuth=true"].join("\n"),
    );
    expect(https.adminServer).toMatchObject({
      forceHttps: true,
      portUnification: true,
      needClientAuth: true,
    });
    expect(() => parse("admin.forceHttps=maybe")).toThrow(/admin.forceHttps=maybe must be true or false/);
  });

  it("a server on any free client port takes any free admin and metrics ports unless they are set", () => {
    const free = parseServerArgs(["--port", "0"], () => {});
    expect([free.adminServer.port, free.metrics.port]).toEqual([0, 0]);
    const pinned = parseServerArgs(["--port", "0", "--set", "admin.serverPort=8081"], () => {});
    expect([pinned.adminServer.port, pinned.metrics.port]).toEqual([8081, 0]);
  });
});
