package dev.paddock.client;

import java.util.List;

/**
 * What a {@link Txn} did: {@code succeeded} when every condition held and the then-ops ran
 * (otherwise the else-ops ran), and one result per op of that branch.
 */
public record TxnResult(boolean succeeded, List<OpResult> results) {
  public TxnResult {
    results = List.copyOf(results);
  }
}
