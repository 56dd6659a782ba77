package dev.paddock.client;

import paddock.v1.Data;
import paddock.v1.Session;

/** The wire side of paged and counted getChildren: the request fields and the replies read. */
final class ChildrenPages {
  private ChildrenPages() {}

  static Data.GetChildrenRequest.Builder request(String path, PageOptions o, boolean countOnly) {
    // A page_size (0: the server's limit) is what asks for the sorted, paged form.
    Data.GetChildrenRequest.Builder b =
        Data.GetChildrenRequest.newBuilder().setPath(path).setPageSize(o.pageSize());
    if (o.pageToken() != null) {
      b.setPageToken(o.pageToken());
    }
    if (o.prefix() != null) {
      b.setNamePrefix(o.prefix());
    }
    if (countOnly) {
      b.setCountOnly(true);
    }
    return b;
  }

  static ChildrenPage page(Session.Reply r) throws PaddockException {
    Pending.check(r);
    Data.GetChildrenResponse g = r.getGetChildren();
    String next = g.getNextPageToken();
    return new ChildrenPage(
        g.getChildrenList(), Protos.stat(g.getStat()), next.isEmpty() ? null : next);
  }

  static int count(Session.Reply r) throws PaddockException {
    Pending.check(r);
    return r.getGetChildren().getCount();
  }
}
