package dev.paddock.client;

/**
 * A {@link PaddockException} from where a checked one cannot go (an {@link java.util.Iterator} of
 * {@link ChildrenListing}); {@link #getCause()} is the original, with its code and path.
 */
public final class UncheckedPaddockException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UncheckedPaddockException(PaddockException cause) {
    super(cause.getMessage(), cause);
  }

  @Override
  public synchronized PaddockException getCause() {
    return (PaddockException) super.getCause();
  }
}
