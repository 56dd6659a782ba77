import { InvalidPathError } from "./errors.js";

/**
 * ZooKeeper's client-side path check (PathUtils.validatePath): the same rules and the same
 * reasons, so the CLI prints what zkCli prints. Sequential creates may end in "/" (the server
 * appends the counter).
 */
export function validatePath(path: string, sequential = false): void {
  if (path.length === 0) throw new InvalidPathError(path, "Path length must be > 0");
  if (path.charCodeAt(0) !== 0x2f) throw new InvalidPathError(path, "Path must start with / character");
  if (path.length === 1) return;
  const checked = sequential ? path + "1" : path;
  if (checked.charCodeAt(checked.length - 1) === 0x2f) {
    throw new InvalidPathError(path, "Path must not end with / character");
  }
  let reason: string | undefined;
  let last = 0x2f;
  for (let i = 1; i < checked.length; i++) {
    const c = checked.charCodeAt(i);
    if (c === 0) reason = `null character not allowed @${i}`;
    else if (c === 0x2f && last === 0x2f) reason = `empty node name specified @${i}`;
    else if (c === 0x2e && last === 0x2e) {
      const before = checked.charCodeAt(i - 2);
      const after = i + 1 === checked.length ? 0x2f : checked.charCodeAt(i + 1);
      if (before === 0x2f && after === 0x2f) reason = `relative paths not allowed @${i}`;
    } else if (c === 0x2e) {
      const after = i + 1 === checked.length ? 0x2f : checked.charCodeAt(i + 1);
      if (last === 0x2f && after === 0x2f) reason = `relative paths not allowed @${i}`;
    } else if (
      (c > 0x00 && c <= 0x1f) ||
      (c >= 0x7f && c <= 0x9f) ||
      (c >= 0xd800 && c <= 0xf8ff) ||
      (c >= 0xfff0 && c <= 0xffff)
    ) {
      reason = `invalid character @${i}`;
    }
    if (reason !== undefined) {
      throw new InvalidPathError(path, `Invalid path string "${path}" caused by ${reason}`);
    }
    last = c;
  }
}

/** "/a/b" → ["/a", "/"]: every proper ancestor of a path, nearest first. */
export function ancestors(path: string): string[] {
  const out: string[] = [];
  let end = path.lastIndexOf("/");
  while (end > 0) {
    out.push(path.slice(0, end));
    end = path.lastIndexOf("/", end - 1);
  }
  if (path !== "/") out.push("/");
  return out;
}
