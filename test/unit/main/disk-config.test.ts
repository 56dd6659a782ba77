import { describe, expect, it } from "vitest";
import { defaultConfig, parseZooCfg } from "../../../server/main/config.js";

describe("disk keys", () => {
  it("defaults: autopurge on (unlike ZooKeeper's 0), a 256 MiB floor, ZooKeeper's 1000 ms fsync warning", () => {
    const config = defaultConfig();
    expect(config.purgeIntervalHours).toBe(1);
    expect(config.snapRetainCount).toBe(3);
    expect(config.disk).toEqual({
      freeBytesMin: 256 * 1024 * 1024,
      freePercentMin: 0,
      checkIntervalMs: 1000,
      fsyncWarningThresholdMs: 1000,
    });
  });

  it("takes the floor in bytes past 2^31, a percentage, the interval and both fsync key names", () => {
    const config = defaultConfig();
    parseZooCfg(
      [
        "paddock.diskFreeBytesMin=8589934592",
        "paddock.diskFreePercentMin=5",
        "paddock.diskCheckIntervalMs=250",
        "zookeeper.fsync.warningthresholdms=50",
        "autopurge.purgeInterval=0",
      ].join("\n"),
      config,
      "/",
      () => {},
    );
    expect(config.disk).toEqual({
      freeBytesMin: 8 * 1024 ** 3,
      freePercentMin: 5,
      checkIntervalMs: 250,
      fsyncWarningThresholdMs: 50,
    });
    expect(config.purgeIntervalHours).toBe(0);
    parseZooCfg("fsync.warningthresholdms=7", config, "/", () => {});
    expect(config.disk.fsyncWarningThresholdMs).toBe(7);
  });

  it.each([
    [
      "paddock.diskFreeBytesMin=-1",
      "paddock.diskFreeBytesMin=-1 must be a decimal integer from 0 to 9007199254740991",
    ],
    [
      "paddock.diskFreePercentMin=100",
      "paddock.diskFreePercentMin=100 must be a decimal integer from 0 to 99",
    ],
    [
      "paddock.diskCheckIntervalMs=1",
      "paddock.diskCheckIntervalMs=1 must be a decimal integer from 10 to 3600000",
    ],
    [
      "fsync.warningthresholdms=1s",
      "fsync.warningthresholdms=1s must be a decimal integer from 0 to 2147483647",
    ],
  ])("%s is refused naming the key and the range", (line, message) => {
    expect(() => parseZooCfg(line, defaultConfig(), "/", () => {})).toThrow(`zoo.cfg: ${message}`);
  });
});
