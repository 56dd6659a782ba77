import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultConfig, finishConfig, parseZooCfg } from "../../../server/main/config.js";
import { planEnsemble } from "../../../server/main/ensemble-command.js";

describe("paddock ensemble's plan", () => {
  it("gives each member a zoo.cfg that the server reads back as the same ensemble", () => {
    const dir = mkdtempSync(join(tmpdir(), "paddock-plan-"));
    const plan = planEnsemble(3, 1, dir, 2181);
    expect(plan.map((m) => [m.id, m.clientPort, m.observer])).toEqual([
      [1, 2181, false],
      [2, 2182, false],
      [3, 2183, false],
      [4, 2184, true],
    ]);
    for (const member of plan) {
      mkdirSync(member.dataDir, { recursive: true });
      writeFileSync(join(member.dataDir, "myid"), `${member.id}\n`);
      const config = defaultConfig();
      parseZooCfg(member.config, config, dir, (w) => expect.unreachable(w));
      finishConfig(config);
      expect(config.serverId).toBe(member.id);
      expect(config.clientPort).toBe(member.clientPort);
      expect(config.dataLogDir).toBe(member.dataDir);
      expect(config.servers.map((s) => [s.id, s.quorumPort, s.electionPort, s.observer])).toEqual([
        [1, 2889, 3889, false],
        [2, 2890, 3890, false],
        [3, 2891, 3891, false],
        [4, 2892, 3892, true],
      ]);
    }
  });

  it.each([
    [0, 0, 2181, /--size 0/],
    [10, 0, 2181, /--size 10/],
    [3, 10, 2181, /--observers 10/],
    [3, 0, 65534, /--base-port 65534/],
  ])("refuses size %i with %i observers from port %i", (size, observers, port, message) => {
    expect(() => planEnsemble(size, observers, "/tmp/x", port)).toThrow(message);
  });
});
