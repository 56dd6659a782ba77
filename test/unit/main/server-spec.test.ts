import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultConfig, finishConfig, parseZooCfg } from "../../../server/main/config.js";

function load(lines: string[], myid?: string) {
  const dir = mkdtempSync(join(tmpdir(), "paddock-cfg-"));
  if (myid !== undefined) writeFileSync(join(dir, "myid"), myid);
  const config = defaultConfig();
  const warnings: string[] = [];
  parseZooCfg([`dataDir=${dir}`, ...lines].join("\n"), config, dir, (w) => warnings.push(w));
  return { config: finishConfig(config), warnings, dir };
}

describe("zoo.cfg ensemble keys", () => {
  it("parses server.N with roles and client ports, and takes the id from myid", () => {
    const { config, warnings } = load(
      [
        "server.1=10.0.0.1:2888:3888",
        "server.2=10.0.0.2:2889:3889:participant;2182",
        "server.3=host-3:2890:3890:observer;0.0.0.0:2183",
      ],
      "2\n",
    );
    expect(warnings).toEqual([]);
    expect(config.serverId).toBe(2);
    expect(config.servers).toEqual([
      { id: 1, host: "10.0.0.1", quorumPort: 2888, electionPort: 3888, observer: false },
      { id: 2, host: "10.0.0.2", quorumPort: 2889, electionPort: 3889, observer: false, clientPort: 2182 },
      {
        id: 3,
        host: "host-3",
        quorumPort: 2890,
        electionPort: 3890,
        observer: true,
        clientHost: "0.0.0.0",
        clientPort: 2183,
      },
    ]);
  });

  it("prefers paddock.serverId over myid", () => {
    const { config } = load(["server.1=a:1:2", "server.2=b:1:2", "paddock.serverId=1"], "2");
    expect(config.serverId).toBe(1);
  });

  it.each([
    [["server.1=a:1:2"], undefined, /myid is missing/],
    [["server.1=a:1:2"], "x", /"x" is not a server id/],
    [["server.1=a:1:2"], "4", /server id 4 has no server.4 line/],
    [["server.0=a:1:2"], "1", /server.0: server id must be an integer from 1 to 255/],
    [["server.1=a:1"], "1", /server.1=a:1: expected host:quorumPort:electionPort/],
    [["server.1=a:x:2"], "1", /server.1: quorum port "x" is not a port/],
    [["server.1=a:1:70000"], "1", /server.1: election port "70000" is not a port/],
    [["server.1=a:1:2:leader"], "1", /role "leader" must be participant or observer/],
    [["server.1=a:1:2:observer"], "1", /needs at least one participant/],
    [["server.1=a:1:2", "server.2=b:1:2", "peerType=observer"], "1", /peerType=observer but server.1/],
  ])("refuses %j with myid %j", (lines, myid, message) => {
    expect(() => load(lines as string[], myid)).toThrow(message);
  });
});
