package dev.paddock.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.paddock.client.PaddockException.BadVersionException;
import dev.paddock.client.PaddockException.ReconfigDisabledException;
import dev.paddock.client.PaddockException.UnimplementedException;
import dev.paddock.testing.PaddockEnsemble;
import dev.paddock.testing.PaddockServer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import paddock.v1.Data;

/** reconfig: refusals on standalone servers, and a real reconfig on a real 3-member ensemble. */
class ReconfigTest {
  private static final Pattern SERVER_ID = Pattern.compile("(?m)^server\\.(\\d+)=");
  private static final Pattern VERSION = Pattern.compile("(?m)^version=([0-9a-f]+)$");

  /** zoo.cfg's superDigest for super:secret (ZooKeeper's digest: base64 of SHA-1). */
  private static String superDigest() throws Exception {
    byte[] secret = "super:secret".getBytes(StandardCharsets.UTF_8);
    byte[] sha = MessageDigest.getInstance("SHA-1").digest(secret);
    return "superDigest=super:" + Base64.getEncoder().encodeToString(sha);
  }

  private static PaddockClient connectAsSuper(String address) throws Exception {
    ClientOptions o =
        ClientOptions.builder().sessionTimeoutMs(10_000).digestAuth("super:secret").build();
    return PaddockClient.connect(address, o);
  }

  private static List<Integer> ids(DataResult config) {
    List<Integer> out = new ArrayList<>();
    Matcher m = SERVER_ID.matcher(config.dataAsString());
    while (m.find()) {
      out.add(Integer.parseInt(m.group(1)));
    }
    out.sort(null);
    return out;
  }

  /** The config's version= line (hex), which is its node's mzxid. */
  private static long version(DataResult config) {
    Matcher m = VERSION.matcher(config.dataAsString());
    assertTrue(m.find(), config.dataAsString());
    long v = Long.parseUnsignedLong(m.group(1), 16);
    assertEquals(config.stat().mzxid(), v);
    return v;
  }

  @Test
  void everyWireErrorCodeHasItsEnumConstant() {
    for (Data.ErrorCode wire : Data.ErrorCode.values()) {
      if (wire != Data.ErrorCode.UNRECOGNIZED) {
        assertEquals(wire.getNumber(), ErrorCode.fromValue(wire.getNumber()).value(), wire.name());
      }
    }
    assertEquals(ErrorCode.values().length, Data.ErrorCode.values().length - 1);
  }

  @Test
  void refusedOnStandaloneServers() throws Exception {
    // Without reconfigEnabled: ReconfigDisabled, as ZooKeeper.
    try (PaddockServer off = PaddockServer.start(superDigest());
        PaddockClient c = connectAsSuper(off.address())) {
      ReconfigDisabledException e =
          assertThrows(
              ReconfigDisabledException.class,
              () -> c.blocking().reconfig(null, List.of("2"), null, -1));
      assertEquals(ErrorCode.RECONFIG_DISABLED, e.code());
      assertTrue(e.getMessage().startsWith("RECONFIG_DISABLED: "), e.getMessage());
      assertTrue(e.getMessage().contains("reconfigEnabled=true"), e.getMessage());
    }
    // With it, a standalone server still cannot change members: Unimplemented.
    try (PaddockServer alone = PaddockServer.start("reconfigEnabled=true", superDigest());
        PaddockClient c = connectAsSuper(alone.address())) {
      List<String> members = List.of("server.1=127.0.0.1:2888:3888;2181");
      CompletableFuture<DataResult> f = c.reconfig(null, null, members, -1);
      ExecutionException e = assertThrows(ExecutionException.class, f::get);
      UnimplementedException u = assertInstanceOf(UnimplementedException.class, e.getCause());
      assertTrue(u.getMessage().contains("runs standalone"), u.getMessage());
    }
  }

  @Test
  void removesAndAddsBackAMemberOfARealEnsemble() throws Exception {
    try (PaddockEnsemble ensemble = PaddockEnsemble.start(3, "reconfigEnabled=true", superDigest());
        PaddockClient c = connectAsSuper(ensemble.member(ensemble.leader()).address())) {
      PaddockEnsemble.Member follower =
          ensemble.members().stream().filter(m -> m.id() != ensemble.leader()).findFirst().get();
      List<Integer> others = new ArrayList<>(List.of(1, 2, 3));
      others.remove(Integer.valueOf(follower.id()));
      BlockingClient b = c.blocking();
      long v0 = version(b.getData("/zookeeper/config"));

      // Incremental: the follower leaves; the returned config no longer lists it.
      DataResult removed = b.reconfig(null, List.of(Integer.toString(follower.id())), null, v0);
      assertEquals(others, ids(removed), removed.dataAsString());
      long v1 = version(removed);
      assertTrue(v1 > v0);

      // From a configuration that is no longer current: BadVersion, naming it.
      List<String> joining = List.of(follower.line());
      BadVersionException stale =
          assertThrows(BadVersionException.class, () -> b.reconfig(joining, null, null, v0));
      String staleText = stale.getMessage();
      assertTrue(staleText.contains("version " + Long.toHexString(v0)), staleText);

      // Incremental: it joins again, with its client port.
      DataResult added = b.reconfig(joining, null, null, v1);
      assertEquals(List.of(1, 2, 3), ids(added));
      assertTrue(added.dataAsString().contains(follower.line() + "\n"), added.dataAsString());
      long v2 = version(added);

      // Bulk: the members without the follower, then with it again.
      List<String> lines =
          added.dataAsString().lines().filter(l -> l.startsWith("server.")).toList();
      List<String> without = lines.stream().filter(l -> !l.equals(follower.line())).toList();
      DataResult bulk = b.reconfig(null, null, without, v2);
      assertEquals(others, ids(bulk));
      DataResult back = b.reconfig(null, null, lines, -1);
      assertEquals(List.of(1, 2, 3), ids(back));
      assertTrue(version(back) > version(bulk));
    }
  }
}
