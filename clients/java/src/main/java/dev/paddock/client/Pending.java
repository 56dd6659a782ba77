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

  /** The error of a failed reply as the matching exception; a no-op when it succeeded. */
  static void check(Session.Reply reply) throws PaddockException {
    if (reply.hasError() && reply.getError().getCodeValue() != 0) {
      throw Protos.error(reply.getError());
    }
  }
}
