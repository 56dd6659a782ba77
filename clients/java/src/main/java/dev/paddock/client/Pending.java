package dev.paddock.client;

import java.util.concurrent.CompletableFuture;
import paddock.v1.Session;

/** One request on its way: the op, how to read its reply, and whom to tell. */
final class Pending {
  /** Reads a reply into the caller's result, or throws the error it carries. */
  @FunctionalInterface
  interface Decoder {
    Object decode(Session.Reply reply) throws PaddockException;
  }

  /** Runs on the I/O thread when the reply arrives, before anyone is told (watch bookkeeping). */
  @FunctionalInterface
  interface Hook {
    void onReply(Session.Reply reply, boolean ok);
  }

  final Session.Request.Builder request;
  final Decoder decoder;
  final Hook hook;
  final CompletableFuture<Object> future = new CompletableFuture<>();
  /** Complete on the I/O thread (blocking callers) rather than in order on the event thread. */
  final boolean direct;
  /** A ping or close: not a user request. */
  final boolean internal;
  int xid;

  Pending(
      Session.Request.Builder request, Decoder decoder, Hook hook, boolean direct, boolean internal) {
    this.request = request;
    this.decoder = decoder;
    this.hook = hook;
    this.direct = direct;
    this.internal = internal;
  }

  /**
   * Reads the reply (a decoder that breaks is a marshalling error), runs the hook, then completes
   * the future through events (I/O thread).
   */
  void settle(Session.Reply reply, EventDispatcher events) {
    Object value = null;
    PaddockException error = null;
    try {
      value = decoder.decode(reply);
    } catch (PaddockException e) {
      error = e;
    } catch (RuntimeException e) {
      error = new PaddockException(ErrorCode.MARSHALLING_ERROR, null, "bad reply: " + e);
    }
    if (hook != null) {
      hook.onReply(reply, error == null);
    }
    events.complete(this, value, error);
  }

  /** A ping or close: no result, completed on the I/O thread. */
  static Pending internal(Session.Request.Builder request) {
    return new Pending(request, r -> null, null, true, true);
  }

  /** The error of a failed reply as the matching exception; a no-op when it succeeded. */
  static void check(Session.Reply reply) throws PaddockException {
    if (reply.hasError() && reply.getError().getCodeValue() != 0) {
      throw Protos.error(reply.getError());
    }
  }
}
