import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.atomic.DistributedAtomicLong;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.nodes.GroupMember;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.recipes.leader.LeaderSelector;
import org.apache.curator.framework.recipes.leader.LeaderSelectorListenerAdapter;
import org.apache.curator.framework.recipes.leader.Participant;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.framework.recipes.locks.InterProcessReadWriteLock;
import org.apache.curator.framework.recipes.locks.InterProcessSemaphoreV2;
import org.apache.curator.framework.recipes.locks.Lease;
import org.apache.curator.framework.recipes.queue.DistributedQueue;
import org.apache.curator.framework.recipes.queue.QueueBuilder;
import org.apache.curator.framework.recipes.queue.QueueConsumer;
import org.apache.curator.framework.recipes.queue.QueueSerializer;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.retry.RetryNTimes;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;

/**
 * Curator's side of the TypeScript recipes' interoperation test (test/clients/curator/
 * recipes-interop.test.ts): commands on stdin, one reply line per command on stdout, so the test
 * drives both sides of one scenario in order. Replies: `<command> <result>`; a failure prints
 * `error <command> <exception>`.
 */
public final class RecipesInterop {
  static CuratorFramework client;
  static LeaderLatch latch;
  static LeaderSelector selector;
  static final LinkedBlockingQueue<Boolean> selectorYield = new LinkedBlockingQueue<>();
  static GroupMember member;
  static InterProcessReadWriteLock rw;
  static InterProcessSemaphoreV2 semaphore;
  static Lease lease;
  static final QueueSerializer<String> UTF8 = new QueueSerializer<>() {
    @Override public byte[] serialize(String item) { return item.getBytes(StandardCharsets.UTF_8); }
    @Override public String deserialize(byte[] bytes) { return new String(bytes, StandardCharsets.UTF_8); }
  };
  static final List<AutoCloseable> toClose = new ArrayList<>();

  static synchronized void say(String line) {
    System.out.println(line);
    System.out.flush();
  }

  public static void main(String[] args) throws Exception {
    client = CuratorFrameworkFactory.builder()
        .connectString(args[0])
        .sessionTimeoutMs(20_000)
        .connectionTimeoutMs(10_000)
        .retryPolicy(new ExponentialBackoffRetry(100, 20, 1000))
        .build();
    client.start();
    if (!client.blockUntilConnected(20, TimeUnit.SECONDS)) throw new IllegalStateException("not connected in 20 s");
    say("ready");
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      String[] w = line.trim().split(" ");
      if (w[0].equals("quit")) break;
      try {
        run(w);
      } catch (Exception e) {
        say("error " + w[0] + " " + e);
      }
    }
    for (AutoCloseable c : toClose) c.close();
    client.close();
  }

  static void run(String[] w) throws Exception {
    switch (w[0]) {
      case "mutex" -> {
        // mutex <lockPath> <rounds> <counterPath>: in the background, so the test's own contenders run meanwhile.
        String lockPath = w[1], counter = w[3];
        int rounds = Integer.parseInt(w[2]);
        Thread t = new Thread(() -> {
          try {
            InterProcessMutex mutex = new InterProcessMutex(client, lockPath);
            int overlaps = 0;
            for (int i = 0; i < rounds; i++) {
              mutex.acquire();
              try {
                // The holder marker: a second holder's create fails with NodeExists.
                try {
                  client.create().withMode(CreateMode.EPHEMERAL).forPath(counter + "-holder");
                } catch (KeeperException.NodeExistsException e) {
                  overlaps++;
                }
                int n = Integer.parseInt(new String(client.getData().forPath(counter), StandardCharsets.UTF_8));
                client.setData().forPath(counter, Integer.toString(n + 1).getBytes(StandardCharsets.UTF_8));
                client.delete().forPath(counter + "-holder");
              } finally {
                mutex.release();
              }
            }
            say("mutex done " + overlaps);
          } catch (Exception e) {
            say("error mutex " + e);
          }
        });
        t.start();
        say("mutex started");
      }
      case "latch-start" -> {
        latch = new LeaderLatch(client, w[1], w[2]);
        latch.addListener(new LeaderLatchListener() {
          @Override public void isLeader() { say("latch leader"); }
          @Override public void notLeader() { say("latch not-leader"); }
        });
        latch.start();
        say("latch-start ok");
      }
      case "latch-status" -> {
        List<String> ids = new ArrayList<>();
        for (Participant p : latch.getParticipants()) ids.add(p.getId() + (p.isLeader() ? "*" : ""));
        say("latch-status " + latch.hasLeadership() + " " + latch.getLeader().getId() + " " + String.join(",", ids));
      }
      case "latch-close" -> {
        latch.close();
        say("latch-close ok");
      }
      case "selector-start" -> {
        // selector-start <path> <id>: a LeaderSelector with autoRequeue that leads until told to yield
        selector = new LeaderSelector(client, w[1], new LeaderSelectorListenerAdapter() {
          @Override public void takeLeadership(CuratorFramework c) throws Exception {
            say("selector leader");
            selectorYield.take();
            say("selector yielded");
          }
        });
        selector.setId(w[2]);
        selector.autoRequeue();
        selector.start();
        say("selector-start ok");
      }
      case "selector-yield" -> {
        selectorYield.add(true);
        say("selector-yield ok");
      }
      case "selector-status" -> {
        List<String> ids = new ArrayList<>();
        for (Participant p : selector.getParticipants()) ids.add(p.getId() + (p.isLeader() ? "*" : ""));
        say("selector-status " + selector.hasLeadership() + " " + String.join(",", ids));
      }
      case "selector-close" -> {
        selector.close();
        say("selector-close ok");
      }
      case "register" -> {
        // register <base> <service> <id> <port>
        ServiceDiscovery<Void> d = ServiceDiscoveryBuilder.builder(Void.class).client(client).basePath(w[1]).build();
        d.start();
        toClose.add(d);
        d.registerService(ServiceInstance.<Void>builder().name(w[2]).id(w[3]).address("127.0.0.1").port(Integer.parseInt(w[4])).build());
        say("register ok");
      }
      case "discover" -> {
        // discover <base> <service>: the instances Curator finds, as id@address:port/type/enabled
        ServiceDiscovery<Void> d = ServiceDiscoveryBuilder.builder(Void.class).client(client).basePath(w[1]).build();
        d.start();
        List<String> found = new ArrayList<>();
        for (ServiceInstance<Void> i : d.queryForInstances(w[2]))
          found.add(i.getId() + "@" + i.getAddress() + ":" + i.getPort() + "/" + i.getServiceType() + "/" + i.isEnabled());
        java.util.Collections.sort(found);
        d.close();
        say("discover " + String.join(",", found));
      }
      case "write-lock" -> {
        // write-lock <path>: Curator holds the write lock until write-unlock.
        rw = new InterProcessReadWriteLock(client, w[1]);
        rw.writeLock().acquire();
        say("write-lock held");
      }
      case "write-unlock" -> {
        rw.writeLock().release();
        say("write-unlock ok");
      }
      case "read-lock-try" -> {
        // read-lock-try <path> <ms>: whether Curator's read lock is granted within ms.
        InterProcessReadWriteLock other = new InterProcessReadWriteLock(client, w[1]);
        boolean got = other.readLock().acquire(Long.parseLong(w[2]), TimeUnit.MILLISECONDS);
        if (got) other.readLock().release();
        say("read-lock-try " + got);
      }
      case "lease" -> {
        // lease <path> <max> <ms>: take one lease (kept until lease-return) or say it was refused.
        semaphore = new InterProcessSemaphoreV2(client, w[1], Integer.parseInt(w[2]));
        lease = semaphore.acquire(Long.parseLong(w[3]), TimeUnit.MILLISECONDS);
        say("lease " + (lease != null));
      }
      case "lease-return" -> {
        semaphore.returnLease(lease);
        say("lease-return ok");
      }
      case "atomic" -> {
        // atomic <path> <n>: n increments (optimistic CAS only, as the TS AtomicLong), in the background.
        String path = w[1];
        int n = Integer.parseInt(w[2]);
        Thread t = new Thread(() -> {
          try {
            DistributedAtomicLong counter = new DistributedAtomicLong(client, path, new RetryNTimes(10_000, 1));
            int failed = 0;
            for (int i = 0; i < n; i++) if (!counter.increment().succeeded()) failed++;
            say("atomic done " + failed + " " + counter.get().postValue());
          } catch (Exception e) {
            say("error atomic " + e);
          }
        });
        t.start();
        say("atomic started");
      }
      case "queue-put" -> {
        // queue-put <path> <item>...: Curator's DistributedQueue producer.
        DistributedQueue<String> q = QueueBuilder.builder(client, null, UTF8, w[1]).buildQueue();
        q.start();
        for (int i = 2; i < w.length; i++) q.put(w[i]);
        q.close();
        say("queue-put ok");
      }
      case "queue-take" -> {
        // queue-take <path> <n>: Curator's consumer takes n items; prints them in arrival order.
        int n = Integer.parseInt(w[2]);
        java.util.concurrent.LinkedBlockingQueue<String> got = new java.util.concurrent.LinkedBlockingQueue<>();
        QueueConsumer<String> consumer = new QueueConsumer<>() {
          @Override public void consumeMessage(String message) { got.add(message); }
          @Override public void stateChanged(CuratorFramework c, ConnectionState s) {}
        };
        DistributedQueue<String> q = QueueBuilder.builder(client, consumer, UTF8, w[1]).buildQueue();
        q.start();
        List<String> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          String item = got.poll(20, TimeUnit.SECONDS);
          if (item == null) break;
          items.add(item);
        }
        q.close();
        say("queue-take " + String.join(",", items));
      }
      case "member-start" -> {
        // member-start <path> <id> <payload>: Curator's GroupMember joins.
        member = new GroupMember(client, w[1], w[2], w[3].getBytes(StandardCharsets.UTF_8));
        member.start();
        say("member-start ok");
      }
      case "members" -> {
        // members: Curator's live view, as sorted id=payload pairs.
        List<String> view = new ArrayList<>();
        member.getCurrentMembers().forEach((id, data) -> view.add(id + "=" + new String(data, StandardCharsets.UTF_8)));
        java.util.Collections.sort(view);
        say("members " + String.join(",", view));
      }
      case "member-close" -> {
        member.close();
        say("member-close ok");
      }
      default -> say("error unknown " + w[0]);
    }
  }
}
