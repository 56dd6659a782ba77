// A write refused by a member below its disk floor, on ZooKeeper's own Java client (Debian's 3.8
// jar), for test/clients/zk/disk-floor.test.ts:
//   java -cp "<zookeeper jars>" DiskLow.java CONNECT
// Prints one line per observation: the write's exception and code, then a read on the same session.
import java.nio.charset.StandardCharsets;
import java.util.concurrent.*;
import org.apache.zookeeper.*;

public class DiskLow {
  public static void main(String[] args) throws Exception {
    CountDownLatch connected = new CountDownLatch(1);
    ZooKeeper zk = new ZooKeeper(args[0], 10_000, e -> {
      if (e.getState() == Watcher.Event.KeeperState.SyncConnected) connected.countDown();
    });
    if (!connected.await(10, TimeUnit.SECONDS)) throw new Exception("no connection");
    try {
      zk.create("/java-refused", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
      System.out.println("create ok");
    } catch (KeeperException e) {
      System.out.println("create " + e.getClass().getSimpleName() + " " + e.code().intValue());
    }
    byte[] data = zk.getData("/before", false, null);
    System.out.println("getData " + new String(data, StandardCharsets.UTF_8) + " " + zk.getState());
    zk.close();
  }
}
