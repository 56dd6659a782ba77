package dev.paddock.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real Paddock server process started from this repository (PROTOCOL.md's launch contract):
 * port 0 and a ready file the first time, then the same port on restart. Its output goes to
 * target/paddock-server-N.log.
 */
public final class PaddockServer implements AutoCloseable {
  private static final AtomicInteger COUNT = new AtomicInteger();
  private static final Pattern PORT = Pattern.compile("\"port\"\\s*:\\s*(\\d+)");
  private static final Pattern SECURE_PORT = Pattern.compile("\"securePort\"\\s*:\\s*(\\d+)");
  private static final long START_DEADLINE_MS = 90_000;

  private final Path repoRoot;
  private final Path dataDir;
  private final Path readyFile;
  private final Path log;
  private final List<String> settings;
  private final String zooCfg;
  private Process process;
  private int port;
  private int securePort;

  private PaddockServer(String zooCfg, List<String> settings) throws IOException {
    this.repoRoot = repoRoot();
    this.zooCfg = zooCfg;
    this.settings = List.copyOf(settings);
    int n = COUNT.incrementAndGet();
    this.dataDir = Files.createTempDirectory("paddock-java-test-");
    this.readyFile = dataDir.resolve("ready.json");
    Path target = Path.of("target");
    Files.createDirectories(target);
    this.log = target.resolve("paddock-server-" + n + ".log").toAbsolutePath();
  }

  /** Starts a server with {@code key=value} settings (passed as --set). */
  public static PaddockServer start(String... settings) throws IOException, InterruptedException {
    return startWithConfig(null, settings);
  }

  /**
   * Starts a server that first reads the zoo.cfg text {@code zooCfg} (written to its data dir and
   * passed as --config), then the {@code key=value} settings.
   */
  public static PaddockServer startWithConfig(String zooCfg, String... settings)
      throws IOException, InterruptedException {
    PaddockServer s = new PaddockServer(zooCfg, List.of(settings));
    s.launch(0);
    return s;
  }

  /** "127.0.0.1:securePort" when the configuration opens a secureClientPort. */
  public String secureAddress() {
    if (securePort == 0) {
      throw new IllegalStateException("this server has no secureClientPort");
    }
    return "127.0.0.1:" + securePort;
  }

  public int port() {
    return port;
  }

  /** "127.0.0.1:port", the form PaddockClient.connect takes. */
  public String address() {
    return "127.0.0.1:" + port;
  }

  public long pid() {
    return process.pid();
  }

  /** SIGTERM and wait for the exit. */
  public void stop() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
  }

  /** SIGKILL. */
  public void kill() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly().waitFor();
    }
  }

  /** Starts again on the same port with the same data dir. */
  public void restart() throws IOException, InterruptedException {
    stop();
    launch(port);
  }

  private void launch(int onPort) throws IOException, InterruptedException {
    Files.deleteIfExists(readyFile);
    if (!Files.isDirectory(repoRoot.resolve("node_modules"))) {
      throw new IllegalStateException(
          "no node_modules in " + repoRoot + ": run `npm ci` at the repository root first");
    }
    List<String> cmd = new ArrayList<>();
    cmd.add("node");
    cmd.add("--import");
    cmd.add("tsx");
    cmd.add("server/main/cli.ts");
    cmd.add("server");
    if (zooCfg != null) {
      Path cfg = dataDir.resolve("zoo.cfg");
      Files.writeString(cfg, zooCfg, StandardCharsets.UTF_8);
      cmd.add("--config");
      cmd.add(cfg.toString());
    }
    cmd.add("--host");
    cmd.add("127.0.0.1");
    cmd.add("--port");
    cmd.add(Integer.toString(onPort));
    cmd.add("--data-dir");
    cmd.add(dataDir.toString());
    cmd.add("--ready-file");
    cmd.add(readyFile.toString());
    // Any free AdminServer and /metrics ports, restarts on a fixed client port included.
    cmd.add("--set");
    cmd.add("admin.serverPort=0");
    cmd.add("--set");
    cmd.add("metricsProvider.httpPort=0");
    for (String s : settings) {
      cmd.add("--set");
      cmd.add(s);
    }
    process =
        new ProcessBuilder(cmd)
            .directory(repoRoot.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    port = awaitReady();
  }

  /** Polls the ready file until it names a port, the process dies, or the deadline passes. */
  private int awaitReady() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_DEADLINE_MS);
    while (System.nanoTime() < deadline) {
      if (Files.exists(readyFile)) {
        String ready = Files.readString(readyFile, StandardCharsets.UTF_8);
        Matcher m = PORT.matcher(ready);
        if (m.find()) {
          Matcher secure = SECURE_PORT.matcher(ready);
          securePort = secure.find() ? Integer.parseInt(secure.group(1)) : 0;
          return Integer.parseInt(m.group(1));
        }
      }
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "paddock server exited with " + process.exitValue() + "; see " + log);
      }
      process.waitFor(25, TimeUnit.MILLISECONDS); // wakes early if it dies
    }
    process.destroyForcibly();
    throw new IllegalStateException("paddock server not ready within deadline; see " + log);
  }

  @Override
  public void close() throws InterruptedException, IOException {
    stop();
    try (Stream<Path> files = Files.walk(dataDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /**
   * The repository root: the nearest ancestor holding proto/paddock and server/, or
   * PADDOCK_REPO_ROOT when set (to run the tests against another checkout's server).
   */
  public static Path repoRoot() {
    String override = System.getenv("PADDOCK_REPO_ROOT");
    if (override != null && !override.isEmpty()) {
      return Path.of(override).toAbsolutePath();
    }
    Path p = Path.of("").toAbsolutePath();
    while (p != null) {
      if (Files.isDirectory(p.resolve("proto/paddock")) && Files.isDirectory(p.resolve("server"))) {
        return p;
      }
      p = p.getParent();
    }
    throw new IllegalStateException("repository root not found above " + Path.of("").toAbsolutePath());
  }
}
