package dev.paddock.recipes;

import dev.paddock.client.BlockingClient;
import dev.paddock.client.Ids;
import dev.paddock.client.PaddockException;
import dev.paddock.client.PaddockException.NodeExistsException;
import dev.paddock.client.Acl;
import java.util.Comparator;
import java.util.List;

/** Small helpers shared by the recipes. */
final class Paths {
  private Paths() {}

  /** Creates every missing ancestor and the path itself as empty persistent nodes. */
  static void ensure(BlockingClient b, String path) throws PaddockException, InterruptedException {
    if (b.exists(path) != null) {
      return;
    }
    StringBuilder prefix = new StringBuilder();
    for (String part : path.substring(1).split("/")) {
      prefix.append('/').append(part);
      try {
        b.create(prefix.toString(), new byte[0]);
      } catch (NodeExistsException e) {
        // another client got there first: fine
      }
    }
  }

  /** The sequence number ZooKeeper appends (10 digits, may be negative after overflow). */
  static long sequence(String name) {
    int at = name.length() - 10;
    try {
      return at < 0 ? Long.MAX_VALUE : Long.parseLong(name.substring(at));
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

  /** Children with the prefix, in sequence order. */
  static List<String> sortedWithPrefix(List<String> children, String prefix) {
    return children.stream()
        .filter(c -> c.startsWith(prefix))
        .sorted(Comparator.comparingLong(Paths::sequence).thenComparing(c -> c))
        .toList();
  }

  static String join(String parent, String child) {
    return parent.equals("/") ? "/" + child : parent + "/" + child;
  }

  static String baseName(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  static final List<Acl> OPEN = Ids.OPEN_ACL_UNSAFE;
}
