import { Txn } from "../gen/paddock/internal/v1/txn.js";
import { errorCodeToJSON } from "../gen/paddock/v1/data.js";
import { formatServerLine } from "../util/server-line.js";
import { dataField, showData } from "./data-text.js";
import { type FileLayer, nodeFiles } from "./file-layer.js";
import { scanSegment } from "./segment-reader.js";

export const hex = (n: number | bigint): string => `0x${BigInt.asUintN(64, BigInt(n)).toString(16)}`;

export interface DumpOptions {
  /** Data always as hex (default: text when printable). */
  readonly hex?: boolean;
}

/** A transaction body as plain fields: what `--json` prints and the text line is made of. */
export type TxnFields = Record<string, string | number | boolean | TxnFields[]>;

/** The fields of one transaction body: type, path, data and what else identifies the change. */
export function txnBodyFields(t: Txn, options: DumpOptions = {}): TxnFields {
  const body = t.body;
  if (body === undefined) return { type: "none" };
  const data = (bytes: Uint8Array): TxnFields => {
    const shown = showData(bytes, options);
    return { data: shown.value, encoding: shown.encoding };
  };
  switch (body.$case) {
    case "create":
      return {
        type: "create",
        path: body.value.path,
        ...data(body.value.data),
        owner: hex(body.value.ephemeralOwner),
        acls: body.value.acl.length,
      };
    case "delete":
    case "deleteContainer":
      return { type: body.$case, path: body.value.path };
    case "check":
      return { type: "check", path: body.value.path, version: body.value.version };
    case "setData":
      return {
        type: "setData",
        path: body.value.path,
        version: body.value.version,
        ...data(body.value.data),
      };
    case "setAcl":
      return {
        type: "setAcl",
        path: body.value.path,
        version: body.value.version,
        acls: body.value.acl.length,
      };
    case "createSession":
      return { type: "createSession", timeout: body.value.timeoutMs };
    case "closeSession":
      return { type: "closeSession" };
    case "noop":
      return { type: "noop" };
    case "error":
      return { type: "error", code: errorCodeToJSON(body.value.code) };
    case "multi":
      return { type: "multi", ops: body.value.txns.map((sub) => txnBodyFields(sub, options)) };
    case "reconfig":
      return { type: "reconfig", members: body.value.members.map(formatServerLine).join(",") };
  }
}

/** `type=create path=/a data="x" owner=0x0`, data JSON-quoted when text, 0x… when hex. */
function fieldsText(fields: TxnFields): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (key === "encoding") continue;
    if (key === "data") {
      parts.push(
        `data=${dataField({ encoding: fields.encoding as "utf8" | "hex", value: value as string, omitted: 0 })}`,
      );
    } else if (Array.isArray(value)) {
      parts.push(`${key}=[${value.map((sub) => fieldsText(sub).replace(/^type=/, "")).join(", ")}]`);
    } else {
      parts.push(`${key}=${value}`);
    }
  }
  return parts.join(" ");
}

/** "type=create path=/a …" summary of a transaction body (data shown, as `log dump` prints it). */
export function describeTxnBody(t: Txn, options: DumpOptions = {}): string {
  return fieldsText(txnBodyFields(t, options));
}

export interface LogDump {
  /** One entry per record: its fields (zxid, session, cxid, time, then the body's). */
  readonly txns: AsyncIterable<TxnFields>;
  /** How the data ends; known once `txns` is consumed. */
  summary(): string;
}

/** The records of a log segment, decoded; a record that does not decode says so in `error`. */
export function readLogDump(file: string, files: FileLayer = nodeFiles, options: DumpOptions = {}): LogDump {
  const scan = scanSegment(files.readFile(file), 0);
  async function* txns(): AsyncIterable<TxnFields> {
    for (const rec of scan.records) {
      const head: TxnFields = { zxid: hex(rec.zxid) };
      try {
        const t = Txn.decode(rec.payload);
        const time = new Date(Number(t.time)).toISOString();
        yield { ...head, session: hex(t.sessionId), cxid: hex(t.cxid), time, ...txnBodyFields(t, options) };
      } catch (e) {
        yield { ...head, error: `undecodable: ${(e as Error).message}` };
      }
    }
  }
  const end = scan.end;
  const tail = end.kind === "clean" ? "clean" : `${end.kind}: ${end.reason}`;
  return {
    txns: txns(),
    summary: () => `${scan.records.length} records; data ends at offset ${end.offset} (${tail})`,
  };
}

/** `paddock log dump <file>`: a header line, one line per record, then how the data ends. */
export async function* dumpLog(
  file: string,
  files: FileLayer = nodeFiles,
  options: DumpOptions = {},
): AsyncIterable<string> {
  const dump = readLogDump(file, files, options);
  yield `# ${file}`;
  for await (const fields of dump.txns) {
    const { error, ...rest } = fields;
    yield error === undefined ? fieldsText(rest) : `zxid=${rest.zxid} ${error}`;
  }
  yield `# ${dump.summary()}`;
}
