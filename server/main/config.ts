import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Limits } from "../util/limits.js";
import { parseConfigText } from "../util/server-line.js";
import { applyAuthKey } from "./auth-config.js";
import { ConfigError } from "./config-error.js";
import { applyDiskKey } from "./disk-config.js";
import { applyIdleGcKey } from "./idle-gc.js";
import { applyQuorumTlsKey } from "./quorum-tls.js";
import type { ServerConfig } from "./server-config.js";
import { parseServerSpec, resolveMembers, type ServerSpec } from "./server-spec.js";
import { applySslKey } from "./tls-stores.js";

export { ConfigError } from "./config-error.js";
export { defaultConfig, type ServerConfig } from "./server-config.js";
export type { ServerSpec } from "./server-spec.js";

export type Warn = (message: string) => void;

/** ZooKeeper reads these with Integer.parseInt: decimal digits only, at most 2^31-1. */
const INTEGER_MAX = 0x7fff_ffff;

function integer(key: string, value: string, min: number): number {
  // Number() alone took "", "0x10", "1e3" and 1e20 (an empty jute.maxbuffer became a limit of 0).
  const n = /^[+-]?\d{1,10}$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= min && n <= INTEGER_MAX)) {
    throw new ConfigError(`zoo.cfg: ${key}=${value} must be a decimal integer from ${min} to ${INTEGER_MAX}`);
  }
  return n;
}

function port(key: string, value: string): number {
  const n = integer(key, value, 0);
  if (n > 65535) throw new ConfigError(`zoo.cfg: ${key}=${value} must be a port from 0 to 65535`);
  return n;
}

const prometheusProviders = [
  "org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider",
  "PrometheusMetricsProvider",
];
const nullProviders = ["org.apache.zookeeper.metrics.impl.NullMetricsProvider", "NullMetricsProvider", ""];

/** metricsProvider.className: ZooKeeper's Prometheus provider turns /metrics on, its null one off. */
function metricsProviderEnabled(key: string, value: string): boolean {
  if (prometheusProviders.includes(value)) return true;
  if (nullProviders.includes(value)) return false;
  throw new ConfigError(
    `zoo.cfg: ${key}=${value}: Paddock serves ${prometheusProviders[0]} (Prometheus /metrics) or NullMetricsProvider`,
  );
}

function bool(key: string, value: string): boolean {
  const v = value.toLowerCase();
  if (v === "true" || v === "yes") return true;
  if (v === "false" || v === "no") return false;
  throw new ConfigError(`zoo.cfg: ${key}=${value} must be true or false`);
}

const limitKeys: Record<string, keyof Limits> = {
  "jute.maxbuffer": "requestBytesMax",
  maxClientCnxns: "connectionsPerAddressMax",
  maxCnxns: "connectionsMax",
  globalOutstandingLimit: "outstandingGlobalMax",
  "paddock.pathLengthMax": "pathLengthMax",
  "paddock.childrenPerReplyMax": "childrenPerReplyMax",
  "paddock.outstandingPerSessionMax": "outstandingPerSessionMax",
  "paddock.sessionsMax": "sessionsMax",
  "paddock.watchesPerSessionMax": "watchesPerSessionMax",
  "paddock.multiOpsMax": "multiOpsMax",
  "paddock.outboundBytesPerSessionMax": "outboundBytesPerSessionMax",
  "paddock.aclEntriesMax": "aclEntriesMax",
  "paddock.streamsMax": "streamsMax",
};

/** Applies one key=value, as zoo.cfg or `--set key=value`. Unknown keys warn and are ignored. */
export function applyKey(config: ServerConfig, key: string, value: string, base: string, warn: Warn): void {
  if (key.startsWith("server.")) {
    config.servers = config.servers
      .filter((s) => `server.${s.id}` !== key)
      .concat(parseServerSpec(key, value));
    return;
  }
  const limitKey = limitKeys[key];
  if (limitKey !== undefined) {
    config.limits[limitKey] = integer(key, value, 0);
    return;
  }
  switch (key) {
    case "tickTime":
      config.tickTime = integer(key, value, 1);
      return;
    case "initLimit":
      config.initLimit = integer(key, value, 1);
      return;
    case "syncLimit":
      config.syncLimit = integer(key, value, 1);
      return;
    case "dataDir":
      config.dataDir = resolve(base, value);
      return;
    case "dataLogDir":
      config.dataLogDir = resolve(base, value);
      return;
    case "clientPort":
      config.clientPort = integer(key, value, 0);
      return;
    case "clientPortAddress":
      config.clientPortAddress = value;
      return;
    case "secureClientPort":
      config.secureClientPort = integer(key, value, 0);
      return;
    case "secureClientPortAddress":
      config.secureClientPortAddress = value;
      return;
    case "clientPortListenBacklog":
      config.clientPortListenBacklog = integer(key, value, -1);
      return;
    case "minSessionTimeout":
      config.minSessionTimeout = integer(key, value, -1);
      return;
    case "maxSessionTimeout":
      config.maxSessionTimeout = integer(key, value, -1);
      return;
    case "snapCount":
      config.snapCount = integer(key, value, 2);
      return;
    case "autopurge.snapRetainCount":
      config.snapRetainCount = Math.max(3, integer(key, value, 0));
      return;
    case "autopurge.purgeInterval":
      config.purgeIntervalHours = integer(key, value, 0);
      return;
    case "preAllocSize":
      // zoo.cfg gives KiB, as ZooKeeper.
      config.preAllocSize = integer(key, value, 1) * 1024;
      return;
    case "forceSync":
      config.forceSync = bool(key, value);
      return;
    case "extendedTypesEnabled":
    case "zookeeper.extendedTypesEnabled":
      config.extendedTypesEnabled = bool(key, value);
      return;
    case "enforceQuota":
    case "zookeeper.enforceQuota":
      config.enforceQuota = bool(key, value);
      return;
    case "connection_throttle_tokens":
    case "zookeeper.connection_throttle_tokens":
      config.connectThrottle.tokens = integer(key, value, 0);
      return;
    case "connection_throttle_fill_time":
    case "zookeeper.connection_throttle_fill_time":
      config.connectThrottle.fillTimeMs = integer(key, value, 1);
      return;
    case "connection_throttle_fill_count":
    case "zookeeper.connection_throttle_fill_count":
      config.connectThrottle.fillCount = integer(key, value, 1);
      return;
    case "connection_throttle_freeze_time":
    case "connection_throttle_drop_increase":
    case "connection_throttle_drop_decrease":
    case "connection_throttle_decrease_ratio":
    case "connection_throttle_weight_enabled":
    case "connection_throttle_global_session_weight":
    case "connection_throttle_local_session_weight":
    case "connection_throttle_renew_session_weight":
      warn(
        `zoo.cfg: ${key} ignored: the connection throttle is a plain token bucket (no BLUE random drop, no weights)`,
      );
      return;
    case "localSessionsEnabled":
      config.localSessions.enabled = bool(key, value);
      return;
    case "localSessionsUpgradingEnabled":
      config.localSessions.upgrading = bool(key, value);
      return;
    case "superDigest":
    case "DigestAuthenticationProvider.superDigest":
    case "zookeeper.DigestAuthenticationProvider.superDigest":
      config.superDigest = value;
      return;
    case "znode.container.checkIntervalMs":
      config.containerCheckIntervalMs = integer(key, value, 1);
      return;
    case "paddock.serverId":
      config.serverId = integer(key, value, 0);
      config.serverIdExplicit = true;
      return;
    case "paddock.tracing.exporter":
      if (value !== "none" && value !== "console" && value !== "otlp") {
        throw new ConfigError(`zoo.cfg: ${key}=${value} must be none, console or otlp`);
      }
      config.tracingExporter = value;
      return;
    case "paddock.tracing.endpoint":
      config.tracingEndpoint = value;
      return;
    case "paddock.tracing.serviceName":
      if (value === "") throw new ConfigError(`zoo.cfg: ${key} must not be empty`);
      config.tracingServiceName = value;
      return;
    case "paddock.tracing.sampleRatio": {
      const ratio = Number(value);
      if (value.trim() === "" || !(ratio >= 0 && ratio <= 1))
        throw new ConfigError(`zoo.cfg: ${key}=${value} must be a number from 0 to 1`);
      config.tracingSampleRatio = ratio;
      return;
    }
    case "zookeeper.commitLogCount":
    case "commitLogCount":
      config.commitLogCount = integer(key, value, 1);
      return;
    case "diffHistorySize":
      // KiB, as preAllocSize.
      config.diffHistoryBytes = integer(key, value, 0) * 1024;
      return;
    case "watchHistorySize":
      // KiB, as diffHistorySize: the same kind of bound on a history of the same log.
      config.watchHistoryBytes = integer(key, value, 0) * 1024;
      return;
    case "watchStreamBufferSize":
      config.watchStreamBufferBytes = integer(key, value, 1) * 1024;
      return;
    case "dynamicConfigFile":
      config.dynamicConfigFile = resolve(base, value);
      return;
    case "peerType":
      if (value !== "observer" && value !== "participant") {
        throw new ConfigError(`zoo.cfg: ${key}=${value} must be observer or participant`);
      }
      config.peerTypeObserver = value === "observer";
      return;
    case "reconfigEnabled":
      config.reconfigEnabled = bool(key, value);
      return;
    case "standaloneEnabled":
      config.standaloneEnabled = bool(key, value);
      return;
    case "quorumListenOnAllIPs":
      // Accepted for compatibility: the quorum port binds where its server line says.
      return;
    case "4lw.commands.whitelist":
      config.fourLetterWordWhitelist = value;
      return;
    case "admin.serverPort":
      config.adminServer.port = port(key, value);
      config.portsSet.admin = true;
      return;
    case "admin.enableServer":
      config.adminServer.enabled = bool(key, value);
      return;
    case "admin.serverAddress":
      config.adminServer.address = value;
      return;
    case "admin.commandURL":
      if (!value.startsWith("/")) throw new ConfigError(`zoo.cfg: ${key}=${value} must start with /`);
      config.adminServer.commandUrl = value.replace(/\/+$/, "") || "/commands";
      return;
    case "admin.forceHttps":
      config.adminServer.forceHttps = bool(key, value);
      return;
    case "admin.portUnification":
      config.adminServer.portUnification = bool(key, value);
      return;
    case "admin.needClientAuth":
      config.adminServer.needClientAuth = bool(key, value);
      return;
    case "admin.idleTimeout":
      // Accepted for compatibility: the listener's own idle handling.
      return;
    case "metricsProvider.className":
      config.metrics.enabled = metricsProviderEnabled(key, value);
      return;
    case "metricsProvider.httpHost":
      config.metrics.host = value;
      return;
    case "metricsProvider.httpPort":
      config.metrics.port = port(key, value);
      config.portsSet.metrics = true;
      return;
    case "metricsProvider.exportJvmInfo":
    case "metricsProvider.numWorkerThreads":
    case "metricsProvider.maxQueueSize":
    case "metricsProvider.workerShutdownTimeoutMs":
      // Accepted for compatibility: Node's process figures are always exported.
      return;
    case "audit.enable":
    case "zookeeper.audit.enable":
      config.audit.enabled = bool(key, value);
      return;
    case "paddock.audit.file":
      config.audit.file = resolve(base, value);
      return;
    default:
      if (
        !applySslKey(config.ssl, key, value, base) &&
        !applyQuorumTlsKey(config.quorumTls, key, value, base) &&
        !applyAuthKey(config.auth, key, value, base) &&
        !applyDiskKey(config.disk, key, value) &&
        !applyIdleGcKey(config.idleGc, key, value)
      )
        warn(`zoo.cfg: unknown key ${key} ignored`);
  }
}

/** Parses zoo.cfg text (Java properties subset: key=value, # and ! comments). */
export function parseZooCfg(text: string, config: ServerConfig, base: string, warn: Warn): void {
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith("!")) continue;
    const eq = line.search(/[=:]/);
    if (eq <= 0) throw new ConfigError(`zoo.cfg: cannot parse line "${line}"`);
    applyKey(config, line.slice(0, eq).trim(), line.slice(eq + 1).trim(), base, warn);
  }
}

export function loadZooCfg(file: string, config: ServerConfig, warn: Warn): void {
  // With a zoo.cfg its keys decide, as in ZooKeeper: /metrics only with metricsProvider.className.
  config.metrics.enabled = false;
  parseZooCfg(readFileSync(file, "utf8"), config, dirname(resolve(file)), warn);
}

/** Fills what depends on other keys and checks the combination. */
export function finishConfig(config: ServerConfig): ServerConfig {
  if (config.dataLogDir === "") config.dataLogDir = config.dataDir;
  // Asked for any free client port (tests, launchers), a server takes any free admin and metrics
  // ports too unless they were set, and reports them in its ready file and log.
  if (config.clientPort === 0) {
    if (!config.portsSet.admin) config.adminServer.port = 0;
    if (!config.portsSet.metrics) config.metrics.port = 0;
  }
  if (config.minSessionTimeout < 0) config.minSessionTimeout = 2 * config.tickTime;
  if (config.maxSessionTimeout < 0) config.maxSessionTimeout = 20 * config.tickTime;
  if (config.minSessionTimeout > config.maxSessionTimeout) {
    throw new ConfigError(
      `minSessionTimeout ${config.minSessionTimeout} must not exceed maxSessionTimeout ${config.maxSessionTimeout}`,
    );
  }
  if (config.dynamicConfigFile !== undefined) config.servers = readDynamicServers(config.dynamicConfigFile);
  if (config.servers.length > 0) {
    config.servers.sort((a, b) => a.id - b.id);
    config.serverId = resolveMembers(
      config.servers,
      config.dataDir,
      config.serverIdExplicit ? config.serverId : undefined,
    );
    const self = config.servers.find((s) => s.id === config.serverId)!;
    if (config.peerTypeObserver && !self.observer) {
      throw new ConfigError(`zoo.cfg: peerType=observer but server.${self.id} is not marked :observer`);
    }
  }
  return config;
}

/** dynamicConfigFile's server lines (its version line is read again by replication at start). */
function readDynamicServers(file: string): ServerSpec[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError(`dynamicConfigFile ${file} cannot be read: ${(error as Error).message}`);
  }
  try {
    return parseConfigText(text).members;
  } catch (error) {
    throw new ConfigError(`dynamicConfigFile ${file}: ${(error as Error).message}`);
  }
}
