package dev.paddock.client;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Every child name of a node, sorted, fetched a page at a time as the iteration reaches it (see
 * {@link BlockingClient#listChildren}). Each iterator starts again from the options' page token.
 * Children created ahead of the cursor appear, ones created behind it or deleted before it reaches
 * them do not, and no name appears twice. A failed page read throws {@link
 * UncheckedPaddockException} from {@code hasNext}/{@code next}.
 */
public final class ChildrenListing implements Iterable<String> {
  private final BlockingClient client;
  private final String path;
  private final PageOptions options;

  ChildrenListing(BlockingClient client, String path, PageOptions options) {
    this.client = client;
    this.path = path;
    this.options = options;
  }

  @Override
  public Iterator<String> iterator() {
    return new Pages();
  }

  public Stream<String> stream() {
    return StreamSupport.stream(spliterator(), false);
  }

  private final class Pages implements Iterator<String> {
    private List<String> page = List.of();
    private int index;
    private String token = options.pageToken();
    private boolean last;

    @Override
    public boolean hasNext() {
      // A page may come back empty (every name left was deleted): read on until the last page.
      while (index >= page.size() && !last) {
        ChildrenPage p = fetch();
        page = p.children();
        index = 0;
        token = p.nextPageToken();
        last = token == null;
      }
      return index < page.size();
    }

    @Override
    public String next() {
      if (!hasNext()) {
        throw new NoSuchElementException("no more children of " + path);
      }
      return page.get(index++);
    }

    private ChildrenPage fetch() {
      try {
        return client.getChildrenPage(path, options.pageToken(token));
      } catch (PaddockException e) {
        throw new UncheckedPaddockException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CancellationException("listing the children of " + path + " was interrupted");
      }
    }
  }
}
