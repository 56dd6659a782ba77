package dev.paddock.recipes;

import static dev.paddock.testing.Clients.uniquePath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paddock.client.PaddockClient;
import dev.paddock.testing.Clients;
import dev.paddock.testing.PaddockServerExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DoubleBarrierTest {
  @RegisterExtension static final PaddockServerExtension SERVER = new PaddockServerExtension();

  private static final int MEMBERS = 3;

  @Test
  void membersEnterTogetherAndLeaveTogether() throws Exception {
    String path = uniquePath("double");
    List<PaddockClient> clients = new ArrayList<>();
    for (int i = 0; i < MEMBERS + 1; i++) {
      clients.add(Clients.connect(SERVER.address()));
    }
    PaddockClient observer = clients.get(MEMBERS);
    observer.blocking().create(path, new byte[0]);
    CountDownLatch leave = new CountDownLatch(1);
    List<CompletableFuture<Boolean>> entered = new ArrayList<>();
    List<CompletableFuture<Boolean>> left = new ArrayList<>();
    try {
      for (int i = 0; i < MEMBERS; i++) {
        if (i == MEMBERS - 1) {
          // The first members wait: nobody has entered while the count is short.
          awaitChildren(observer, path, MEMBERS - 1);
          for (CompletableFuture<Boolean> e : entered) {
            assertFalse(e.isDone(), "a member entered before all had");
          }
        }
        DoubleBarrier b = new DoubleBarrier(clients.get(i), path, MEMBERS);
        CompletableFuture<Boolean> in = new CompletableFuture<>();
        CompletableFuture<Boolean> out = new CompletableFuture<>();
        entered.add(in);
        left.add(out);
        CompletableFuture.runAsync(
            () -> {
              try {
                in.complete(b.enter(30, TimeUnit.SECONDS));
                leave.await();
                out.complete(b.leave(30, TimeUnit.SECONDS));
              } catch (Exception e) {
                in.completeExceptionally(e);
                out.completeExceptionally(e);
              }
            });
      }
      for (CompletableFuture<Boolean> e : entered) {
        assertTrue(e.get(30, TimeUnit.SECONDS));
      }
      leave.countDown();
      for (CompletableFuture<Boolean> l : left) {
        assertTrue(l.get(30, TimeUnit.SECONDS));
      }
      assertEquals(List.of(), observer.blocking().getChildren(path));
      assertThrows(IllegalArgumentException.class, () -> new DoubleBarrier(observer, path, 0));
    } finally {
      for (PaddockClient c : clients) {
        c.close();
      }
    }
  }

  private static void awaitChildren(PaddockClient c, String path, int n) throws Exception {
    while (true) {
      CompletableFuture<Void> changed = new CompletableFuture<>();
      if (c.blocking().getChildren(path, e -> changed.complete(null)).size() >= n) {
        return;
      }
      changed.get(30, TimeUnit.SECONDS);
    }
  }
}
