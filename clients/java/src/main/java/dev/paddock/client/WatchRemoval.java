package dev.paddock.client;

import dev.paddock.client.PaddockException.NoWatcherException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import paddock.v1.Data;
import paddock.v1.Session;

/**
 * removeWatches and removeAllWatches: local watchers go at once; the server's watch goes only
 * when no watcher of the type is left on the path.
 */
final class WatchRemoval {
  private WatchRemoval() {}

  static CompletableFuture<Void> remove(
      SessionConnection session, boolean direct, String path, Watcher watcher, WatcherType type) {
    CompletableFuture<Void> result = new CompletableFuture<>();
    session.onIo(
        () -> {
          if (!session.watches.contains(path, watcher, type)) {
            result.completeExceptionally(
                new NoWatcherException(path, "no " + type + " watch to remove"));
            return;
          }
          Map<Watcher, EventType> removed = session.watches.remove(path, watcher, type);
          Runnable deliver =
              () -> {
                for (Map.Entry<Watcher, EventType> e : removed.entrySet()) {
                  e.getKey()
                      .process(new WatchedEvent(e.getValue(), SessionState.CONNECTED, path, -1));
                }
              };
          if (!session.watches.noneLeft(path, type)) {
            session.onEvents(deliver);
            if (direct) {
              result.complete(null);
            } else {
              session.onEvents(() -> result.complete(null));
            }
            return;
          }
          Data.RemoveWatchesRequest.Builder b =
              Data.RemoveWatchesRequest.newBuilder()
                  .setPath(path)
                  .setTypeValue(type.value());
          CompletableFuture<Object> f =
              session.submit(
                  new Pending(
                      Session.Request.newBuilder().setRemoveWatches(b),
                      Replies::removeWatches,
                      null,
                      direct,
                      false));
          f.whenComplete(
              (v, err) -> {
                // Removal events run on the event thread like every other watcher callback.
                if (err == null) {
                  session.onEvents(deliver);
                }
                Runnable done =
                    () -> {
                      if (err == null) {
                        result.complete(null);
                      } else {
                        result.completeExceptionally(Replies.unwrap(err));
                      }
                    };
                if (direct) {
                  done.run();
                } else {
                  session.onEvents(done);
                }
              });
        });
    return result;
  }
}
