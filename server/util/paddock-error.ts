import { Code, type CodeValue, codeName } from "./error-code.js";

/**
 * The one error type of the server: a ZooKeeper code, the path it concerns and a message that
 * names the version or limit involved. Thrown by the core, turned into a reply by the pipeline.
 */
export class PaddockError extends Error {
  override name = "PaddockError";
  constructor(
    readonly code: CodeValue,
    readonly path: string,
    message?: string,
    options?: { cause?: unknown },
  ) {
    super(message ?? (path ? `${codeName(code)} for ${path}` : codeName(code)), options);
  }

  static noNode(path: string): PaddockError {
    return new PaddockError(Code.NoNode, path, `NoNode for ${path}`);
  }
  static nodeExists(path: string): PaddockError {
    return new PaddockError(Code.NodeExists, path, `NodeExists for ${path}`);
  }
  static badVersion(path: string, expected: number, actual: number): PaddockError {
    return new PaddockError(
      Code.BadVersion,
      path,
      `BadVersion for ${path}: expected ${expected}, is ${actual}`,
    );
  }
  static noAuth(path: string, perm: string): PaddockError {
    return new PaddockError(Code.NoAuth, path, `NoAuth for ${path}: ${perm} permission required`);
  }
  static badArguments(path: string, why: string): PaddockError {
    return new PaddockError(Code.BadArguments, path, `BadArguments for ${path}: ${why}`);
  }
}
