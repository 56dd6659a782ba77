package dev.paddock.client;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import paddock.v1.Data;
import paddock.v1.Session;

/**
 * A compare-transaction (a Paddock extension, etcd's Txn on a tree): when every condition holds
 * the then-ops run, otherwise the else-ops, each branch as one atomic multi, decided on the leader
 * against every change proposed before. Built as {@code Txn.when(Compare.version(p).eq(3))
 * .then(Op.setData(p, v, -1)).orElse(Op.check(p, -1)).build()} and run with {@link
 * PaddockClient#txn}. Conditions and ops together count against the server's multiOpsMax.
 */
public final class Txn {
  private final List<Compare> conditions;
  private final List<Op> thenOps;
  private final List<Op> elseOps;

  private Txn(Builder b) {
    this.conditions = List.copyOf(b.conditions);
    this.thenOps = List.copyOf(b.thenOps);
    this.elseOps = List.copyOf(b.elseOps);
  }

  /** A builder holding these conditions (none: the then-branch always runs). */
  public static Builder when(Compare... conditions) {
    return new Builder().when(conditions);
  }

  public static Builder builder() {
    return new Builder();
  }

  public List<Compare> conditions() {
    return conditions;
  }

  public List<Op> thenOps() {
    return thenOps;
  }

  public List<Op> elseOps() {
    return elseOps;
  }

  /** Each call adds to what was given before. */
  public static final class Builder {
    private final List<Compare> conditions = new ArrayList<>();
    private final List<Op> thenOps = new ArrayList<>();
    private final List<Op> elseOps = new ArrayList<>();

    private Builder() {}

    public Builder when(Compare... more) {
      return when(Arrays.asList(more));
    }

    public Builder when(List<Compare> more) {
      conditions.addAll(more);
      return this;
    }

    public Builder then(Op... ops) {
      return then(Arrays.asList(ops));
    }

    public Builder then(List<Op> ops) {
      thenOps.addAll(ops);
      return this;
    }

    public Builder orElse(Op... ops) {
      return orElse(Arrays.asList(ops));
    }

    public Builder orElse(List<Op> ops) {
      elseOps.addAll(ops);
      return this;
    }

    public Txn build() {
      return new Txn(this);
    }
  }

  Data.TxnRequest toProto() {
    Data.TxnRequest.Builder b = Data.TxnRequest.newBuilder();
    conditions.forEach(c -> b.addCompare(c.toProto()));
    thenOps.forEach(o -> b.addThenOps(o.toProto()));
    elseOps.forEach(o -> b.addElseOps(o.toProto()));
    return b.build();
  }

  /**
   * The branch's results, or the failure: a failing op throws as multi does, with every op's
   * result and the branch ({@link PaddockException#txnSucceeded()}); a refused condition (NoAuth,
   * BadArguments) throws without them, as no branch ran.
   */
  TxnResult result(Session.Reply r) throws PaddockException {
    if (!r.hasTxn()) {
      Pending.check(r);
      throw new PaddockException(ErrorCode.MARSHALLING_ERROR, null, "txn reply without a result");
    }
    boolean succeeded = r.getTxn().getSucceeded();
    List<OpResult> results = Protos.opResults(r.getTxn().getResultsList());
    if (r.hasError() && r.getError().getCodeValue() != 0) {
      Data.Error e = r.getError();
      if (e.getPath().isEmpty()) {
        List<Op> branch = succeeded ? thenOps : elseOps;
        e = e.toBuilder().setPath(Replies.failingPath(branch, results)).build();
      }
      throw Protos.error(e).withResults(results).withTxnSucceeded(succeeded);
    }
    return new TxnResult(succeeded, results);
  }
}
