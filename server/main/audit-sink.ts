import { createWriteStream, type WriteStream } from "node:fs";
import { userInfo } from "node:os";
import { auditLine } from "../pipeline/audit.js";
import type { Log } from "./server.js";

/** Where audit lines go: a file (paddock.audit.file) or the server log. */
export interface AuditOutput {
  readonly write: (line: string) => void;
  close(): Promise<void>;
}

/**
 * ZooKeeper's audit log as its default log4j layout writes it (`%d{ISO8601} %p %c{2}: %m`):
 * one line per event, "<time> INFO audit.ZKAuditProvider: session=0x…\tuser=…\t…\tresult=success".
 * Appended to `file`, or to the server log (stderr) when no file is named.
 */
export function openAuditSink(file: string | undefined, log: Log): AuditOutput {
  let stream: WriteStream | undefined;
  if (file !== undefined) {
    stream = createWriteStream(file, { flags: "a" });
    stream.on("error", (error) => log("error", `audit log ${file}: ${error.message}`));
  }
  const write = (line: string): void => {
    const text = `${new Date().toISOString().replace("T", " ").replace("Z", "")} INFO audit.ZKAuditProvider: ${line}`;
    if (stream !== undefined) stream.write(`${text}\n`);
    else log("info", text);
  };
  return {
    write,
    close: () =>
      new Promise<void>((resolve) => {
        if (stream === undefined) resolve();
        else stream.end(() => resolve());
      }),
  };
}

/** serverStart / serverStop, by the user running the server (ZooKeeper's getZKUser). */
export function auditServerLine(operation: string, result: "success" | "invoked"): string {
  return auditLine(undefined, userInfo().username, undefined, { operation }, result);
}
