import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAcl } from "../../../clients/ts/cli/acl-parser.js";
import { usageText } from "../../../clients/ts/cli/commands.js";
import { errorLine, formatAcl, formatStat, javaDate } from "../../../clients/ts/cli/format.js";
import { CliParseError, parseOptions, tokenize } from "../../../clients/ts/cli/parse-line.js";
import { Code, errorFor, InvalidPathError, type Stat, validatePath } from "../../../clients/ts/src/index.js";

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, "fixtures", name), "utf8");
const out1 = fixture("session1.stdout.txt");
const err1 = fixture("session1.stderr.txt");
const out3 = fixture("session3.stdout.txt");
const err3 = fixture("session3.stderr.txt");
const err2 = fixture("session2.stderr.txt");

const at = (y: number, mo: number, d: number, h: number, mi: number, s: number): number =>
  Date.UTC(y, mo - 1, d, h, mi, s);

describe("Stat block (zkCli 3.8 StatPrinter)", () => {
  it("prints `stat /t1/a` exactly as the reference", () => {
    const t = at(2026, 11, 25, 4, 48, 0);
    const stat: Stat = {
      czxid: 0xcn,
      mzxid: 0xcn,
      ctime: t,
      mtime: t,
      version: 0,
      cversion: 0,
      aversion: 0,
      ephemeralOwner: 0n,
      dataLength: 5,
      numChildren: 0,
      pzxid: 0xcn,
    };
    expect(out1).toContain(formatStat(stat, "UTC"));
  });

  it("prints session ids and negative 64-bit owners as Java's unsigned hex", () => {
    const block = formatStat(
      {
        czxid: 0x4an,
        mzxid: 0x4an,
        ctime: at(2026, 11, 25, 4, 49, 2),
        mtime: at(2026, 11, 25, 4, 49, 2),
        version: 0,
        cversion: 0,
        aversion: 0,
        ephemeralOwner: 0x10000068a86000fn,
        dataLength: 0,
        numChildren: 0,
        pzxid: 0x4an,
      },
      "UTC",
    );
    expect(out3).toContain(block);
    expect(formatStat({ ...zero, ephemeralOwner: -0x100000000000000n }, "UTC")).toContain(
      "ephemeralOwner = 0xff00000000000000\n",
    );
  });

  it("formats dates as Java's Date.toString", () => {
    expect(javaDate(0, "UTC")).toBe("Thu Jan 01 00:00:00 UTC 1970");
    expect(out3).toContain(`ctime = ${javaDate(0, "UTC")}\n`);
    expect(javaDate(at(2026, 11, 5, 14, 3, 9), "UTC")).toBe("Thu Nov 05 14:03:09 UTC 2026");
  });
});

const zero: Stat = {
  czxid: 0n,
  mzxid: 0n,
  ctime: 0,
  mtime: 0,
  version: 0,
  cversion: 0,
  aversion: 0,
  ephemeralOwner: 0n,
  dataLength: 0,
  numChildren: 0,
  pzxid: 0n,
};

describe("ACL listing and parsing", () => {
  it("lists ACLs as getAcl does, permissions in c d r w a order", () => {
    const acl = [
      { perms: 1, id: { scheme: "world", id: "anyone" } },
      { perms: 31, id: { scheme: "ip", id: "127.0.0.1" } },
      { perms: 16, id: { scheme: "digest", id: "bob:XXXX" } },
    ];
    expect(out3).toContain(formatAcl(acl));
    expect(formatAcl([{ perms: 7, id: { scheme: "world", id: "anyone" } }])).toBe("'world,'anyone\n: crw\n");
  });

  it("warns and skips bad entries and letters as zkCli's AclParser", () => {
    const warnings: string[] = [];
    const acl = parseAcl("world:anyone:xyz", (l) => warnings.push(l));
    expect(acl).toEqual([{ perms: 0, id: { scheme: "world", id: "anyone" } }]);
    expect(warnings).toEqual(["Unknown perm type: x", "Unknown perm type: y", "Unknown perm type: z"]);
    for (const w of warnings) expect(err3).toContain(`${w}\n`);
    const bad: string[] = [];
    expect(parseAcl("bogus", (l) => bad.push(l))).toEqual([]);
    expect(err1).toContain(`${bad[0]}\n`);
    expect(parseAcl("ip:10.0.0.1:r,world:anyone:c", () => undefined)).toEqual([
      { perms: 1, id: { scheme: "ip", id: "10.0.0.1" } },
      { perms: 4, id: { scheme: "world", id: "anyone" } },
    ]);
    expect(parseAcl("digest:user1:+Ko9bm/AuS8n2RlcU/H4gTCFL34=:cdrwa", () => undefined)[0]?.id.id).toBe(
      "user1:+Ko9bm/AuS8n2RlcU/H4gTCFL34=",
    );
  });
});

describe("error lines (zkCli's CliWrapperException wording)", () => {
  const cases: [number, string, string, string][] = [
    [Code.NoNode, "/nope", "Node does not exist: /nope", err1],
    [Code.NodeExists, "/t1/a", "Node already exists: /t1/a", err1],
    [Code.BadVersion, "/t1/a", "version No is not valid : /t1/a", err1],
    [Code.NotEmpty, "/t1", "Node not empty: /t1", err1],
    [Code.NoAuth, "/t1/p1", "Insufficient permission : /t1/p1", err1],
    [Code.InvalidACL, "", "Acl is not valid : null", err1],
    [Code.NoChildrenForEphemerals, "/r/eph/child", "Ephemerals cannot have children: /r/eph/child", err3],
    [Code.NoWatcher, "/w", "KeeperErrorCode = No such watcher for /w", err2],
  ];
  it.each(cases)("code %i at %s prints %s", (code, path, line, reference) => {
    expect(reference).toContain(`${line}\n`);
    expect(errorLine(errorFor(code, path))).toBe(line);
  });

  it("prints client-side path errors as PathUtils words them", () => {
    const bad = (p: string): string => {
      try {
        validatePath(p);
      } catch (e) {
        expect(e).toBeInstanceOf(InvalidPathError);
        return errorLine(e);
      }
      return "";
    };
    expect(err1).toContain(`${bad("t1/bad")}\n`);
    expect(bad("/t1/")).toBe("Path must not end with / character");
    expect(errorLine(errorFor(Code.ConnectionLoss, "/a"))).toBe("KeeperErrorCode = ConnectionLoss for /a");
    expect(errorLine(errorFor(Code.SessionExpired, ""))).toBe("KeeperErrorCode = Session expired");
  });
});

describe("usage listing", () => {
  it("has zkCli's line for every command we implement", () => {
    const reference = new Set(err1.split("\n").filter((l) => l.startsWith("\t")));
    const ours = usageText().split("\n").slice(1, -1);
    expect(ours.length).toBeGreaterThan(20);
    for (const line of ours) expect(reference).toContain(line);
    expect(
      usageText().startsWith("ZooKeeper -server host:port -client-configuration properties-file cmd args\n"),
    ).toBe(true);
  });
});

describe("command line splitting and options", () => {
  it("splits on blanks and keeps quoted strings whole, quotes dropped", () => {
    expect(tokenize(`create /r/q "quoted data"`)).toEqual(["create", "/r/q", "quoted data"]);
    expect(tokenize(`  create /r/q2 'single q'  `)).toEqual(["create", "/r/q2", "single q"]);
    expect(tokenize("set /r/a/c hello world")).toEqual(["set", "/r/a/c", "hello", "world"]);
    expect(tokenize("   ")).toEqual([]);
  });

  it("takes flags anywhere, values from the next token, bundles", () => {
    const p = parseOptions(["removewatches", "/w", "-c", "-l"], { flags: "cdal" });
    expect([...p.flags]).toEqual(["c", "l"]);
    expect(p.args).toEqual(["removewatches", "/w"]);
    const q = parseOptions(["set", "-sv", "3", "/a", "x"], { flags: "s", values: "v" });
    expect(q.values.get("v")).toBe("3");
    expect(q.flags.has("s")).toBe(true);
    expect(q.args).toEqual(["set", "/a", "x"]);
  });

  it("words option errors as commons-cli (zkCli prints them as is)", () => {
    const message = (tokens: string[]): string => {
      try {
        parseOptions(tokens, { flags: "s", values: "v" });
      } catch (e) {
        expect(e).toBeInstanceOf(CliParseError);
        return (e as Error).message;
      }
      return "";
    };
    expect(message(["get", "-x", "/t1"])).toBe(
      "org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: -x",
    );
    expect(message(["set", "-v"])).toBe(
      "org.apache.commons.cli.MissingArgumentException: Missing argument for option: v",
    );
  });
});
