import { Txn } from "../gen/paddock/internal/v1/txn.js";
import { type FileLayer, nodeFiles } from "./file-layer.js";
import { scanSegment } from "./segment-reader.js";
import { readSnapshot } from "./snapshot.js";

const hex = (n: number | bigint): string => `0x${BigInt.asUintN(64, BigInt(n)).toString(16)}`;

/** "create /a" style summary of a transaction body: type and path (plus what identifies it). */
export function describeTxnBody(t: Txn): string {
  const body = t.body;
  if (body === undefined) return "type=none";
  switch (body.$case) {
    case "create":
      return `type=create path=${body.value.path} owner=${hex(body.value.ephemeralOwner)}`;
    case "delete":
    case "deleteContainer":
    case "check":
      return `type=${body.$case} path=${body.value.path}`;
    case "setData":
      return `type=setData path=${body.value.path} version=${body.value.version}`;
    case "setAcl":
      return `type=setAcl path=${body.value.path} version=${body.value.version}`;
    case "createSession":
      return `type=createSession timeout=${body.value.timeoutMs}`;
    case "closeSession":
      return "type=closeSession";
    case "noop":
      return "type=noop";
    case "error":
      return `type=error code=${body.value.code}`;
    case "multi": {
      const ops = body.value.txns.map((sub) =>
        describeTxnBody(sub)
          .replace(/^type=/, "")
          .replace(/ path=/, ":"),
      );
      return `type=multi ops=[${ops.join(", ")}]`;
    }
  }
}

/** `paddock log dump <file>`: one line per record, then a line saying how the data ends. */
export async function* dumpLog(file: string, files: FileLayer = nodeFiles): AsyncIterable<string> {
  const scan = scanSegment(files.readFile(file), 0);
  yield `# ${file}`;
  for (const rec of scan.records) {
    let line = `zxid=${hex(rec.zxid)}`;
    try {
      const t = Txn.decode(rec.payload);
      const time = new Date(Number(t.time)).toISOString();
      line += ` session=${hex(t.sessionId)} cxid=${hex(t.cxid)} time=${time} ${describeTxnBody(t)}`;
    } catch (e) {
      line += ` undecodable: ${(e as Error).message}`;
    }
    yield line;
  }
  const end = scan.end;
  const tail = end.kind === "clean" ? "clean" : `${end.kind}: ${end.reason}`;
  yield `# ${scan.records.length} records; data ends at offset ${end.offset} (${tail})`;
}

/** `paddock snapshot inspect <file>`: zxid, counts, digest and the sessions. */
export async function inspectSnapshot(file: string, files: FileLayer = nodeFiles): Promise<string> {
  const snap = await readSnapshot(file, files);
  const h = snap.header;
  const lines = [
    `snapshot ${file}`,
    `format version ${h.formatVersion}`,
    `zxid ${hex(h.zxid)}`,
    `nodes ${snap.nodes.length} (header: ${h.nodeCount})`,
    `acls ${snap.acls.length}`,
    `digest ${hex(h.digest)}`,
    `sessions ${snap.sessions.length}`,
    ...snap.sessions.map((s) => `  session ${hex(s.sessionId)} timeout ${s.timeoutMs} ms`),
  ];
  return lines.join("\n");
}
