package dev.paddock.demo;

import dev.paddock.client.ClientOptions;
import dev.paddock.client.PaddockClient;
import dev.paddock.recipes.DistributedLock;
import dev.paddock.recipes.LeaderElection;
import java.util.concurrent.TimeUnit;

/**
 * Takes a lock (with {@code --recipe latch}: leadership of a leader election), holds it, releases
 * it: prints "ACQUIRED NAME" and "RELEASED NAME" for cross-language lock and election tests.
 *
 * <pre>LockDemo --server H:P --path /locks/x --hold-ms N --id NAME [--recipe latch]</pre>
 */
public final class LockDemo {
  private LockDemo() {}

  public static void main(String[] args) throws Exception {
    String server = null;
    String path = null;
    long holdMs = 0;
    String id = null;
    String recipe = "lock";
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--server" -> server = value;
        case "--path" -> path = value;
        case "--hold-ms" -> holdMs = Long.parseLong(value);
        case "--id" -> id = value;
        case "--recipe" -> recipe = value;
        default -> usage("unknown argument " + args[i]);
      }
      i++;
    }
    if (server == null || path == null || id == null || holdMs < 0) {
      usage("--server, --path and --id are required");
    }
    if (!"lock".equals(recipe) && !"latch".equals(recipe)) {
      usage("--recipe " + recipe + ": want lock or latch");
    }
    int code = 0;
    try (PaddockClient client =
        PaddockClient.connect(server, ClientOptions.builder().sessionTimeoutMs(10_000).build())) {
      if ("latch".equals(recipe)) {
        LeaderElection election = new LeaderElection(client, path, id, () -> {});
        election.start();
        if (!election.awaitLeadership(1, TimeUnit.MINUTES)) {
          throw new IllegalStateException("not elected within a minute");
        }
        hold(id, holdMs);
        election.close();
      } else {
        DistributedLock lock = DistributedLock.named(client, path, id);
        lock.acquire();
        hold(id, holdMs);
        lock.release();
      }
    } catch (Exception e) {
      System.err.println("LockDemo " + id + " failed: " + e);
      code = 1;
    }
    System.exit(code);
  }

  private static void hold(String id, long holdMs) throws InterruptedException {
    System.out.println("ACQUIRED " + id);
    System.out.flush();
    Thread.sleep(holdMs); // the demo's whole point is to hold the lock for this long
    System.out.println("RELEASED " + id);
    System.out.flush();
  }

  private static void usage(String why) {
    System.err.println(why);
    System.err.println("usage: LockDemo --server H:P --path /locks/x --hold-ms N --id NAME [--recipe latch]");
    System.exit(2);
  }
}
