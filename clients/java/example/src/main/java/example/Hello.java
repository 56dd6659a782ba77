package example;

import dev.paddock.client.BlockingClient;
import dev.paddock.client.PaddockClient;
import dev.paddock.client.PaddockException;
import dev.paddock.client.Stat;
import dev.paddock.recipes.DistributedLock;
import java.nio.charset.StandardCharsets;

/** A user's program: {@code mvn -q exec:java -Dexec.args=127.0.0.1:2181}. */
public final class Hello {
  private Hello() {}

  public static void main(String[] args) throws Exception {
    String server = args.length > 0 ? args[0] : "127.0.0.1:2181";
    try (PaddockClient client = PaddockClient.connect(server)) {
      BlockingClient zk = client.blocking();
      String path = "/hello-" + ProcessHandle.current().pid();
      zk.create(path, "hi".getBytes(StandardCharsets.UTF_8));
      Stat stat = zk.setData(path, "there".getBytes(StandardCharsets.UTF_8), 0);
      System.out.println("set " + path + " to version " + stat.version());
      try {
        zk.setData(path, new byte[0], 0);
        throw new IllegalStateException("a stale version was accepted");
      } catch (PaddockException.BadVersionException e) {
        System.out.println("stale write refused: " + e.getMessage());
      }
      DistributedLock lock = new DistributedLock(client, path + "/lock");
      lock.acquire();
      try {
        System.out.println("holding the lock, fencing token " + lock.fencingToken());
      } finally {
        lock.release();
      }
    }
  }
}
