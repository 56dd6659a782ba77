package dev.paddock.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Test certificates made with the openssl command in a fresh temporary directory (no key is
 * committed): a CA, a server certificate for 127.0.0.1/localhost as ZooKeeper's PEM key store (key
 * and chain in one file), a client certificate signed by the CA and one signed by another CA.
 */
public final class TestPki implements AutoCloseable {
  private static final String SERVER_EXT =
      "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n"
          + "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n";
  private static final String CLIENT_EXT =
      "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n"
          + "extendedKeyUsage=clientAuth\n";

  public final Path dir;

  private TestPki(Path dir) {
    this.dir = dir;
  }

  public static TestPki make() throws IOException, InterruptedException {
    TestPki p = new TestPki(Files.createTempDirectory("paddock-java-pki-"));
    p.ca("ca", "/CN=Paddock Java Test CA/O=Paddock");
    p.ca("other-ca", "/CN=Other CA/O=Elsewhere");
    p.leaf("ca", "server", "/O=Paddock/CN=paddock-server", SERVER_EXT);
    p.leaf("ca", "client", "/O=Paddock/CN=java-client", CLIENT_EXT);
    p.leaf("other-ca", "other", "/O=Elsewhere/CN=intruder", CLIENT_EXT);
    StringBuilder store = new StringBuilder();
    for (String f : List.of("server.key", "server.crt", "ca.crt")) {
      store.append(Files.readString(p.dir.resolve(f), StandardCharsets.UTF_8));
    }
    Files.writeString(p.dir.resolve("server.pem"), store, StandardCharsets.UTF_8);
    return p;
  }

  public Path caCert() {
    return dir.resolve("ca.crt");
  }

  public Path clientCert() {
    return dir.resolve("client.crt");
  }

  public Path clientKey() {
    return dir.resolve("client.key");
  }

  public Path otherCert() {
    return dir.resolve("other.crt");
  }

  public Path otherKey() {
    return dir.resolve("other.key");
  }

  /** zoo.cfg text opening a secureClientPort (port 0) with the PEM stores and this clientAuth. */
  public String zooCfg(String clientAuth) {
    return "secureClientPort=0\n"
        + "ssl.keyStore.location=" + dir.resolve("server.pem") + "\nssl.keyStore.type=PEM\n"
        + "ssl.trustStore.location=" + caCert() + "\nssl.trustStore.type=PEM\n"
        + "ssl.clientAuth=" + clientAuth + "\n";
  }

  private void ca(String name, String subject) throws IOException, InterruptedException {
    openssl("genrsa", "-out", name + ".key", "2048");
    openssl("req", "-new", "-x509", "-days", "2", "-key", name + ".key", "-out", name + ".crt",
        "-subj", subject, "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign");
  }

  private void leaf(String issuer, String name, String subject, String ext)
      throws IOException, InterruptedException {
    openssl("genrsa", "-out", name + ".key", "2048");
    openssl("req", "-new", "-key", name + ".key", "-out", name + ".csr", "-subj", subject);
    Files.writeString(dir.resolve(name + ".ext"), ext, StandardCharsets.UTF_8);
    openssl("x509", "-req", "-days", "2", "-in", name + ".csr", "-CA", issuer + ".crt",
        "-CAkey", issuer + ".key", "-CAcreateserial", "-out", name + ".crt",
        "-extfile", name + ".ext");
  }

  private void openssl(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add("openssl");
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException("openssl " + String.join(" ", args) + " failed:\n" + out);
    }
  }

  @Override
  public void close() throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }
}
