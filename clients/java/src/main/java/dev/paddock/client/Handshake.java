package dev.paddock.client;

import com.google.protobuf.ByteString;
import java.util.List;
import paddock.v1.Data;
import paddock.v1.Session;

/** The first message on every stream: opens a session, or resumes ours with its watches. */
final class Handshake {
  private Handshake() {}

  /**
   * A connect for sessionId (0: a new session) with every credential; a resume also re-registers
   * the watches, so the server fires those whose nodes changed after lastZxid.
   */
  static Session.ConnectRequest.Builder connectRequest(
      long sessionId,
      ByteString password,
      int timeoutMs,
      long lastZxid,
      List<ClientOptions.AuthInfo> auth,
      WatchRegistry watches) {
    Session.ConnectRequest.Builder req =
        Session.ConnectRequest.newBuilder()
            .setSessionId(sessionId)
            .setPassword(password)
            .setTimeoutMs(timeoutMs)
            .setLastZxidSeen(lastZxid);
    for (ClientOptions.AuthInfo a : auth) {
      req.addAuth(
          Data.AddAuthRequest.newBuilder()
              .setScheme(a.scheme())
              .setAuth(ByteString.copyFrom(a.auth())));
    }
    if (sessionId != 0 && !watches.isEmpty()) {
      req.setWatches(watches.toSetWatches(lastZxid));
    }
    return req;
  }

  /** The connect alone in an envelope. */
  static Session.SessionRequest envelope(Session.ConnectRequest.Builder req) {
    return Session.SessionRequest.newBuilder()
        .addMessages(Session.ClientMessage.newBuilder().setConnect(req))
        .build();
  }
}
