import { describe, expect, it } from "vitest";
import { checkFormatVersion, FormatTooNewError } from "../../../server/persistence/format-version.js";
import { StorageCorruptionError, TxnLogFailedError } from "../../../server/persistence/storage-error.js";

// The errors a damaged or newer data directory stops a start with: each names the file, and what
// the operator can do about it.

describe("storage errors", () => {
  it("StorageCorruptionError names the file, the offset and the reason", () => {
    const e = new StorageCorruptionError("/d/log.1", 42, "CRC mismatch");
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe("StorageCorruptionError");
    expect(e.message).toBe("/d/log.1 damaged at offset 42: CRC mismatch");
    expect([e.file, e.offset, e.reason]).toEqual(["/d/log.1", 42, "CRC mismatch"]);
    expect(String(e)).toBe("StorageCorruptionError: /d/log.1 damaged at offset 42: CRC mismatch");
  });

  it("TxnLogFailedError keeps its message under its own name", () => {
    const e = new TxnLogFailedError("log failed: EIO");
    expect(e.name).toBe("TxnLogFailedError");
    expect(String(e)).toBe("TxnLogFailedError: log failed: EIO");
  });

  it("checkFormatVersion: a newer version throws FormatTooNewError, equal and older pass", () => {
    expect(() => checkFormatVersion("/d/x", "epoch", 1, 1)).not.toThrow();
    expect(() => checkFormatVersion("/d/x", "epoch", 0, 1)).not.toThrow();
    let caught: unknown;
    try {
      checkFormatVersion("/d/x", "epoch", 3, 2);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(FormatTooNewError);
    const e = caught as FormatTooNewError;
    expect(e.name).toBe("FormatTooNewError");
    expect([e.file, e.kind, e.found, e.supported]).toEqual(["/d/x", "epoch", 3, 2]);
    expect(e.message).toBe(
      "/d/x: epoch format version 3 is newer than this build reads (up to 2); refusing to start: run a Paddock build that reads version 3",
    );
  });
});
