import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultConfig, finishConfig, parseZooCfg } from "../../../server/main/config.js";

/**
 * deploy/: what can be checked on a machine without a container daemon or a cluster. The
 * manifests' structure (headless service, ordinal myid, probes, PodDisruptionBudget keeping a
 * quorum), the ConfigMap's zoo.cfg read by the server's own parser, the Dockerfile's COPY sources
 * and entry, and, when installed (.ci/run does), kubernetes-validate against the Kubernetes
 * schemas it bundles (offline).
 */
const root = join(import.meta.dirname, "../../..");
const manifestFile = join(root, "deploy/k8s/paddock.yaml");
const validator = join(root, ".cache/k8s-validate/bin/kubernetes-validate");
const venvPython = join(root, ".cache/k8s-validate/bin/python");

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML, checked field by field below
type Doc = any;

/** YAML to objects through PyYAML (the validator's venv, else Debian's python3-yaml). */
function loadYaml(file: string): Doc[] {
  const python = existsSync(venvPython) ? venvPython : "python3";
  const script = "import json, sys, yaml; print(json.dumps(list(yaml.safe_load_all(open(sys.argv[1])))))";
  return (JSON.parse(execFileSync(python, ["-c", script, file], { encoding: "utf8" })) as Doc[]).filter(
    Boolean,
  );
}

const docs = loadYaml(manifestFile);
const byKind = (kind: string): Doc[] => docs.filter((d) => d.kind === kind);
const statefulSet = byKind("StatefulSet")[0];
const pod = statefulSet.spec.template.spec;
const container = pod.containers[0];
const containerPort = (name: string): number =>
  container.ports.find((p: Doc) => p.name === name).containerPort;
const headless = byKind("Service").find((s) => s.spec.clusterIP === "None");

describe("deploy/k8s/paddock.yaml", () => {
  it("has a headless service, a client service, the config, the StatefulSet and a PodDisruptionBudget", () => {
    expect(docs.map((d) => d.kind).sort()).toEqual([
      "ConfigMap",
      "PodDisruptionBudget",
      "Service",
      "Service",
      "StatefulSet",
    ]);
    expect(statefulSet.spec.serviceName).toBe(headless.metadata.name);
    // Members resolve each other before any is ready; none waits for another to be ready.
    expect(headless.spec.publishNotReadyAddresses).toBe(true);
    expect(statefulSet.spec.podManagementPolicy).toBe("Parallel");
    const labels = statefulSet.spec.template.metadata.labels;
    for (const selector of [
      statefulSet.spec.selector.matchLabels,
      byKind("PodDisruptionBudget")[0].spec.selector.matchLabels,
      ...byKind("Service").map((s) => s.spec.selector),
    ]) {
      expect(labels).toMatchObject(selector);
    }
  });

  it("the PodDisruptionBudget keeps a quorum of the replicas", () => {
    const replicas: number = statefulSet.spec.replicas;
    const maxUnavailable: number = byKind("PodDisruptionBudget")[0].spec.maxUnavailable;
    expect(replicas - maxUnavailable).toBeGreaterThanOrEqual(Math.floor(replicas / 2) + 1);
  });

  it("the ConfigMap's zoo.cfg is read by the server as one member per replica, on the pods' names", () => {
    const configMap = byKind("ConfigMap")[0];
    const zooCfg: string = configMap.data["zoo.cfg"];
    const mount = (path: string) => container.volumeMounts.find((m: Doc) => m.mountPath === path);
    expect(pod.volumes.find((v: Doc) => v.name === mount("/conf").name).configMap.name).toBe(
      configMap.metadata.name,
    );
    expect(statefulSet.spec.volumeClaimTemplates.map((t: Doc) => t.metadata.name)).toContain(
      mount("/data").name,
    );
    for (let ordinal = 0; ordinal < statefulSet.spec.replicas; ordinal++) {
      const dir = mkdtempSync(join(tmpdir(), "paddock-deploy-"));
      writeFileSync(join(dir, "myid"), `${ordinal + 1}\n`);
      const config = defaultConfig();
      parseZooCfg(zooCfg.replace("dataDir=/data", `dataDir=${dir}`), config, dir, (w) =>
        expect.unreachable(w),
      );
      finishConfig(config);
      expect(config.serverId).toBe(ordinal + 1);
      expect(config.clientPort).toBe(containerPort("client"));
      expect(config.adminServer.port).toBe(containerPort("admin"));
      expect(config.metrics.port).toBe(containerPort("metrics"));
      expect(config.servers.map((s) => [s.id, s.host, s.quorumPort, s.electionPort])).toEqual(
        Array.from({ length: statefulSet.spec.replicas }, (_, i) => [
          i + 1,
          `${statefulSet.metadata.name}-${i}.${headless.metadata.name}`,
          containerPort("quorum"),
          containerPort("election"),
        ]),
      );
    }
    expect(zooCfg).toMatch(/^dataDir=\/data$/m);
    expect(container.command.join(" ")).toContain("server --config /conf/zoo.cfg");
  });

  it("writes myid from the pod ordinal (paddock-2 is server 3)", () => {
    const script: string = container.command[2];
    const dir = mkdtempSync(join(tmpdir(), "paddock-myid-"));
    // The container's own line, up to the exec of the server, with the data directory moved here.
    const myidPart = script.slice(0, script.indexOf(" && exec ")).replace("/data/myid", join(dir, "myid"));
    expect(container.command.slice(0, 2)).toEqual(["sh", "-c"]);
    execFileSync("sh", ["-c", myidPart], { env: { ...process.env, HOSTNAME: "paddock-2" } });
    expect(readFileSync(join(dir, "myid"), "utf8")).toBe("3\n");
  });

  it("is ready on gRPC health of the client port, alive on the AdminServer's ruok", () => {
    expect(container.readinessProbe.grpc.port).toBe(containerPort("client"));
    for (const probe of [container.livenessProbe, container.startupProbe]) {
      expect(probe.httpGet).toEqual({ path: "/commands/ruok", port: "admin" });
    }
  });

  it("passes kubernetes-validate --strict (bundled schemas, 1.27 and the newest)", () => {
    // Never skipped: without the validator the test fails saying how to install it (.ci/run does).
    expect(
      existsSync(validator),
      `${validator} missing: python3 -m venv .cache/k8s-validate && .cache/k8s-validate/bin/pip install kubernetes-validate==1.37.0`,
    ).toBe(true);
    for (const version of [["-k", "1.27.0"], []]) {
      const r = spawnSync(validator, ["--strict", "--quiet", ...version, manifestFile], { encoding: "utf8" });
      expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    }
  });
});

describe("deploy/Dockerfile", () => {
  const lines = readFileSync(join(root, "deploy/Dockerfile"), "utf8")
    .split("\n")
    .filter((l) => l !== "" && !l.startsWith("#"));
  const stages = lines.filter((l) => l.startsWith("FROM "));

  it("builds on the Node version package.json asks for and runs as the node user", () => {
    const engines = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).engines.node as string;
    for (const from of stages) expect(from).toMatch(new RegExp(`^FROM node:${engines.replace(">=", "")}-`));
    const final = lines.slice(lines.lastIndexOf(stages.at(-1)!));
    expect(final).toContain("USER node");
    expect(final).toContain('ENTRYPOINT ["node", "/app/bin/paddock.js"]');
    expect(
      final
        .find((l) => l.startsWith("EXPOSE "))
        ?.split(" ")
        .slice(1)
        .map(Number),
    ).toEqual(expect.arrayContaining([2181, 2888, 3888, 8080, 7000]));
  });

  it("copies only paths that exist, and builds dist/ with the repository's build script", () => {
    for (const copy of lines.filter((l) => l.startsWith("COPY ") && !l.includes("--from="))) {
      const sources = copy.split(" ").slice(1, -1);
      for (const source of sources) expect(existsSync(join(root, source)), `${copy}: ${source}`).toBe(true);
    }
    expect(lines).toContain("RUN npm run build && rm -rf dist/bench");
    expect(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts.build).toContain(
      "build:dist",
    );
  });
});
