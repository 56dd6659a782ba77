package dev.paddock.recipes;

import dev.paddock.client.BlockingClient;
import dev.paddock.client.Ids;
import dev.paddock.client.PaddockException;
import dev.paddock.client.PaddockException.NodeExistsException;
import dev.paddock.client.Acl;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

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

  /**
   * The digits after the last {@code marker} in {@code name} ({@code _c_<uuid>-lock-0000000007}
   * gives 7), or -1 when there are none: Curator's fixForSorting, so protected and plain names
   * sort together.
   */
  static long sequenceAfter(String name, String marker) {
    int at = name.lastIndexOf(marker);
    if (at < 0 || at + marker.length() == name.length()) {
      return -1;
    }
    String digits = name.substring(at + marker.length());
    for (int i = 0; i < digits.length(); i++) {
      if (!Character.isDigit(digits.charAt(i))) {
        return -1;
      }
    }
    try {
      return Long.parseLong(digits);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Children carrying {@code marker} and a sequence after it, in sequence order. */
  static List<String> sortedByMarker(List<String> children, String marker) {
    return sortedByMarkers(children, List.of(marker));
  }

  /** The sequence after whichever of {@code markers} the name carries, or -1. */
  static long sequenceAfterAny(String name, List<String> markers) {
    for (String m : markers) {
      long n = sequenceAfter(name, m);
      if (n >= 0) {
        return n;
      }
    }
    return -1;
  }

  /** Children carrying one of {@code markers} and a sequence after it, in sequence order. */
  static List<String> sortedByMarkers(List<String> children, List<String> markers) {
    return children.stream()
        .filter(c -> sequenceAfterAny(c, markers) >= 0)
        .sorted(
            Comparator.comparingLong((String c) -> sequenceAfterAny(c, markers))
                .thenComparing(c -> c))
        .toList();
  }

  /** Curator's protection prefix {@code _c_<uuid>-}: finds our node after a create cut by a disconnect. */
  static String protectedPrefix() {
    return "_c_" + UUID.randomUUID() + "-";
  }

  /** The child of {@code parent} whose name starts with {@code protection}, or null. */
  static String findProtected(BlockingClient b, String parent, String protection)
      throws PaddockException, InterruptedException {
    for (String c : b.getChildren(parent)) {
      if (c.startsWith(protection)) {
        return join(parent, c);
      }
    }
    return null;
  }

  static String join(String parent, String child) {
    return parent.equals("/") ? "/" + child : parent + "/" + child;
  }

  static String baseName(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  static final List<Acl> OPEN = Ids.OPEN_ACL_UNSAFE;
}
