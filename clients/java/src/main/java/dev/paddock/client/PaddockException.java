package dev.paddock.client;

import java.util.List;

/**
 * A failed request, with ZooKeeper's code and the path it concerns. The nested subclasses mirror
 * ZooKeeper's {@code KeeperException} ones, so {@code catch (NoNodeException e)} reads the same.
 * A failed multi throws the first failing op's exception, with every op's result in {@link
 * #results()}.
 */
public class PaddockException extends Exception {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;
  private final String path;
  private transient List<OpResult> results;
  private transient Boolean txnSucceeded;

  public PaddockException(ErrorCode code, String path, String message) {
    super(describe(code, path, message));
    this.code = code;
    this.path = path == null || path.isEmpty() ? null : path;
  }

  private static String describe(ErrorCode code, String path, String message) {
    StringBuilder sb = new StringBuilder(code.name());
    if (path != null && !path.isEmpty()) {
      sb.append(" for ").append(path);
    }
    String detail = detail(code, path, message);
    if (!detail.isEmpty()) {
      sb.append(": ").append(detail);
    }
    return sb.toString();
  }

  /**
   * What the text does not say already: the server writes "BadVersion for /p: expected 0, is 1"
   * and the text names the code and the path itself, so each fact is said once.
   */
  static String detail(ErrorCode code, String path, String message) {
    if (message == null) {
      return "";
    }
    String name = code.name().replace("_", "");
    if (message.equalsIgnoreCase(name)) {
      return "";
    }
    if (path != null && !path.isEmpty()) {
      String head = name + " for " + path;
      if (message.regionMatches(true, 0, head, 0, head.length())) {
        String rest = message.substring(head.length());
        if (rest.isEmpty()) {
          return "";
        }
        if (rest.startsWith(": ")) {
          return rest.substring(2);
        }
      }
    }
    return message;
  }

  public ErrorCode code() {
    return code;
  }

  /** The path the error concerns, or null. */
  public String path() {
    return path;
  }

  /** For a failed multi: one result per op (OK, the failing code, RUNTIME_INCONSISTENCY); else null. */
  public List<OpResult> results() {
    return results;
  }

  PaddockException withResults(List<OpResult> results) {
    this.results = results;
    return this;
  }

  /**
   * For a txn whose branch failed: true if it was the then-branch, false the else-branch; null
   * for any other error (a refused condition ran no branch).
   */
  public Boolean txnSucceeded() {
    return txnSucceeded;
  }

  PaddockException withTxnSucceeded(boolean succeeded) {
    this.txnSucceeded = succeeded;
    return this;
  }

  /** The exception type matching a wire error code. */
  public static PaddockException create(ErrorCode code, String path, String message) {
    return switch (code) {
      case NO_NODE -> new NoNodeException(path, message);
      case NODE_EXISTS -> new NodeExistsException(path, message);
      case BAD_VERSION -> new BadVersionException(path, message);
      case NOT_EMPTY -> new NotEmptyException(path, message);
      case NO_AUTH -> new NoAuthException(path, message);
      case SESSION_EXPIRED -> new SessionExpiredException(message);
      case CONNECTION_LOSS -> new ConnectionLossException(message);
      case BAD_ARGUMENTS -> new BadArgumentsException(path, message);
      case INVALID_ACL -> new InvalidAclException(path, message);
      case NO_CHILDREN_FOR_EPHEMERALS -> new NoChildrenForEphemeralsException(path, message);
      case NO_WATCHER -> new NoWatcherException(path, message);
      case AUTH_FAILED -> new AuthFailedException(message);
      case OPERATION_TIMEOUT -> new OperationTimeoutException(message);
      case REQUEST_TIMEOUT -> new RequestTimeoutException(path, message);
      case UNIMPLEMENTED -> new UnimplementedException(message);
      case THROTTLED -> new ThrottledException(message);
      case QUOTA_EXCEEDED -> new QuotaExceededException(path, message);
      case RUNTIME_INCONSISTENCY -> new RuntimeInconsistencyException(path, message);
      case NEW_CONFIG_NO_QUORUM -> new NewConfigNoQuorumException(message);
      case RECONFIG_IN_PROGRESS -> new ReconfigInProgressException(message);
      case RECONFIG_DISABLED -> new ReconfigDisabledException(message);
      default -> new PaddockException(code, path, message);
    };
  }

  public static class NoNodeException extends PaddockException {
    private static final long serialVersionUID = 1L;

    public NoNodeException(String path, String message) {
      super(ErrorCode.NO_NODE, path, message);
    }
  }

  public static class NodeExistsException extends PaddockException {
    private static final long serialVersionUID = 1L;

    public NodeExistsException(String path, String message) {
      super(ErrorCode.NODE_EXISTS, path, message);
    }
  }

  public static class BadVersionException extends PaddockException {
    private static final long serialVersionUID = 1L;

    public BadVersionException(String path, String message) {
      super(ErrorCode.BAD_VERSION, path, message);
    }
  }

  public static class NotEmptyException extends PaddockException {
    private static final long serialVersionUID = 1L;

    public NotEmptyException(String path, String message) {
      super(ErrorCode.NOT_EMPTY, path, message);
    }
  }

  public static class NoAuthException extends PaddockException {
    private static final long serialVersionUID = 1L;

    public NoAuthException(String path, String message) {
      super(ErrorCode.NO_AUTH, path, message);
    }
  }

  public static class SessionExpiredException extends PaddockException {
    private static final long serialVersionUID = 1L;

    public SessionExpiredException(String message) {
      super(ErrorCode.SESSION_EXPIRED, null, message);
    }
  }

  public static class ConnectionLossException extends PaddockException {
    private static final long serialVersionUID = 1L;

    public ConnectionLossException(String message) {
      super(ErrorCode.CONNECTION_LOSS, null, message);
    }
  }

  public static class BadArgumentsException extends PaddockException {
    private static final long serialVersionUID = 1L;

    public BadArgumentsException(String path, String message) {
      super(ErrorCode.BAD_ARGUMENTS, path, message);
    }
  }

  public static class InvalidAclException extends PaddockException {
    private static final long serialVersionUID = 1L;

    public InvalidAclException(String path, String message) {
      super(ErrorCode.INVALID_ACL, path, message);
    }
  }

  public static class NoChildrenForEphemeralsException extends PaddockException {
    private static final long serialVersionUID = 1L;

    public NoChildrenForEphemeralsException(String path, String message) {
      super(ErrorCode.NO_CHILDREN_FOR_EPHEMERALS, path, message);
    }
  }

  public static class NoWatcherException extends PaddockException {
    private static final long serialVersionUID = 1L;

    public NoWatcherException(String path, String message) {
      super(ErrorCode.NO_WATCHER, path, message);
    }
  }

  public static class AuthFailedException extends PaddockException {
    private static final long serialVersionUID = 1L;

    public AuthFailedException(String message) {
      super(ErrorCode.AUTH_FAILED, null, message);
    }
  }

  public static class OperationTimeoutException extends PaddockException {
    private static final long serialVersionUID = 1L;

    public OperationTimeoutException(String message) {
      super(ErrorCode.OPERATION_TIMEOUT, null, message);
    }
  }

  public static class RequestTimeoutException extends PaddockException {
    private static final long serialVersionUID = 1L;

    public RequestTimeoutException(String path, String message) {
      super(ErrorCode.REQUEST_TIMEOUT, path, message);
    }
  }

  public static class UnimplementedException extends PaddockException {
    private static final long serialVersionUID = 1L;

    public UnimplementedException(String message) {
      super(ErrorCode.UNIMPLEMENTED, null, message);
    }
  }

  /** Too many requests: the client's bounded queue is full, or the server throttled. */
  public static class ThrottledException extends PaddockException {
    private static final long serialVersionUID = 1L;

    public ThrottledException(String message) {
      super(ErrorCode.THROTTLED, null, message);
    }
  }

  public static class QuotaExceededException extends PaddockException {
    private static final long serialVersionUID = 1L;

    public QuotaExceededException(String path, String message) {
      super(ErrorCode.QUOTA_EXCEEDED, path, message);
    }
  }

  public static class RuntimeInconsistencyException extends PaddockException {
    private static final long serialVersionUID = 1L;

    public RuntimeInconsistencyException(String path, String message) {
      super(ErrorCode.RUNTIME_INCONSISTENCY, path, message);
    }
  }

  /** reconfig: too few voters of the new configuration are in sync with the leader. */
  public static class NewConfigNoQuorumException extends PaddockException {
    private static final long serialVersionUID = 1L;

    public NewConfigNoQuorumException(String message) {
      super(ErrorCode.NEW_CONFIG_NO_QUORUM, null, message);
    }
  }

  /** reconfig: another reconfiguration is proposed and not yet committed. */
  public static class ReconfigInProgressException extends PaddockException {
    private static final long serialVersionUID = 1L;

    public ReconfigInProgressException(String message) {
      super(ErrorCode.RECONFIG_IN_PROGRESS, null, message);
    }
  }

  /** reconfig on a server without reconfigEnabled=true. */
  public static class ReconfigDisabledException extends PaddockException {
    private static final long serialVersionUID = 1L;

    public ReconfigDisabledException(String message) {
      super(ErrorCode.RECONFIG_DISABLED, null, message);
    }
  }
}
