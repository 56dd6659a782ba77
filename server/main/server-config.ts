import { resolve } from "node:path";
import { defaultLimits, type Limits } from "../util/limits.js";
import { type AuthConfig, defaultAuthConfig } from "./auth-config.js";
import { type DiskConfig, defaultDiskConfig } from "./disk-config.js";
import { defaultIdleGcConfig, type IdleGcConfig } from "./idle-gc.js";
import { defaultQuorumTlsConfig, type QuorumTlsConfig } from "./quorum-tls.js";
import type { ServerSpec } from "./server-spec.js";
import { defaultSslConfig, type SslConfig } from "./tls-stores.js";

/** Everything a server process is configured with; zoo.cfg keys keep ZooKeeper's meaning. */
export interface ServerConfig {
  tickTime: number;
  initLimit: number;
  syncLimit: number;
  dataDir: string;
  dataLogDir: string;
  clientPort: number;
  clientPortAddress: string;
  /** secureClientPort: TLS for both protocols (docs/SECURITY.md); undefined for none. */
  secureClientPort: number | undefined;
  /** secureClientPortAddress; undefined: the clientPortAddress. */
  secureClientPortAddress: string | undefined;
  /**
   * clientPortListenBacklog: connections the kernel queues for both client ports before they are
   * accepted (capped by net.core.somaxconn); -1 (unset) is LISTEN_BACKLOG_DEFAULT.
   */
  clientPortListenBacklog: number;
  /** ssl.* keys (stores, clientAuth) and the x509 super user. */
  ssl: SslConfig;
  /** sslQuorum, sslQuorumReloadCertFiles and the ssl.quorum.* stores (docs/SECURITY.md). */
  quorumTls: QuorumTlsConfig;
  minSessionTimeout: number;
  maxSessionTimeout: number;
  snapCount: number;
  snapRetainCount: number;
  purgeIntervalHours: number;
  /** The free-space floor of dataDir and dataLogDir, and fsync.warningthresholdms (disk-config.ts). */
  disk: DiskConfig;
  /** paddock.idleGcAfterMs and paddock.idleGcGrowthBytesMin: a full GC once idle after growth (idle-gc.ts). */
  idleGc: IdleGcConfig;
  preAllocSize: number;
  forceSync: boolean;
  extendedTypesEnabled: boolean;
  /** enforceQuota: refuse writes past a hard quota limit (README "Quotas" says why it is off). */
  enforceQuota: boolean;
  /** zookeeper.connection_throttle_tokens, _fill_time, _fill_count: ConnectRequests per unit of time. */
  connectThrottle: { tokens: number; fillTimeMs: number; fillCount: number };
  /** localSessionsEnabled and localSessionsUpgradingEnabled: ZooKeeper's local sessions, off by default. */
  localSessions: { enabled: boolean; upgrading: boolean };
  superDigest: string | undefined;
  /** skipACL, the SASL users' JAAS file and SASL super users (docs/SECURITY.md). */
  auth: AuthConfig;
  containerCheckIntervalMs: number;
  serverId: number;
  /** Set by paddock.serverId; otherwise an ensemble member reads dataDir/myid. */
  serverIdExplicit: boolean;
  /** The ensemble's members (server.N lines); empty for a standalone server. */
  servers: ServerSpec[];
  /** Committed entries a leader keeps in memory to DIFF a learner (ZooKeeper's commitLogCount). */
  commitLogCount: number;
  /** Bytes of recent log records kept compact for DIFF beyond commitLogCount; 0 for none. */
  diffHistoryBytes: number;
  /** Bytes of recent committed changes each member keeps for resumable watch streams. */
  watchHistoryBytes: number;
  /** Bytes a watch stream may have sent and not yet taken by its client before it is cut. */
  watchStreamBufferBytes: number;
  /** peerType=observer: this member observes (its server.N line must say so too). */
  peerTypeObserver: boolean;
  /**
   * dynamicConfigFile: the members' `server.N` lines (read at start, as ZooKeeper 3.5+) and where
   * every committed reconfig is written; default `<dataDir>/zoo.cfg.dynamic`.
   */
  dynamicConfigFile: string | undefined;
  /** reconfigEnabled: clients may change the ensemble's members (reconfig); off by default, as ZooKeeper. */
  reconfigEnabled: boolean;
  /** standaloneEnabled: one voter runs as ZooKeeper's standalone server (no reconfig); on by default. */
  standaloneEnabled: boolean;
  tracingExporter: "none" | "console" | "otlp";
  tracingEndpoint: string | undefined;
  /** The spans' `service.name` (paddock.tracing.serviceName); `paddock.member.id` is serverId. */
  tracingServiceName: string;
  /** paddock.tracing.sampleRatio: the share of new traces recorded (a sampled parent is always followed). */
  tracingSampleRatio: number;
  /** ZooKeeper's AdminServer over HTTP (admin.* keys); on by default, as in ZooKeeper 3.8. */
  adminServer: {
    enabled: boolean;
    address: string;
    port: number;
    commandUrl: string;
    /** admin.forceHttps: HTTPS only (ZooKeeper 3.9's key; docs/SECURITY.md "Admin endpoints"). */
    forceHttps: boolean;
    /** admin.portUnification: HTTP and HTTPS on the one port, told apart by the first byte. */
    portUnification: boolean;
    /** admin.needClientAuth: HTTPS requires a client certificate the trust store verifies. */
    needClientAuth: boolean;
  };
  /**
   * Prometheus /metrics (metricsProvider.* keys). On at 7000 with no zoo.cfg; a zoo.cfg turns it
   * on only with metricsProvider.className, as ZooKeeper.
   */
  metrics: { enabled: boolean; host: string; port: number };
  /** Ports set explicitly (zoo.cfg or --set): with clientPort 0 the others default to 0 too. */
  portsSet: { admin: boolean; metrics: boolean };
  /** ZooKeeper's audit log (audit.enable); paddock.audit.file names its file, else the server log. */
  audit: { enabled: boolean; file: string | undefined };
  /** 4lw.commands.whitelist: the four-letter words answered on the client port. */
  fourLetterWordWhitelist: string;
  limits: Limits;
  /** Start even when the log is damaged before its tail, truncating at the damage (operator's choice). */
  truncateAtDamage: boolean;
  /** Where to write {"port","pid"} once serving (tests and scripts wait on it). */
  readyFile: string | undefined;
}

export function defaultConfig(): ServerConfig {
  return {
    tickTime: 2000,
    initLimit: 10,
    syncLimit: 5,
    dataDir: resolve("data"),
    // Empty: the same as dataDir (ZooKeeper's default), filled in by finishConfig.
    dataLogDir: "",
    clientPort: 2181,
    clientPortAddress: "0.0.0.0",
    secureClientPort: undefined,
    secureClientPortAddress: undefined,
    clientPortListenBacklog: -1,
    ssl: defaultSslConfig(),
    quorumTls: defaultQuorumTlsConfig(),
    minSessionTimeout: -1,
    maxSessionTimeout: -1,
    snapCount: 100_000,
    snapRetainCount: 3,
    // On, unlike ZooKeeper (0): a full disk is its users' most common outage (docs/OPERATIONS.md).
    purgeIntervalHours: 1,
    disk: defaultDiskConfig(),
    idleGc: defaultIdleGcConfig(),
    preAllocSize: 64 * 1024 * 1024,
    forceSync: true,
    extendedTypesEnabled: false,
    enforceQuota: false,
    localSessions: { enabled: false, upgrading: false },
    // ZooKeeper's defaults: no throttle (0 tokens), one token a millisecond once set.
    connectThrottle: { tokens: 0, fillTimeMs: 1, fillCount: 1 },
    superDigest: undefined,
    auth: defaultAuthConfig(),
    containerCheckIntervalMs: 60_000,
    serverId: 1,
    serverIdExplicit: false,
    servers: [],
    peerTypeObserver: false,
    dynamicConfigFile: undefined,
    reconfigEnabled: false,
    standaloneEnabled: true,
    commitLogCount: 500,
    diffHistoryBytes: 4 * 1024 * 1024,
    watchHistoryBytes: 4 * 1024 * 1024,
    watchStreamBufferBytes: 1024 * 1024,
    tracingExporter: "none",
    tracingEndpoint: undefined,
    tracingServiceName: "paddock",
    tracingSampleRatio: 1,
    adminServer: {
      enabled: true,
      address: "0.0.0.0",
      port: 8080,
      commandUrl: "/commands",
      forceHttps: false,
      portUnification: false,
      needClientAuth: false,
    },
    metrics: { enabled: true, host: "0.0.0.0", port: 7000 },
    portsSet: { admin: false, metrics: false },
    audit: { enabled: false, file: undefined },
    fourLetterWordWhitelist: "srvr",
    limits: { ...defaultLimits },
    truncateAtDamage: false,
    readyFile: undefined,
  };
}
