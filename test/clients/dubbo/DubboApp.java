// An unchanged Dubbo 3 application on the plain Java API (DubboBootstrap) with a ZooKeeper registry:
// `provider` exports Greeter and stays up; `consumer` discovers it and calls it. Results are JSON
// lines on stdout; Dubbo's own log goes to stderr. Compiled by scripts/install-kafka-dubbo.sh.
//
//   DubboApp provider REGISTRY-ADDRESS HOST PORT SESSION-MS
//   DubboApp consumer REGISTRY-ADDRESS SESSION-MS NAME EXPECT   (EXPECT: reply | no-provider)
import java.lang.management.ManagementFactory;
import java.util.concurrent.CountDownLatch;
import org.apache.dubbo.config.ApplicationConfig;
import org.apache.dubbo.config.ProtocolConfig;
import org.apache.dubbo.config.ReferenceConfig;
import org.apache.dubbo.config.RegistryConfig;
import org.apache.dubbo.config.ServiceConfig;
import org.apache.dubbo.config.bootstrap.DubboBootstrap;

public final class DubboApp {
  public interface Greeter {
    String greet(String name);
  }

  public static final class GreeterImpl implements Greeter {
    @Override
    public String greet(String name) {
      return "hello " + name + " from " + pid();
    }
  }

  static String pid() {
    return ManagementFactory.getRuntimeMXBean().getName().split("@")[0];
  }

  static String quote(String s) {
    if (s == null) return "null";
    StringBuilder sb = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') sb.append('\\').append(c);
      else if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
      else sb.append(c);
    }
    return sb.append('"').toString();
  }

  static void emit(String json) {
    System.out.println(json);
    System.out.flush();
  }

  static RegistryConfig registry(String address, int sessionMs) {
    RegistryConfig registry = new RegistryConfig(address);
    registry.setSession(sessionMs);
    registry.setTimeout(30_000);
    return registry;
  }

  static ApplicationConfig application(String name) {
    ApplicationConfig app = new ApplicationConfig(name);
    app.setQosEnable(false);
    return app;
  }

  public static void main(String[] args) throws Exception {
    try {
      if (args[0].equals("provider")) provider(args);
      else if (args[0].equals("consumer")) consumer(args);
      else throw new IllegalArgumentException("unknown mode " + args[0]);
    } catch (Throwable t) {
      emit("{\"event\":\"error\",\"error\":" + quote(t.getClass().getName() + ": " + t.getMessage()) + "}");
      t.printStackTrace();
      System.exit(1);
    }
  }

  static void provider(String[] args) throws Exception {
    ProtocolConfig protocol = new ProtocolConfig("dubbo", Integer.parseInt(args[3]));
    protocol.setHost(args[2]);
    ServiceConfig<Greeter> service = new ServiceConfig<>();
    service.setInterface(Greeter.class);
    service.setRef(new GreeterImpl());
    DubboBootstrap.getInstance()
        .application(application("paddock-dubbo-provider"))
        .registry(registry(args[1], Integer.parseInt(args[4])))
        .protocol(protocol)
        .service(service)
        .start();
    emit("{\"event\":\"exported\",\"pid\":" + pid() + ",\"urls\":" + quote(String.valueOf(service.getExportedUrls())) + "}");
    new CountDownLatch(1).await();
  }

  static void consumer(String[] args) throws Exception {
    boolean expectReply = args[4].equals("reply");
    ReferenceConfig<Greeter> reference = new ReferenceConfig<>();
    reference.setInterface(Greeter.class);
    reference.setTimeout(10_000);
    reference.setRetries(0);
    // With a provider expected, fail at start if none is found; otherwise start and show the failure.
    reference.setCheck(expectReply);
    DubboBootstrap bootstrap = DubboBootstrap.getInstance()
        .application(application("paddock-dubbo-consumer"))
        .registry(registry(args[1], Integer.parseInt(args[2])))
        .reference(reference);
    bootstrap.start();
    Greeter greeter = reference.get();
    try {
      String reply = greeter.greet(args[3]);
      emit("{\"event\":\"reply\",\"reply\":" + quote(reply) + "}");
    } catch (Exception e) {
      emit("{\"event\":\"call-failed\",\"error\":" + quote(e.getClass().getName() + ": " + e.getMessage()) + "}");
    }
    bootstrap.stop();
    System.exit(0);
  }
}
