package dev.paddock.client;

import java.util.List;

/** A znode's ACL with its stat. */
public record AclResult(List<Acl> acl, Stat stat) {}
