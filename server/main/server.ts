import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { Server, ServerCredentials } from "@grpc/grpc-js";
import type { SpanExporter } from "@opentelemetry/sdk-trace-base";
import { asyncScheduler } from "rxjs";
import { adminCommandsHandler, metricsHandler } from "../admin/admin-http.js";
import { adminServiceHandlers } from "../admin/admin-service.js";
import { type AdminContext, runCommand } from "../admin/commands.js";
import { MetricHistory } from "../admin/console-figures.js";
import { consoleHandler } from "../admin/console-http.js";
import { ConsoleSessions } from "../admin/console-sessions.js";
import { type HttpListener, HttpRouter, listenHttp } from "../admin/http-server.js";
import { buildMetrics } from "../admin/metrics.js";
import { addHealth, addReflection, servedServices } from "../admin/reflection.js";
import type { ServerFigures } from "../admin/server-figures.js";
import { dataServiceHandlers } from "../api/data-service.js";
import { certificateIds } from "../api/peer-identity.js";
import { sessionServiceDefinition, sessionServiceHandlers } from "../api/session-service.js";
import { StreamSlots } from "../api/stream-slots.js";
import { watchServiceDefinition, watchServiceHandlers } from "../api/watch-service.js";
import { AdminServiceService } from "../gen/paddock/v1/admin.js";
import { DataServiceService } from "../gen/paddock/v1/data.js";
import { parseWhitelist } from "../jute/four-letter-words.js";
import { type JuteDoorOptions, serveJute } from "../jute/jute-door.js";
import { Pipeline } from "../pipeline/pipeline.js";
import type { ReconfigOptions } from "../pipeline/reconfig-prep.js";
import { SessionIdGenerator, SessionTable } from "../sessions/index.js";
import { type AuthId, digestId } from "../tree/data-tree.js";
import { Prep } from "../tree/prep.js";
import { Code } from "../util/error-code.js";
import { PaddockError } from "../util/paddock-error.js";
import { WatchRegistry } from "../watches/watch-registry.js";
import { adminHttps, listenAdminServer } from "./admin-https.js";
import { auditServerLine, openAuditSink } from "./audit-sink.js";
import { enforcedAuthSchemes, loadSaslUsers } from "./auth-config.js";
import { type ClientPort, listenClientPort } from "./client-port.js";
import type { ServerConfig } from "./config.js";
import { startDiskWatch } from "./disk-watch.js";
import { openDurableState, Snapshotter } from "./durability.js";
import { startIdleGc } from "./idle-gc.js";
import { buildReplication } from "./replication.js";
import { startSecureClientPort } from "./secure-client-port.js";
import { setupTracing } from "./tracing-setup.js";
import { zookeeperConfigText } from "./zookeeper-config.js";

export const VERSION = "0.1.0";

export interface RunningServer {
  readonly port: number;
  readonly pipeline: Pipeline;
  stop(): Promise<void>;
}

export type Log = (level: "info" | "warn" | "error", message: string) => void;

/** The composition root: the one place that builds clocks, files and sockets and wires them. */
export interface ServerOverrides {
  /** Tests capture spans in memory instead of exporting them. */
  readonly spanExporter?: SpanExporter;
}

/**
 * zoo.cfg's reconfig keys. As ZooKeeper (QuorumPeerConfig.isDistributed), a server runs standalone,
 * where reconfig is Unimplemented, without server lines or with one voter and standaloneEnabled.
 */
function reconfigOptions(config: ServerConfig): ReconfigOptions {
  const voters = config.servers.filter((s) => !s.observer).length;
  return {
    enabled: config.reconfigEnabled,
    standalone: config.servers.length === 0 || (config.standaloneEnabled && voters <= 1),
    standaloneEnabled: config.standaloneEnabled,
  };
}

export async function startServer(
  config: ServerConfig,
  log: Log,
  overrides: ServerOverrides = {},
): Promise<RunningServer> {
  const limits = config.limits;
  // A JAAS file that cannot be read stops startup before anything is opened.
  const saslUsers = loadSaslUsers(config.auth);
  // So does enforce.auth.enabled without a scheme it can check.
  const enforceAuthSchemes = enforcedAuthSchemes(config.auth);
  if (enforceAuthSchemes !== undefined)
    log("info", `authentication enforced: ${enforceAuthSchemes.join(", ")}`);
  // So do AdminServer HTTPS stores (admin.forceHttps, admin.portUnification) that cannot be read.
  const adminTls = config.adminServer.enabled ? adminHttps(config) : undefined;
  const sessions = new SessionTable({
    tickMs: config.tickTime,
    minTimeoutMs: config.minSessionTimeout,
    maxTimeoutMs: config.maxSessionTimeout,
    sessionsMax: limits.sessionsMax,
  });
  const durable = await openDurableState(config, sessions, log);
  const diskWatch = startDiskWatch(config, log);
  const tree = durable.tree;
  const snapshotter = new Snapshotter(config, tree, sessions, log);
  if (durable.needsSnapshot) await snapshotter.take();
  let health: ReturnType<typeof addHealth> | undefined;
  const setHealth = (status: "SERVING" | "NOT_SERVING"): void => {
    for (const name of ["", ...servedServices]) health?.setStatus(name, status);
  };
  const prep = new Prep(tree, {
    limits,
    extendedTypesEnabled: config.extendedTypesEnabled,
    superDigest: config.superDigest,
    skipAcl: config.auth.skipAcl,
    enforceQuota: config.enforceQuota,
    warn: (message) => log("warn", message),
  });
  const watches = new WatchRegistry({ watchesPerSessionMax: limits.watchesPerSessionMax });
  const proposalsInFlightMax = Math.max(1000, limits.outstandingGlobalMax * 2);
  const replication = buildReplication(config, durable, sessions, log);
  let storageFailed = false;
  const tracing = setupTracing(config.tracingExporter, config.tracingEndpoint, overrides.spanExporter, {
    serviceName: config.tracingServiceName,
    memberId: config.serverId,
    sampleRatio: config.tracingSampleRatio,
  });
  const authenticate = (scheme: string, auth: Uint8Array): AuthId[] => {
    if (scheme !== "digest") {
      throw new PaddockError(Code.AuthFailed, "", `unknown auth scheme ${scheme}: only digest is supported`);
    }
    const text = new TextDecoder().decode(auth);
    const colon = text.indexOf(":");
    if (colon < 0) throw new PaddockError(Code.AuthFailed, "", "digest auth must be user:password");
    const id = digestId(text.slice(0, colon), text.slice(colon + 1));
    // As ZooKeeper's DigestAuthenticationProvider: the superDigest's user also holds super.
    const digest = { scheme: "digest", id };
    return id === config.superDigest ? [{ scheme: "super", id: "" }, digest] : [digest];
  };
  const idGenerator = new SessionIdGenerator(config.serverId, Date.now());
  const audit = config.audit.enabled ? openAuditSink(config.audit.file, log) : undefined;
  const pipeline = new Pipeline(
    {
      tree,
      prep,
      sessions,
      watches,
      replica: replication.replica,
      clock: Date.now,
      monotonicMs: () => performance.now(),
      ...(audit === undefined ? {} : { audit: audit.write }),
      scheduler: asyncScheduler,
      tracer: tracing.tracer,
      authenticate,
      nextSessionId: () => idGenerator.next(),
      randomBytes: (size) => randomBytes(size),
      log,
      afterApply: (count) => snapshotter.applied(count),
      writesRefused: () => diskWatch.floor.refusal,
      storageFailed: () => {
        storageFailed = true;
        setHealth("NOT_SERVING");
      },
      servingChanged: (serving) => {
        if (storageFailed) return;
        setHealth(serving ? "SERVING" : "NOT_SERVING");
      },
    },
    {
      limits,
      tickMs: config.tickTime,
      containerCheckMs: config.containerCheckIntervalMs,
      proposalsInFlightMax,
      zookeeperConfig: Buffer.from(zookeeperConfigText(config.servers)),
      ...localSessionOptions(config, log),
      ...(enforceAuthSchemes === undefined ? {} : { enforceAuthSchemes }),
      watchHistoryBytes: config.watchHistoryBytes,
      watchStreamBufferBytes: config.watchStreamBufferBytes,
      reconfig: reconfigOptions(config),
    },
    {
      connectionsPerAddressMax: limits.connectionsPerAddressMax,
      requestsBeforeConnectMax: limits.outstandingPerSessionMax,
      connectThrottle: config.connectThrottle,
    },
  );
  const envelopeBytesMax = 4 * limits.requestBytesMax + 64 * 1024;
  const server = new Server({
    "grpc.max_receive_message_length": envelopeBytesMax,
    "grpc.max_send_message_length": envelopeBytesMax,
  });
  server.addService(
    sessionServiceDefinition,
    sessionServiceHandlers(pipeline.front, {
      envelopeBytesMax: 2 * limits.requestBytesMax,
      outboundBytesMax: limits.outboundBytesPerSessionMax,
      log,
      x509SuperUser: config.ssl.x509SuperUser,
    }),
  );
  const streamSlots = new StreamSlots(limits.streamsMax);
  server.addService(
    DataServiceService,
    dataServiceHandlers(pipeline.front, log, config.ssl.x509SuperUser, streamSlots),
  );
  server.addService(
    watchServiceDefinition,
    watchServiceHandlers(pipeline.front, log, config.ssl.x509SuperUser, envelopeBytesMax, streamSlots),
  );
  const startedAt = Date.now();
  // Both client ports' connections and bytes (mntr, /metrics), assigned once they listen.
  let clientPorts: Pick<ClientPort, "connections">[] = [];
  const figures: ServerFigures = {
    fsyncTime: durable.log.fsyncTime,
    snapshotTime: snapshotter.snapshotTime,
    lastSnapshot: () => snapshotter.last,
    disk: () => diskWatch.floor.dirs,
    clientConnections: () => clientPorts.reduce((n, p) => n + p.connections.open, 0),
    clientConnectionsRejected: () =>
      clientPorts.reduce((n, p) => n + p.connections.rejected, 0) + pipeline.front.throttledConnects,
    clientBytes: () => {
      const total = { received: 0, sent: 0 };
      for (const p of clientPorts) {
        const b = p.connections.bytes();
        total.received += b.received;
        total.sent += b.sent;
      }
      return total;
    },
    peerBytes: () => {
      const p = replication.peerStats;
      if (p === undefined) return undefined;
      return {
        received: p.receivedBytes,
        sent: p.sentBytes,
        receivedMessages: p.receivedMessages,
        sentMessages: p.sentMessages,
      };
    },
    peerConnected: (id) => replication.peerConnected(id),
    // The committed configuration: a reconfig changes them.
    get members() {
      return replication.members().map((m) => ({
        id: m.id,
        host: m.host,
        quorumPort: m.quorumPort,
        electionPort: m.electionPort,
        observer: m.observer,
      }));
    },
    get quorumSize() {
      return replication.members().filter((m) => !m.observer).length;
    },
  };
  const adminContext = (): AdminContext => ({
    view: pipeline.view,
    version: VERSION,
    startedAt,
    clientAddress: `${config.clientPortAddress}:${config.clientPort}`,
    ensembleSize: replication.ensembleSize,
    config: {
      clientPort: config.clientPort,
      clientPortAddress: config.clientPortAddress,
      dataDir: config.dataDir,
      dataLogDir: config.dataLogDir,
      tickTime: config.tickTime,
      maxClientCnxns: limits.connectionsPerAddressMax,
      minSessionTimeout: config.minSessionTimeout,
      maxSessionTimeout: config.maxSessionTimeout,
      serverId: config.serverId,
      forceSync: config.forceSync,
      extendedTypesEnabled: config.extendedTypesEnabled,
    },
    environment: {
      "paddock.version": VERSION,
      "node.version": process.version,
      "os.name": process.platform,
      "os.arch": process.arch,
      "user.dir": process.cwd(),
    },
    dataDirs: { dataDir: config.dataDir, dataLogDir: config.dataLogDir },
    logStats: () => durable.log.stats,
    figures,
  });
  // With secureClientPort set, AdminService answers only calls with a verified client certificate
  // (docs/SECURITY.md "Admin endpoints"); the four-letter words keep 4lw.commands.whitelist.
  const adminGate =
    config.secureClientPort === undefined
      ? undefined
      : (call: Parameters<typeof certificateIds>[0]): string | undefined =>
          certificateIds(call, config.ssl.x509SuperUser).some((id) => id.scheme === "x509")
            ? undefined
            : "paddock.v1.AdminService needs a verified client certificate when secureClientPort is set: call it over TLS on the secureClientPort with a certificate the ssl.trustStore verifies (ssl.clientAuth=need or want)";
  server.addService(AdminServiceService, adminServiceHandlers(adminContext, adminGate));
  health = addHealth(server);
  addReflection(server);
  if (!pipeline.isServing) setHealth("NOT_SERVING");
  await replication.start((zxid) => pipeline.stateReplaced(zxid));

  // One port, both protocols: gRPC gets the sockets that open with the HTTP/2 preface, the
  // ZooKeeper door (and its four-letter words) every other one.
  const grpcInjector = server.createConnectionInjector(ServerCredentials.createInsecure());
  const juteOptions: JuteDoorOptions = {
    frameBytesMax: limits.requestBytesMax,
    outboundBytesMax: limits.outboundBytesPerSessionMax,
    connectTimeoutMs: 10_000,
    log,
    sasl: saslUsers,
    saslRequired: enforceAuthSchemes?.includes("sasl") === true,
    allowSaslFailedClients: config.auth.allowSaslFailedClients,
    fourLetterWhitelist: parseWhitelist(config.fourLetterWordWhitelist),
    runCommand: (word) => {
      const { ok, output } = runCommand(word, adminContext());
      return ok ? output : undefined;
    },
  };
  const portOptions = {
    connectionsPerAddressMax: limits.connectionsPerAddressMax,
    connectionsMax: limits.connectionsMax,
    firstBytesTimeoutMs: 10_000,
    listenBacklog: config.clientPortListenBacklog,
    log,
  };
  const clientPort = await listenClientPort(config.clientPortAddress, config.clientPort, portOptions, {
    grpc: (socket) => grpcInjector.injectConnection(socket),
    jute: (socket, address, first) => serveJute(socket, address, first, pipeline.front, juteOptions),
  });
  clientPorts = [clientPort];
  const bound = clientPort.server.address();
  const port = typeof bound === "object" && bound !== null ? bound.port : config.clientPort;
  log(
    "info",
    `paddock ${VERSION} serving on ${config.clientPortAddress}:${port} (data in ${config.dataDir}, log in ${config.dataLogDir})`,
  );
  // secureClientPort: TLS, then the same two doors; a client certificate adds its x509 identity.
  const securePort =
    config.secureClientPort === undefined
      ? undefined
      : await startSecureClientPort(
          {
            ...portOptions,
            host: config.secureClientPortAddress ?? config.clientPortAddress,
            port: config.secureClientPort,
            ssl: config.ssl,
          },
          {
            grpc: (socket) => grpcInjector.injectConnection(socket),
            jute: (socket, address, first, ids) =>
              serveJute(socket, address, first, pipeline.front, juteOptions, ids),
          },
        ).catch((error: unknown) => {
          clientPort.close();
          throw error;
        });
  if (securePort !== undefined) {
    clientPorts.push(securePort);
    log("info", `secureClientPort (TLS) on port ${securePort.port}`);
  }
  // The AdminServer (admin.*) and Prometheus /metrics (metricsProvider.*); each router can take
  // more mounts later (a web console at "/"). A port in use stops startup, naming its key.
  const http: Pick<HttpListener, "port" | "close">[] = [];
  const closeEarly = async (error: unknown): Promise<never> => {
    await Promise.all(http.map((h) => h.close()));
    clientPort.close();
    securePort?.close();
    throw error;
  };
  let adminPort: number | undefined;
  let metricsPort: number | undefined;
  // The web console (docs/CONSOLE.md) at "/" of the AdminServer: its own sessions through the front API.
  let webConsole: { sessions: ConsoleSessions; history: MetricHistory } | undefined;
  if (config.adminServer.enabled) {
    const { address, port: wanted, commandUrl } = config.adminServer;
    webConsole = { sessions: new ConsoleSessions(pipeline.front), history: new MetricHistory(adminContext) };
    const router = new HttpRouter()
      .mount(commandUrl, adminCommandsHandler(commandUrl, adminContext))
      .mount("/", consoleHandler({ ...webConsole, context: adminContext }), ["GET", "HEAD", "POST"]);
    const listener = await listenAdminServer(router, address, wanted, adminTls).catch(closeEarly);
    http.push(listener);
    adminPort = listener.port;
    const clientCerts = adminTls?.needClientAuth ? ", client certificate required" : "";
    const stores = adminTls === undefined ? "" : ` (${adminTls.stores}.* stores${clientCerts})`;
    log("info", `AdminServer on ${listener.scheme}://${address}:${adminPort}${commandUrl}${stores}`);
    if (adminTls === undefined && securePort !== undefined)
      log(
        "warn",
        "AdminServer is plain HTTP without authentication while secureClientPort is set: set admin.forceHttps=true and admin.needClientAuth=true to protect it",
      );
  }
  if (config.metrics.enabled) {
    const { host, port: wanted } = config.metrics;
    const router = new HttpRouter().mount("/metrics", metricsHandler(buildMetrics(adminContext)));
    const listener = await listenHttp(router, host, wanted, "metricsProvider.httpPort").catch(closeEarly);
    http.push(listener);
    metricsPort = listener.port;
    log("info", `Prometheus metrics on http://${host}:${metricsPort}/metrics`);
  }
  audit?.write(auditServerLine("serverStart", "success"));
  if (config.readyFile) {
    const ready = {
      port,
      securePort: securePort?.port,
      pid: process.pid,
      peerPort: replication.peerPort,
      adminPort,
      metricsPort,
    };
    writeFileSync(config.readyFile, JSON.stringify(ready));
  }

  // A write burst's garbage back to the OS once the member is idle (idle-gc.ts says why).
  // Idle means no client work: no write applied and no read answered (pings do not count), so a
  // read-heavy server is never paused by a collection of its own.
  const idleGc = startIdleGc(
    config.idleGc,
    () => {
      const { zxid, requests } = pipeline.view;
      return zxid + requests.read.count - requests.byOp.ping.count;
    },
    log,
  );
  // autopurge.purgeInterval hours, as ZooKeeper; 0 disables it.
  const purgeTimer =
    config.purgeIntervalHours > 0
      ? setInterval(() => void snapshotter.purge(), config.purgeIntervalHours * 3_600_000)
      : undefined;
  let stopped = false;
  return {
    port,
    pipeline,
    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      setHealth("NOT_SERVING");
      audit?.write(auditServerLine("serverStop", "invoked"));
      if (purgeTimer) clearInterval(purgeTimer);
      diskWatch.stop();
      idleGc.stop();
      webConsole?.history.stop();
      await Promise.all(http.map((h) => h.close()));
      await webConsole?.sessions.closeAll();
      pipeline.stop();
      await replication.stop();
      // pipeline.stop() ended every session's connection: give calls a moment to finish.
      clientPort.close();
      securePort?.close();
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          grpcInjector.destroy();
          server.forceShutdown();
          resolve();
        }, 1000);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
      await tracing.shutdown();
      await durable.log.close();
      await audit?.close();
    },
  };
}

/**
 * localSessionsEnabled counts in an ensemble only: ZooKeeper's standalone server ignores it (its
 * session tracker has no local sessions), and a single Paddock server is standalone.
 */
function localSessionOptions(config: ServerConfig, log: Log): { localSessions?: { upgrading: boolean } } {
  if (!config.localSessions.enabled) return {};
  if (config.servers.length <= 1) {
    log("warn", "localSessionsEnabled ignored: a standalone server has no local sessions (as ZooKeeper)");
    return {};
  }
  return { localSessions: { upgrading: config.localSessions.upgrading } };
}
