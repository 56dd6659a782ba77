import { describe, expect, it } from "vitest";
import { defaultConfig, parseZooCfg } from "../../../server/main/config.js";

// The watch stream's two zoo.cfg keys: KiB, as diffHistorySize; a bad value names the key.

function parse(lines: string[]) {
  const config = defaultConfig();
  parseZooCfg(lines.join("\n"), config, "/etc", () => undefined);
  return config;
}

describe("watch stream settings", () => {
  it("default to 4 MiB of history and 1 MiB per stream, and take KiB", () => {
    expect(parse([]).watchHistoryBytes).toBe(4 * 1024 * 1024);
    expect(parse([]).watchStreamBufferBytes).toBe(1024 * 1024);
    const set = parse(["watchHistorySize=0", "watchStreamBufferSize=64"]);
    expect(set.watchHistoryBytes).toBe(0);
    expect(set.watchStreamBufferBytes).toBe(64 * 1024);
  });

  it("refuse a negative history and an empty stream buffer, naming the key", () => {
    expect(() => parse(["watchHistorySize=-1"])).toThrow(/watchHistorySize/);
    expect(() => parse(["watchStreamBufferSize=0"])).toThrow(/watchStreamBufferSize/);
  });
});
