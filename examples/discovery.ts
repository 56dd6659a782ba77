/**
 * Service discovery and load balancing: two instances of "api" register in Curator x-discovery's
 * layout (ephemeral, JSON); a client's ServiceProvider spreads calls round robin and drops an
 * instance whose process (session) goes away.
 *
 *   node --import tsx examples/discovery.ts 127.0.0.1:2181
 */
import { connect, ServiceDiscovery, ServiceProvider } from "../clients/ts/src/index.js";

const servers = process.argv[2] ?? "127.0.0.1:2181";
const base = `/examples/services-${process.pid}`;
const [one, two, user] = await Promise.all([connect(servers), connect(servers), connect(servers)]);
await new ServiceDiscovery(one, base).register({ name: "api", id: "api-1", address: "10.0.0.1", port: 8080 });
await new ServiceDiscovery(two, base).register({ name: "api", id: "api-2", address: "10.0.0.2", port: 8080 });

const provider = new ServiceProvider(new ServiceDiscovery(user, base), "api", "roundRobin");
await provider.start();
for (let call = 0; call < 4; call++) {
  const instance = provider.getInstance()!;
  console.log(`call ${call} -> ${instance.id} at ${instance.address}:${instance.port}`);
}
const changed = new Promise((resolve) => provider.once("change", resolve));
await one.close(); // api-1's process stops: its ephemeral instance goes
await changed;
console.log(`after api-1 left: ${provider.all.map((i) => i.id).join(", ")}`);
provider.close();
await Promise.all([two.close(), user.close()]);
