import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Server } from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { ReflectionService } from "@grpc/reflection";
import { HealthImplementation } from "grpc-health-check";

const protoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../proto");

/** Reflection needs proto-loader's descriptors: load the same .proto files for it alone. */
export function addReflection(server: Server): void {
  const definition = loadSync(
    ["paddock/v1/data.proto", "paddock/v1/session.proto", "paddock/v1/admin.proto"],
    { includeDirs: [protoRoot], longs: String, enums: String, keepCase: false },
  );
  new ReflectionService(definition).addToServer(server);
}

export const servedServices = [
  "paddock.v1.DataService",
  "paddock.v1.SessionService",
  "paddock.v1.AdminService",
];

export function addHealth(server: Server): HealthImplementation {
  const health = new HealthImplementation({ "": "SERVING" });
  for (const name of servedServices) health.setStatus(name, "SERVING");
  health.addToServer(server);
  return health;
}
