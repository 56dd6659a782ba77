// An unchanged Dubbo 3.3 provider and consumer (plain Java API, DubboApp.java) using Paddock as their
// ZooKeeper registry, and side by side Apache ZooKeeper 3.8 as the reference. Dubbo will not register
// a loopback address, so everything runs in a network namespace this test makes (unshare, as root):
// its only device is its own loopback, given 10.99.0.1; nothing can leave the machine. driver.ts runs
// in there and reports each step as a JSON line; this file checks them.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { repoRoot, runProcess } from "../../support/run-process.js";

const ADDRESS = "10.99.0.1";
const SESSION_MS = 4000;
const INTERFACE = "DubboApp$Greeter";
const classes = join(repoRoot, ".cache/dubbo/classes/DubboApp.class");

type Step = Record<string, unknown> & { step: string };

async function runInNamespace(kind: "paddock" | "zookeeper"): Promise<{ steps: Step[]; raw: string }> {
  if (!existsSync(classes))
    throw new Error(`${classes} missing: run bash scripts/install-kafka-dubbo.sh first`);
  // --pid --fork --kill-child: the namespace's processes all end when the driver does, or when
  // this unshare is killed at the deadline.
  const r = await runProcess(
    "unshare",
    [
      "--net",
      "--pid",
      "--fork",
      "--kill-child",
      "bash",
      join(repoRoot, "test/clients/dubbo/in-netns.sh"),
      ADDRESS,
      kind,
    ],
    { timeoutMs: 110_000 },
  );
  const steps = r.stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Step);
  const raw = `exit ${r.code}\n${r.stdout}\n--- stderr ---\n${r.stderr.split("\n").slice(-40).join("\n")}`;
  return { steps, raw };
}

for (const kind of ["paddock", "zookeeper"] as const) {
  describe(`Dubbo 3.3 with a ZooKeeper registry on ${kind}`, () => {
    let steps: Step[] = [];
    let raw = "";
    const step = (name: string): Step => {
      const found = steps.find((s) => s.step === name);
      if (found === undefined) {
        const error = steps.find((s) => s.step === "error");
        throw new Error(`no '${name}' step${error ? `: ${JSON.stringify(error, null, 1)}` : ""}\n${raw}`);
      }
      return found;
    };

    beforeAll(async () => {
      ({ steps, raw } = await runInNamespace(kind));
    }, 120_000);

    it("runs in a namespace whose only device is its own loopback with the test address", () => {
      const { interfaces } = step("netns") as unknown as {
        interfaces: { name: string; addresses: string[] }[];
      };
      expect(interfaces.map((i) => i.name)).toEqual(["lo"]);
      expect(interfaces[0]?.addresses).toContain(ADDRESS);
      expect(steps.find((s) => s.step === "error")).toBeUndefined();
      expect(steps.at(-1)?.step).toBe("done");
    });

    it("the provider registers its interface-level URL and its application instance as ephemerals", () => {
      const exported = step("exported");
      const registered = step("registered") as unknown as {
        providers: string[];
        providerEphemeral: boolean;
        instances: string[];
        instanceEphemeral: boolean;
        instanceData: string;
      };
      expect(registered.providers).toHaveLength(1);
      expect(registered.providers[0]).toMatch(
        new RegExp(`^dubbo://${ADDRESS.replaceAll(".", "\\.")}:${exported.port}/DubboApp\\$Greeter\\?`),
      );
      expect(registered.providerEphemeral).toBe(true);
      expect(registered.instances).toEqual([`${ADDRESS}:${exported.port}`]);
      expect(registered.instanceEphemeral).toBe(true);
      expect(JSON.parse(registered.instanceData)).toMatchObject({
        address: ADDRESS,
        port: exported.port,
        name: "paddock-dubbo-provider",
      });
    });

    if (kind === "paddock")
      it("the TypeScript client's DubboRegistry reads the provider and names its node as Dubbo does", () => {
        const registered = step("registered") as unknown as { providers: string[] };
        const view = step("ts-view") as unknown as { urls: string[]; path: string; expectedPath: string };
        expect(view.urls).toEqual(registered.providers);
        expect(view.path).toBe(view.expectedPath);
      });

    it("the provider maps its interface to its application in a persistent node, the name as is", () => {
      const { mapping } = step("registered") as unknown as {
        mapping: { data: string; ephemeralOwner: string } | null;
      };
      expect(mapping).toMatchObject({ data: "paddock-dubbo-provider", ephemeralOwner: "0000000000000000" });
    });

    if (kind === "paddock") {
      it("the TypeScript DubboApplications recipe finds the provider through the mapping", () => {
        const exported = step("exported") as unknown as { port: number };
        const view = step("ts-app-view") as unknown as { applications: string[]; instances: unknown[] };
        expect(view.applications).toEqual(["paddock-dubbo-provider"]);
        expect(view.instances).toEqual([
          {
            app: "paddock-dubbo-provider",
            id: `${ADDRESS}:${exported.port}`,
            address: ADDRESS,
            port: exported.port,
            metadata: expect.objectContaining({
              "dubbo.endpoints": JSON.stringify([{ port: exported.port, protocol: "dubbo" }]),
              "dubbo.metadata.revision": expect.stringMatching(/^[0-9a-f]+$/),
            }),
            registrationTimeUTC: expect.any(Number),
          },
        ]);
      });

      it("an instance the TypeScript recipe registers is written in Dubbo's shape and joins the mapping", () => {
        const { instanceData } = step("registered") as unknown as { instanceData: string };
        const ts = step("ts-app-register") as unknown as {
          port: number;
          mapping: string;
          ephemeral: boolean;
          json: string;
          metadataReport: string | null;
          applications: string[];
          found: { app: string; id: string }[];
          dubboInstancesLeft: string[];
        };
        // Dubbo's own application was kept (compare-and-set append), the TS one added.
        expect(ts.mapping).toBe("paddock-dubbo-provider,paddock-ts-provider");
        expect(ts.applications).toEqual(["paddock-dubbo-provider", "paddock-ts-provider"]);
        expect(ts.ephemeral).toBe(true);
        const dubbo = JSON.parse(instanceData) as Record<string, unknown> & {
          payload: Record<string, unknown>;
        };
        const mine = JSON.parse(ts.json) as Record<string, unknown> & {
          payload: Record<string, unknown> & { metadata: Record<string, string> };
        };
        expect(Object.keys(mine).sort()).toEqual(Object.keys(dubbo).sort());
        expect(Object.keys(mine.payload).sort()).toEqual(Object.keys(dubbo.payload).sort());
        expect(mine).toMatchObject({
          serviceType: dubbo.serviceType,
          payload: { "@class": dubbo.payload["@class"] },
        });
        // The metadata report entry the instance points to, in the shape Dubbo's own remote metadata takes.
        const revision = mine.payload.metadata["dubbo.metadata.revision"];
        expect(mine.payload.metadata["dubbo.metadata.storage-type"]).toBe("remote");
        expect(JSON.parse(ts.metadataReport ?? "null")).toMatchObject({
          app: "paddock-ts-provider",
          revision,
          services: {
            "DubboApp$Greeter:dubbo": { name: INTERFACE, path: INTERFACE, port: ts.port, protocol: "dubbo" },
          },
        });
        // The killed Dubbo provider's instance expired before; only the TS one is found.
        expect(ts.dubboInstancesLeft).toEqual([]);
        expect(ts.found.map((i) => [i.app, i.id])).toEqual([
          ["paddock-ts-provider", `${ADDRESS}:${ts.port}`],
        ]);
      });

      it("a Dubbo consumer on application-level discovery only calls a provider the TypeScript recipe registered", () => {
        const ts = step("ts-app-register") as unknown as { pid: number };
        expect(step("call-app-level")).toMatchObject({
          exit: 0,
          event: "reply",
          reply: `hello paddock from ${ts.pid}`,
        });
        // That provider registered nothing itself: the consumer found it through the TS entries alone.
        expect(step("unregistered-provider")).toMatchObject({ providers: [], instances: [] });
      });
    }

    it("a consumer discovers the provider through the registry and calls it", () => {
      const exported = step("exported");
      expect(step("call")).toMatchObject({
        exit: 0,
        event: "reply",
        reply: `hello paddock from ${exported.pid}`,
      });
      step("consumer-gone");
    });

    it("after kill -9 of the provider its session expires and its entries leave the registry", () => {
      const expired = step("provider-expired") as unknown as { expired: boolean; afterMs: number };
      expect(expired).toMatchObject({ expired: true, providersLeft: [], instancesLeft: [] });
      // Not before the session timeout (no early expiry), and not long after it.
      expect(expired.afterMs).toBeGreaterThan(SESSION_MS / 2);
      expect(expired.afterMs).toBeLessThan(SESSION_MS * 4);
      const after = step("call-after-expiry") as unknown as { exit: number; event: string; error: string };
      expect(after).toMatchObject({ exit: 0, event: "call-failed" });
      expect(after.error).toMatch(/No provider available/);
    });
  });
}
