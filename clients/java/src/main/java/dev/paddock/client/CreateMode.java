package dev.paddock.client;

/** How a znode is created; the numeric values are ZooKeeper's and the wire's. */
public enum CreateMode {
  PERSISTENT(0, false, false),
  EPHEMERAL(1, true, false),
  PERSISTENT_SEQUENTIAL(2, false, true),
  EPHEMERAL_SEQUENTIAL(3, true, true),
  CONTAINER(4, false, false),
  /** Needs the server setting extendedTypesEnabled=true and a TTL. */
  PERSISTENT_WITH_TTL(5, false, false),
  /** Needs the server setting extendedTypesEnabled=true and a TTL. */
  PERSISTENT_SEQUENTIAL_WITH_TTL(6, false, true);

  private final int value;
  private final boolean ephemeral;
  private final boolean sequential;

  CreateMode(int value, boolean ephemeral, boolean sequential) {
    this.value = value;
    this.ephemeral = ephemeral;
    this.sequential = sequential;
  }

  public int value() {
    return value;
  }

  public boolean isEphemeral() {
    return ephemeral;
  }

  public boolean isSequential() {
    return sequential;
  }

  public boolean isTtl() {
    return this == PERSISTENT_WITH_TTL || this == PERSISTENT_SEQUENTIAL_WITH_TTL;
  }
}
