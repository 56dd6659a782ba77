package dev.paddock.demo;

import dev.paddock.client.ClientOptions;
import dev.paddock.client.PaddockClient;
import dev.paddock.recipes.DoubleBarrier;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One member of a double barrier, for the cross-language test: enters (prints "ENTERED" once
 * {@code --count} members are in), waits until stdin closes, leaves (prints "LEFT" once every
 * member left) and exits.
 *
 * <pre>BarrierDemo --server H:P --path /barriers/b --count 4</pre>
 */
public final class BarrierDemo {
  private BarrierDemo() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    if (args.length % 2 != 0 || !opts.keySet().containsAll(List.of("server", "path", "count"))) {
      System.err.println("usage: BarrierDemo --server H:P --path /barriers/b --count N");
      System.exit(2);
    }
    int code = 0;
    try (PaddockClient client =
        PaddockClient.connect(
            opts.get("server"), ClientOptions.builder().sessionTimeoutMs(10_000).build())) {
      DoubleBarrier barrier =
          new DoubleBarrier(client, opts.get("path"), Integer.parseInt(opts.get("count")));
      if (!barrier.enter(2, TimeUnit.MINUTES)) {
        throw new IllegalStateException("enter " + opts.get("path") + ": timed out");
      }
      System.out.println("ENTERED");
      System.out.flush();
      System.in.readAllBytes(); // inside until the caller closes stdin
      if (!barrier.leave(2, TimeUnit.MINUTES)) {
        throw new IllegalStateException("leave " + opts.get("path") + ": timed out");
      }
      System.out.println("LEFT");
      System.out.flush();
    } catch (Exception e) {
      System.err.println("BarrierDemo failed: " + e);
      code = 1;
    }
    System.exit(code);
  }
}
