import { describe, expect, it } from "vitest";
import { Txn } from "../../../server/gen/paddock/internal/v1/txn.js";
import { ErrorCode } from "../../../server/gen/paddock/v1/data.js";
import {
  describeTxnBody,
  dumpLog,
  hex,
  readLogDump,
  txnBodyFields,
} from "../../../server/persistence/dump.js";
import { segmentName } from "../../../server/persistence/log-format.js";
import { TxnLog } from "../../../server/persistence/txn-log.js";
import { LOG_DIR, memOptions, record, z } from "./log-fixtures.js";
import { MemFiles } from "./mem-files.js";

// What `paddock log dump` prints for each kind of transaction, and how it shows a record that
// does not decode and a segment whose end is torn: an operator reads these lines after damage.

const acl = [{ perms: 31, id: { scheme: "world", id: "anyone" } }];
const body = (b: Txn["body"]): Txn => ({
  zxid: 1n,
  sessionId: 2n,
  cxid: 3,
  time: 0n,
  origin: 0,
  originRef: 0,
  body: b,
});

describe("txnBodyFields and describeTxnBody", () => {
  it("each body kind: its fields in order, then the line", () => {
    const cases: [Txn["body"], Record<string, unknown>, string][] = [
      [undefined, { type: "none" }, "type=none"],
      [
        {
          $case: "create",
          value: { path: "/a", data: Buffer.from("v 1"), acl, ephemeralOwner: -1n, parentCversion: 4 },
        },
        { type: "create", path: "/a", data: "v 1", encoding: "utf8", owner: "0xffffffffffffffff", acls: 1 },
        'type=create path=/a data="v 1" owner=0xffffffffffffffff acls=1',
      ],
      [{ $case: "delete", value: { path: "/d" } }, { type: "delete", path: "/d" }, "type=delete path=/d"],
      [
        { $case: "deleteContainer", value: { path: "/c" } },
        { type: "deleteContainer", path: "/c" },
        "type=deleteContainer path=/c",
      ],
      [
        { $case: "check", value: { path: "/k", version: 7 } },
        { type: "check", path: "/k", version: 7 },
        "type=check path=/k version=7",
      ],
      [
        { $case: "setData", value: { path: "/s", data: Buffer.from([0, 0xff]), version: -1 } },
        { type: "setData", path: "/s", version: -1, data: "00ff", encoding: "hex" },
        "type=setData path=/s version=-1 data=0x00ff",
      ],
      [
        { $case: "setAcl", value: { path: "/p", acl: [...acl, ...acl], version: 2 } },
        { type: "setAcl", path: "/p", version: 2, acls: 2 },
        "type=setAcl path=/p version=2 acls=2",
      ],
      [
        { $case: "createSession", value: { timeoutMs: 30000, password: Buffer.alloc(16) } },
        { type: "createSession", timeout: 30000 },
        "type=createSession timeout=30000",
      ],
      [{ $case: "closeSession", value: {} }, { type: "closeSession" }, "type=closeSession"],
      [{ $case: "noop", value: {} }, { type: "noop" }, "type=noop"],
      [
        { $case: "error", value: { code: ErrorCode.ERROR_CODE_NO_NODE } },
        { type: "error", code: "ERROR_CODE_NO_NODE" },
        "type=error code=ERROR_CODE_NO_NODE",
      ],
      [
        {
          $case: "reconfig",
          value: {
            members: [
              { id: 1, host: "a", quorumPort: 2888, electionPort: 3888, observer: false },
              { id: 2, host: "b", quorumPort: 2889, electionPort: 3889, observer: true, clientPort: 2181 },
            ],
          },
        },
        {
          type: "reconfig",
          members: "server.1=a:2888:3888:participant,server.2=b:2889:3889:observer;0.0.0.0:2181",
        },
        "type=reconfig members=server.1=a:2888:3888:participant,server.2=b:2889:3889:observer;0.0.0.0:2181",
      ],
    ];
    for (const [b, fields, line] of cases) {
      const t = body(b);
      expect(txnBodyFields(t), line).toEqual(fields);
      expect(Object.keys(txnBodyFields(t)), line).toEqual(Object.keys(fields));
      expect(describeTxnBody(t)).toBe(line);
    }
  });

  it("a multi: its operations in brackets, each without its type= prefix", () => {
    const t = body({
      $case: "multi",
      value: {
        txns: [
          body({
            $case: "create",
            value: { path: "/m", data: Buffer.from("x"), acl, ephemeralOwner: 0n, parentCversion: 0 },
          }),
          body({ $case: "delete", value: { path: "/type=n" } }),
        ],
      },
    });
    expect(describeTxnBody(t)).toBe(
      'type=multi ops=[create path=/m data="x" owner=0x0 acls=1, delete path=/type=n]',
    );
    expect(txnBodyFields(t, { hex: true })).toEqual({
      type: "multi",
      ops: [
        { type: "create", path: "/m", data: "78", encoding: "hex", owner: "0x0", acls: 1 },
        { type: "delete", path: "/type=n" },
      ],
    });
  });

  it("data: JSON-quoted text, or hex when asked or not printable", () => {
    const set = (data: Buffer) => body({ $case: "setData", value: { path: "/s", data, version: 0 } });
    expect(describeTxnBody(set(Buffer.from('a "b"\n')))).toBe(
      'type=setData path=/s version=0 data="a \\"b\\"\\n"',
    );
    expect(describeTxnBody(set(Buffer.from("ab")), { hex: true })).toBe(
      "type=setData path=/s version=0 data=0x6162",
    );
    expect(describeTxnBody(set(Buffer.from([1])))).toBe("type=setData path=/s version=0 data=0x01");
    expect(describeTxnBody(set(Buffer.alloc(0)))).toBe('type=setData path=/s version=0 data=""');
  });

  it("hex: 64-bit unsigned, lowercase", () => {
    expect(hex(0)).toBe("0x0");
    expect(hex(255)).toBe("0xff");
    expect(hex(-2n)).toBe("0xfffffffffffffffe");
    expect(hex(2n ** 64n + 1n)).toBe("0x1");
  });
});

describe("readLogDump and dumpLog", () => {
  async function segment(payloads: Uint8Array[]): Promise<{ files: MemFiles; file: string }> {
    const files = new MemFiles();
    const log = await TxnLog.open(memOptions(files));
    for (let i = 0; i < payloads.length; i++) await log.append(z(i + 1), payloads[i]!);
    await log.close();
    return { files, file: `${LOG_DIR}/${segmentName(z(1))}` };
  }

  it("a record that does not decode is shown as such, and the dump goes on", async () => {
    const junk = Uint8Array.of(0x0a, 0x05, 0x41);
    let decodeError = "";
    try {
      Txn.decode(junk);
    } catch (e) {
      decodeError = (e as Error).message;
    }
    expect(decodeError).not.toBe("");
    const { files, file } = await segment([junk, record(z(2))]);
    const dump = readLogDump(file, files);
    const txns = [];
    for await (const t of dump.txns) txns.push(t);
    expect(txns[0]).toEqual({ zxid: "0x100000001", error: `undecodable: ${decodeError}` });
    expect(txns[1]).toEqual({
      zxid: "0x100000002",
      session: "0x123456789abcdef0",
      cxid: "0x12a",
      time: "2024-01-03T15:16:07.298Z",
      type: "setData",
      path: "/n4294967298",
      version: 1,
      data: "0202020202020202",
      encoding: "hex",
    });
    const lines: string[] = [];
    for await (const line of dumpLog(file, files)) lines.push(line);
    expect(lines[1]).toBe(`zxid=0x100000001 undecodable: ${decodeError}`);
    expect(lines.length).toBe(4);
  });

  it("the summary: how many records and where and how the data ends", async () => {
    const { files, file } = await segment([record(z(1)), record(z(2))]);
    const clean = readLogDump(file, files);
    for await (const _ of clean.txns);
    // Two records of 70 bytes after the 16-byte header; zeros (preallocation) after them.
    expect(clean.summary()).toBe("2 records; data ends at offset 156 (clean)");
    // Cut into the second record: one record, ending torn where the second began.
    const fd = files.open(file, "r+");
    files.ftruncate(fd, 153);
    files.close(fd);
    expect(readLogDump(file, files).summary()).toBe(
      "1 records; data ends at offset 86 (torn: record length 54 runs past the end)",
    );
  });
});
