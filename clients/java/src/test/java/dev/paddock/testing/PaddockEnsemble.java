package dev.paddock.testing;

import com.google.gson.Gson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real ensemble of Paddock server processes, started by the repository's
 * test/support/ensemble-for-clients.ts (port 0 everywhere; the launcher owns the peers' proxies).
 * The launcher stops every member when its stdin closes, so a test JVM that dies leaves no server
 * behind. Its output goes to target/paddock-ensemble-N.log.
 */
public final class PaddockEnsemble implements AutoCloseable {
  private static final AtomicInteger COUNT = new AtomicInteger();
  private static final long START_DEADLINE_MS = 90_000;

  /**
   * One member. {@code line} is its "server.N=" line as the leader reaches it, with its client
   * port (what a reconfig that adds it back sends); null for the leader.
   */
  public record Member(int id, String address, String line) {}

  private record Ready(int leader, List<Member> members) {}

  private final Process process;
  private final Path dir;
  private final Ready ready;

  private PaddockEnsemble(Process process, Path dir, Ready ready) {
    this.process = process;
    this.dir = dir;
    this.ready = ready;
  }

  /** Starts {@code voters} members with {@code key=value} zoo.cfg settings; waits for a leader. */
  public static PaddockEnsemble start(int voters, String... settings)
      throws IOException, InterruptedException {
    Path root = PaddockServer.repoRoot();
    Path dir = Files.createTempDirectory("paddock-java-ensemble-");
    Path readyFile = dir.resolve("ready.json");
    Files.createDirectories(Path.of("target"));
    Path log = Path.of("target", "paddock-ensemble-" + COUNT.incrementAndGet() + ".log");
    List<String> cmd = new ArrayList<>(List.of("node", "--import", "tsx"));
    cmd.add("test/support/ensemble-for-clients.ts");
    cmd.addAll(List.of("--ready-file", readyFile.toString()));
    cmd.addAll(List.of("--voters", Integer.toString(voters)));
    for (String s : settings) {
      cmd.addAll(List.of("--set", s));
    }
    Process p =
        new ProcessBuilder(cmd)
            .directory(root.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toAbsolutePath().toFile()))
            .start();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_DEADLINE_MS);
    while (!Files.exists(readyFile)) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        p.destroyForcibly().waitFor();
        throw new IllegalStateException("ensemble not ready (see " + log.toAbsolutePath() + ")");
      }
      p.waitFor(25, TimeUnit.MILLISECONDS); // polls the ready file; wakes early if it dies
    }
    // Written whole and renamed into place by the launcher.
    String json = Files.readString(readyFile, StandardCharsets.UTF_8);
    return new PaddockEnsemble(p, dir, new Gson().fromJson(json, Ready.class));
  }

  public int leader() {
    return ready.leader();
  }

  public List<Member> members() {
    return ready.members();
  }

  public Member member(int id) {
    return ready.members().stream()
        .filter(m -> m.id() == id)
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no member " + id));
  }

  @Override
  public void close() throws IOException, InterruptedException {
    process.getOutputStream().close();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
    try (var files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }
}
