// Kafka's own clients (AdminClient, KafkaProducer, KafkaConsumer) driving a broker whose metadata
// lives in ZooKeeper (Paddock or Apache ZooKeeper). One command per run; every result is one JSON
// line on stdout; any failure prints {"error":...} and exits 1.
// Compiled by scripts/install-kafka-dubbo.sh into .cache/kafka/classes.
//
//   KafkaTool BOOTSTRAP create TOPIC PARTITIONS
//   KafkaTool BOOTSTRAP describe TOPIC
//   KafkaTool BOOTSTRAP add-partitions TOPIC TOTAL
//   KafkaTool BOOTSTRAP set-config TOPIC KEY VALUE
//   KafkaTool BOOTSTRAP delete TOPIC
//   KafkaTool BOOTSTRAP list
//   KafkaTool BOOTSTRAP produce TOPIC COUNT
//   KafkaTool BOOTSTRAP consume TOPIC COUNT
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

public final class KafkaTool {
  private static final long DEADLINE_MS = 60_000;

  /** No command may outlive this: a hung client prints an error line and exits 1. */
  private static final long WATCHDOG_MS = 75_000;

  public static void main(String[] args) {
    Thread watchdog = new Thread(() -> {
      try {
        Thread.sleep(WATCHDOG_MS);
      } catch (InterruptedException e) {
        return;
      }
      System.out.println("{\"error\":" + quote("no result in " + WATCHDOG_MS + " ms") + ",\"command\":" + quote(String.join(" ", args)) + "}");
      System.out.flush();
      Runtime.getRuntime().halt(1);
    });
    watchdog.setDaemon(true);
    watchdog.start();
    try {
      run(args);
      System.exit(0);
    } catch (Throwable t) {
      Throwable cause = t instanceof ExecutionException && t.getCause() != null ? t.getCause() : t;
      System.out.println(
          "{\"error\":"
              + quote(cause.getClass().getName() + ": " + cause.getMessage())
              + ",\"command\":"
              + quote(String.join(" ", args))
              + "}");
      System.out.flush();
      System.exit(1);
    }
  }

  private static void run(String[] args) throws Exception {
    String bootstrap = args[0];
    String command = args[1];
    switch (command) {
      case "produce":
        produce(bootstrap, args[2], Integer.parseInt(args[3]));
        return;
      case "consume":
        consume(bootstrap, args[2], Integer.parseInt(args[3]));
        return;
      default:
        break;
    }
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "30000");
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "60000");
    try (Admin admin = Admin.create(props)) {
      switch (command) {
        case "create": {
          String topic = args[2];
          int partitions = Integer.parseInt(args[3]);
          admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
          // The controller writes the assignment to ZooKeeper, then the broker learns leaders:
          // wait until every partition has one, as a client would before producing.
          waitForLeaders(admin, topic, partitions);
          System.out.println(describe(admin, topic));
          return;
        }
        case "describe":
          System.out.println(describe(admin, args[2]));
          return;
        case "add-partitions": {
          String topic = args[2];
          int total = Integer.parseInt(args[3]);
          admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(total))).all().get();
          waitForLeaders(admin, topic, total);
          System.out.println(describe(admin, topic));
          return;
        }
        case "set-config": {
          String topic = args[2];
          ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
          AlterConfigOp op = new AlterConfigOp(new ConfigEntry(args[3], args[4]), AlterConfigOp.OpType.SET);
          admin.incrementalAlterConfigs(Map.of(resource, List.of(op))).all().get();
          System.out.println(describe(admin, topic));
          return;
        }
        case "delete": {
          String topic = args[2];
          admin.deleteTopics(List.of(topic)).all().get();
          long deadline = System.currentTimeMillis() + DEADLINE_MS;
          while (admin.listTopics().names().get().contains(topic)) {
            if (System.currentTimeMillis() > deadline)
              throw new IllegalStateException("topic " + topic + " still listed " + DEADLINE_MS + " ms after delete");
            Thread.sleep(50);
          }
          System.out.println("{\"deleted\":" + quote(topic) + ",\"topics\":" + list(admin.listTopics().names().get()) + "}");
          return;
        }
        case "list":
          System.out.println("{\"topics\":" + list(admin.listTopics().names().get()) + "}");
          return;
        default:
          throw new IllegalArgumentException("unknown command " + command);
      }
    }
  }

  private static void waitForLeaders(Admin admin, String topic, int partitions) throws Exception {
    long deadline = System.currentTimeMillis() + DEADLINE_MS;
    for (;;) {
      try {
        TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
        if (d.partitions().size() == partitions && d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()))
          return;
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)) throw e;
      }
      if (System.currentTimeMillis() > deadline)
        throw new IllegalStateException(topic + ": " + partitions + " partitions with leaders not seen in " + DEADLINE_MS + " ms");
      Thread.sleep(50);
    }
  }

  private static String describe(Admin admin, String topic) throws Exception {
    TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
    Map<String, String> overrides = new TreeMap<>();
    for (ConfigEntry e : config.entries())
      if (e.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG) overrides.put(e.name(), e.value());
    StringBuilder sb = new StringBuilder();
    sb.append("{\"topic\":").append(quote(topic)).append(",\"partitions\":").append(d.partitions().size());
    sb.append(",\"leaders\":[");
    for (int i = 0; i < d.partitions().size(); i++) {
      if (i > 0) sb.append(',');
      var leader = d.partitions().get(i).leader();
      sb.append(leader == null ? -1 : leader.id());
    }
    sb.append("],\"config\":{");
    boolean first = true;
    for (var e : overrides.entrySet()) {
      if (!first) sb.append(',');
      first = false;
      sb.append(quote(e.getKey())).append(':').append(quote(e.getValue()));
    }
    sb.append("}}");
    return sb.toString();
  }

  /** Message i: key "k-i", value "m-i-" + sha256("m-i") so corruption or mix-ups are visible. */
  static String value(int i) throws Exception {
    String base = "m-" + i;
    byte[] h = MessageDigest.getInstance("SHA-256").digest(base.getBytes(StandardCharsets.UTF_8));
    StringBuilder sb = new StringBuilder(base).append('-');
    for (byte b : h) sb.append(String.format("%02x", b));
    return sb.toString();
  }

  private static void produce(String bootstrap, String topic, int count) throws Exception {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    // Kafka's default (true); -Dkafka.tool.idempotence=false only for diagnosing by hand.
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, System.getProperty("kafka.tool.idempotence", "true"));
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "20000");
    Map<Integer, Integer> perPartition = new TreeMap<>();
    KafkaProducer<String, String> producer = new KafkaProducer<>(props);
    try {
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      for (int i = 0; i < count; i++) sent.add(producer.send(new ProducerRecord<>(topic, "k-" + i, value(i))));
      for (Future<RecordMetadata> f : sent) {
        RecordMetadata m = f.get(40, TimeUnit.SECONDS);
        perPartition.merge(m.partition(), 1, Integer::sum);
      }
    } finally {
      producer.close(Duration.ofSeconds(5));
    }
    System.out.println("{\"produced\":" + count + ",\"perPartition\":" + intMap(perPartition) + "}");
  }

  private static void consume(String bootstrap, String topic, int count) throws Exception {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1000");
    Set<Integer> seen = new HashSet<>();
    int corrupt = 0;
    int duplicates = 0;
    Map<Integer, Integer> perPartition = new TreeMap<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
      // Assign every partition directly (no group): reads the log from the start each time.
      long deadline = System.currentTimeMillis() + DEADLINE_MS;
      List<TopicPartition> partitions = new ArrayList<>();
      while (partitions.isEmpty()) {
        var infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        if (infos != null) for (var p : infos) partitions.add(new TopicPartition(topic, p.partition()));
        if (partitions.isEmpty() && System.currentTimeMillis() > deadline)
          throw new IllegalStateException("no partitions for " + topic);
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
      long total = 0;
      for (long v : end.values()) total += v;
      long read = 0;
      while (read < total) {
        if (System.currentTimeMillis() > deadline)
          throw new IllegalStateException("read " + read + " of " + total + " records in " + DEADLINE_MS + " ms");
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
          read++;
          perPartition.merge(r.partition(), 1, Integer::sum);
          int i = r.key() != null && r.key().startsWith("k-") ? parse(r.key().substring(2)) : -1;
          if (i < 0 || !value(i).equals(r.value())) corrupt++;
          else if (!seen.add(i)) duplicates++;
        }
      }
    }
    int missing = 0;
    for (int i = 0; i < count; i++) if (!seen.contains(i)) missing++;
    System.out.println(
        "{\"consumed\":"
            + (seen.size() + duplicates + corrupt)
            + ",\"distinct\":"
            + seen.size()
            + ",\"missing\":"
            + missing
            + ",\"duplicates\":"
            + duplicates
            + ",\"corrupt\":"
            + corrupt
            + ",\"perPartition\":"
            + intMap(perPartition)
            + "}");
  }

  private static int parse(String s) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static String intMap(Map<Integer, Integer> m) {
    StringBuilder sb = new StringBuilder("{");
    boolean first = true;
    for (var e : m.entrySet()) {
      if (!first) sb.append(',');
      first = false;
      sb.append('"').append(e.getKey()).append("\":").append(e.getValue());
    }
    return sb.append('}').toString();
  }

  private static String list(Collection<String> names) {
    StringBuilder sb = new StringBuilder("[");
    boolean first = true;
    for (String n : new TreeSet<>(names)) {
      if (!first) sb.append(',');
      first = false;
      sb.append(quote(n));
    }
    return sb.append(']').toString();
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
}
