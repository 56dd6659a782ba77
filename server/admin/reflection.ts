import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { BinaryReader } from "@bufbuild/protobuf/wire";
import type { Server } from "@grpc/grpc-js";
import { ReflectionService } from "@grpc/reflection";
import { HealthImplementation } from "grpc-health-check";

const here = dirname(fileURLToPath(import.meta.url));

/**
 * FileDescriptorProtos exactly as buf compiled them (`npm run gen` writes the images: the public
 * API, and grpc.health.v1 from the grpc-health-check package): descriptors that proto-loader
 * rebuilds name map entries wrongly, and grpcurl refuses them ("invalid map: incorrect implicit
 * map entry name").
 */
function descriptorsOf(image: string): Buffer[] {
  const bytes = readFileSync(resolve(here, "../gen", image));
  const files: Buffer[] = [];
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 1) files.push(Buffer.from(reader.bytes()));
    else reader.skip(wireType);
  }
  return files;
}

/** Server reflection over the public services and the health service, usable by grpcurl. */
export function addReflection(server: Server): void {
  const files = [...descriptorsOf("paddock-v1.binpb"), ...descriptorsOf("grpc-health-v1.binpb")];
  const root = { descriptors: { fileDescriptorProtos: files } };
  new ReflectionService(root as unknown as ConstructorParameters<typeof ReflectionService>[0]).addToServer(
    server,
  );
}

export const servedServices = [
  "paddock.v1.DataService",
  "paddock.v1.SessionService",
  "paddock.v1.WatchService",
  "paddock.v1.AdminService",
];

export function addHealth(server: Server): HealthImplementation {
  const health = new HealthImplementation({ "": "SERVING" });
  for (const name of servedServices) health.setStatus(name, "SERVING");
  health.addToServer(server);
  return health;
}
