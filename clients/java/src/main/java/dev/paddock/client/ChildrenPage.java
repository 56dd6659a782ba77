package dev.paddock.client;

import java.util.List;

/**
 * One page of a paged getChildren: names sorted by name, the parent's stat, and the token that
 * continues after the last name (null on the last page).
 */
public record ChildrenPage(List<String> children, Stat stat, String nextPageToken) {
  public ChildrenPage {
    children = List.copyOf(children);
  }

  public boolean hasNextPage() {
    return nextPageToken != null;
  }
}
