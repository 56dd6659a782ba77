package dev.paddock.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real server per test class: {@code @RegisterExtension static final PaddockServerExtension
 * SERVER = new PaddockServerExtension("tickTime=200");}
 */
public final class PaddockServerExtension implements BeforeAllCallback, AfterAllCallback {
  private final String[] settings;
  private PaddockServer server;

  public PaddockServerExtension(String... settings) {
    this.settings = settings.clone();
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    server = PaddockServer.start(settings);
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (server != null) {
      server.close();
    }
  }

  public PaddockServer server() {
    return server;
  }

  public String address() {
    return server.address();
  }
}
