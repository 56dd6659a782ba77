import { PaddockError } from "./paddock-error.js";

/**
 * Path rules are ZooKeeper's PathUtils.validatePath: absolute, no trailing slash (except "/"), no
 * empty, "." or ".." segments, no null or forbidden characters.
 */
export function validatePath(path: string, sequential = false): void {
  const checked = sequential ? `${path}1` : path;
  const reason = pathProblem(checked);
  if (reason !== undefined) throw PaddockError.badArguments(path, `invalid path: ${reason}`);
}

function pathProblem(path: string): string | undefined {
  if (path.length === 0) return "path length must be > 0";
  if (path.charCodeAt(0) !== 47) return "path must start with / character";
  if (path.length === 1) return undefined;
  if (path.charCodeAt(path.length - 1) === 47) return "path must not end with / character";
  let last = 47;
  for (let i = 1; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === 0) return `null character not allowed @${i}`;
    if (c === 47 && last === 47) return `empty node name specified @${i}`;
    if (c === 46 && last === 46) {
      const before = path.charCodeAt(i - 2);
      const after = i + 1 === path.length ? 47 : path.charCodeAt(i + 1);
      if (before === 47 && after === 47) return `relative paths not allowed @${i}`;
    } else if (c === 46) {
      const after = i + 1 === path.length ? 47 : path.charCodeAt(i + 1);
      if (last === 47 && after === 47) return `relative paths not allowed @${i}`;
    } else if (
      (c > 0x0000 && c <= 0x001f) ||
      (c >= 0x007f && c <= 0x009f) ||
      (c >= 0xd800 && c <= 0xf8ff) ||
      (c >= 0xfff0 && c <= 0xffff)
    ) {
      return `invalid character @${i}`;
    }
    last = c;
  }
  return undefined;
}

export function parentPath(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

export function joinPath(parent: string, child: string): string {
  return parent === "/" ? `/${child}` : `${parent}/${child}`;
}
