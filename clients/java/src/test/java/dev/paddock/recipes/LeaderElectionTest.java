package dev.paddock.recipes;

import static dev.paddock.testing.Clients.uniquePath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paddock.client.PaddockClient;
import dev.paddock.testing.Clients;
import dev.paddock.testing.PaddockServerExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class LeaderElectionTest {
  @RegisterExtension static final PaddockServerExtension SERVER = new PaddockServerExtension();

  @Test
  void oneLeaderAndSuccessionInOrder() throws Exception {
    String path = uniquePath("election");
    LinkedBlockingQueue<String> leaders = new LinkedBlockingQueue<>();
    List<PaddockClient> clients = new ArrayList<>();
    List<LeaderElection> elections = new ArrayList<>();
    try {
      for (String id : List.of("a", "b", "c")) {
        PaddockClient c = Clients.connect(SERVER.address());
        clients.add(c);
        LeaderElection e = new LeaderElection(c, path, id, () -> leaders.add(id));
        elections.add(e);
        e.start();
      }
      assertEquals("a", leaders.poll(10, TimeUnit.SECONDS));
      assertTrue(elections.get(0).isLeader());
      assertFalse(elections.get(1).isLeader());
      assertEquals("a", elections.get(2).currentLeaderId());

      elections.get(0).close(); // resign
      assertEquals("b", leaders.poll(10, TimeUnit.SECONDS));
      assertTrue(elections.get(1).awaitLeadership(10, TimeUnit.SECONDS));

      clients.get(1).close(); // the leader's session ends
      assertEquals("c", leaders.poll(10, TimeUnit.SECONDS));
      assertEquals("c", elections.get(2).currentLeaderId());
    } finally {
      for (PaddockClient c : clients) {
        c.close();
      }
    }
  }
}
