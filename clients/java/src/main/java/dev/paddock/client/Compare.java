package dev.paddock.client;

import java.util.Objects;
import paddock.v1.Data;

/**
 * One condition of a {@link Txn}: {@code <target of path> <operator> value}, on a Stat field or on
 * existence, e.g. {@code Compare.mzxid("/cfg").eq(seen.mzxid())} or {@code
 * Compare.notExists("/lock")}. On a missing node only existence can hold; every other condition
 * is false there, whatever the operator. A condition on an existing node needs READ on it.
 */
public final class Compare {
  /** What is compared: a node's existence (1 or 0) or one of its Stat fields. */
  public enum Target {
    EXISTS(1),
    VERSION(2),
    CVERSION(3),
    AVERSION(4),
    CZXID(5),
    MZXID(6),
    PZXID(7),
    NUM_CHILDREN(8),
    EPHEMERAL_OWNER(9),
    DATA_LENGTH(10);

    private final int wire;

    Target(int wire) {
      this.wire = wire;
    }
  }

  public enum Operator {
    EQUAL(1, "="),
    NOT_EQUAL(2, "!="),
    LESS(3, "<"),
    GREATER(4, ">");

    private final int wire;
    private final String symbol;

    Operator(int wire, String symbol) {
      this.wire = wire;
      this.symbol = symbol;
    }
  }

  private final String path;
  private final Target target;
  private final Operator operator;
  private final long value;

  private Compare(String path, Target target, Operator operator, long value) {
    this.path = Objects.requireNonNull(path, "path");
    this.target = Objects.requireNonNull(target, "target");
    this.operator = Objects.requireNonNull(operator, "operator");
    this.value = value;
  }

  /** Any condition; existence takes EQUAL or NOT_EQUAL with 1 (exists) or 0. */
  public static Compare of(String path, Target target, Operator operator, long value) {
    if (target == Target.EXISTS
        && (operator == Operator.LESS || operator == Operator.GREATER || value < 0 || value > 1)) {
      throw new IllegalArgumentException(
          "existence of " + path + " takes = or != with 1 or 0, not "
              + operator.symbol
              + " "
              + value);
    }
    return new Compare(path, target, operator, value);
  }

  public static Compare exists(String path) {
    return of(path, Target.EXISTS, Operator.EQUAL, 1);
  }

  public static Compare notExists(String path) {
    return of(path, Target.EXISTS, Operator.EQUAL, 0);
  }

  public static Field version(String path) {
    return new Field(path, Target.VERSION);
  }

  public static Field cversion(String path) {
    return new Field(path, Target.CVERSION);
  }

  public static Field aversion(String path) {
    return new Field(path, Target.AVERSION);
  }

  public static Field czxid(String path) {
    return new Field(path, Target.CZXID);
  }

  public static Field mzxid(String path) {
    return new Field(path, Target.MZXID);
  }

  public static Field pzxid(String path) {
    return new Field(path, Target.PZXID);
  }

  public static Field numChildren(String path) {
    return new Field(path, Target.NUM_CHILDREN);
  }

  /** The owning session's id (0 for a node that is not ephemeral). */
  public static Field ephemeralOwner(String path) {
    return new Field(path, Target.EPHEMERAL_OWNER);
  }

  public static Field dataLength(String path) {
    return new Field(path, Target.DATA_LENGTH);
  }

  /** A Stat field of a node, waiting for its operator and value. */
  public static final class Field {
    private final String path;
    private final Target target;

    private Field(String path, Target target) {
      this.path = path;
      this.target = target;
    }

    public Compare eq(long value) {
      return of(path, target, Operator.EQUAL, value);
    }

    public Compare ne(long value) {
      return of(path, target, Operator.NOT_EQUAL, value);
    }

    public Compare lt(long value) {
      return of(path, target, Operator.LESS, value);
    }

    public Compare gt(long value) {
      return of(path, target, Operator.GREATER, value);
    }
  }

  public String path() {
    return path;
  }

  public Target target() {
    return target;
  }

  public Operator operator() {
    return operator;
  }

  public long value() {
    return value;
  }

  Data.Compare toProto() {
    return Data.Compare.newBuilder()
        .setPath(path)
        .setTargetValue(target.wire)
        .setOpValue(operator.wire)
        .setValue(value)
        .build();
  }

  @Override
  public String toString() {
    return target + " of " + path + " " + operator.symbol + " " + value;
  }
}
