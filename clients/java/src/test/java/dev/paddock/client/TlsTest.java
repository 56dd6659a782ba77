package dev.paddock.client;

import static dev.paddock.testing.Clients.bytes;
import static dev.paddock.testing.Clients.uniquePath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paddock.testing.PaddockServer;
import dev.paddock.testing.TestPki;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * TLS and mutual TLS to a secureClientPort: two servers of this class's own, started with a
 * zoo.cfg holding the ssl.* keys and certificates made by openssl for this run; one with
 * ssl.clientAuth=want (TLS with the CA alone), one with ssl.clientAuth=need.
 */
class TlsTest {
  private static TestPki pki;
  private static PaddockServer want;
  private static PaddockServer need;

  @BeforeAll
  static void start() throws Exception {
    pki = TestPki.make();
    CompletableFuture<PaddockServer> w = starting("want");
    CompletableFuture<PaddockServer> n = starting("need");
    want = w.join();
    need = n.join();
  }

  private static CompletableFuture<PaddockServer> starting(String clientAuth) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return PaddockServer.startWithConfig(pki.zooCfg(clientAuth));
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
  }

  @AfterAll
  static void stop() throws Exception {
    if (want != null) want.close();
    if (need != null) need.close();
    if (pki != null) pki.close();
  }

  private static ClientOptions.Builder options() {
    return ClientOptions.builder().sessionTimeoutMs(10_000).connectTimeoutMs(15_000);
  }

  @Test
  void tlsWithTheCa() throws Exception {
    try (PaddockClient c =
        PaddockClient.connect(want.secureAddress(), options().tls(pki.caCert()).build())) {
      String path = uniquePath("java-tls");
      c.blocking().create(path, bytes("secret"));
      assertEquals("secret", c.blocking().getData(path).dataAsString());
    }
  }

  @Test
  void plaintextToTheSecurePortFails() {
    assertThrows(
        PaddockException.class,
        () -> PaddockClient.connect(want.secureAddress(), options().connectTimeoutMs(3000).build()));
  }

  @Test
  void needRefusesWithoutAClientCertificate() {
    assertThrows(
        PaddockException.class,
        () ->
            PaddockClient.connect(
                need.secureAddress(), options().connectTimeoutMs(3000).tls(pki.caCert()).build()));
    assertThrows(
        PaddockException.class,
        () ->
            PaddockClient.connect(
                need.secureAddress(),
                options()
                    .connectTimeoutMs(3000)
                    .tls(pki.caCert(), pki.otherCert(), pki.otherKey())
                    .build()));
  }

  @Test
  void needAcceptsAClientCertificate() throws Exception {
    ClientOptions o = options().tls(pki.caCert(), pki.clientCert(), pki.clientKey()).build();
    try (PaddockClient c = PaddockClient.connect(need.secureAddress(), o)) {
      String path = uniquePath("java-mtls");
      c.blocking().create(path, bytes("mutual"));
      assertEquals("mutual", c.blocking().getData(path).dataAsString());
      assertTrue(
          c.blocking().whoAmI().contains(new ClientInfo("x509", "CN=java-client,O=Paddock")),
          "whoAmI: " + c.blocking().whoAmI());
    }
  }

  @Test
  void aCertificateWithoutItsKeyIsRefusedAtOnce() {
    assertThrows(
        IllegalArgumentException.class,
        () -> ClientOptions.builder().tls(pki.caCert(), pki.clientCert(), null));
  }
}
