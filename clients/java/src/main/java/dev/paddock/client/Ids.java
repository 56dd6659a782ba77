package dev.paddock.client;

import java.util.List;

/** Well-known identities and ACLs, as ZooKeeper's {@code ZooDefs.Ids}. */
public final class Ids {
  public static final Acl ANYONE_ALL = new Acl(Perms.ALL, "world", "anyone");

  /** Everyone may do everything. */
  public static final List<Acl> OPEN_ACL_UNSAFE = List.of(ANYONE_ALL);

  /** All permissions to the authenticated identities of the creating session. */
  public static final List<Acl> CREATOR_ALL_ACL = List.of(new Acl(Perms.ALL, "auth", ""));

  /** Everyone may read. */
  public static final List<Acl> READ_ACL_UNSAFE = List.of(new Acl(Perms.READ, "world", "anyone"));

  private Ids() {}
}
