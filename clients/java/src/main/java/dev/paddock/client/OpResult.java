package dev.paddock.client;

/** The result of one op of a multi. */
public sealed interface OpResult
    permits OpResult.CreateResult,
        OpResult.DeleteResult,
        OpResult.SetDataResult,
        OpResult.CheckResult,
        OpResult.ErrorResult {

  record CreateResult(String path, Stat stat) implements OpResult {}

  record DeleteResult() implements OpResult {}

  record SetDataResult(Stat stat) implements OpResult {}

  record CheckResult() implements OpResult {}

  /** In a failed multi: OK for ops before the failing one, its code, RUNTIME_INCONSISTENCY after. */
  record ErrorResult(ErrorCode code, String path, String message) implements OpResult {}
}
