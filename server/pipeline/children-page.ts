import type { GetChildrenRequest, GetChildrenResponse } from "../gen/paddock/v1/data.js";
import type { AuthId, DataTree } from "../tree/data-tree.js";
import type { Limits } from "../util/limits.js";
import { PaddockError } from "../util/paddock-error.js";

/** Token prefix: names the format, so a later format can refuse an old token clearly. */
const TOKEN_PREFIX = "p1:";
/** Reply bytes kept aside from the names: the stat, the token and the framing. */
const REPLY_OVERHEAD_BYTES = 8192;
/** Sorted child lists kept: a paging client asks for the same node page after page. */
const CACHED_LISTS_MAX = 4;
/** Characters of a bad token quoted in its error. */
const QUOTED_TOKEN_MAX = 120;

/** A paged, filtered or count-only getChildren (anything beyond ZooKeeper's plain form). */
export function isPaged(req: GetChildrenRequest): boolean {
  return (
    req.pageSize !== undefined ||
    (req.pageToken ?? "") !== "" ||
    (req.namePrefix ?? "") !== "" ||
    req.countOnly === true
  );
}

export function encodePageToken(lastName: string): string {
  return TOKEN_PREFIX + Buffer.from(lastName, "utf8").toString("base64url");
}

/** The last name of the previous page; BadArguments naming the token when it is not one of ours. */
export function decodePageToken(token: string, path: string): string {
  const body = token.startsWith(TOKEN_PREFIX) ? token.slice(TOKEN_PREFIX.length) : "";
  const name = /^[A-Za-z0-9_-]+$/.test(body) ? Buffer.from(body, "base64url").toString("utf8") : "";
  if (name === "" || name.includes("/") || encodePageToken(name) !== token) {
    const quoted = token.length > QUOTED_TOKEN_MAX ? `${token.slice(0, QUOTED_TOKEN_MAX)}…` : token;
    throw PaddockError.badArguments(
      path,
      `page_token "${quoted}" for ${path} is not a token a getChildren page returned`,
    );
  }
  return name;
}

/** First index whose name is > after (strictly) or, without after, >= prefix. */
function lowerBound(names: readonly string[], key: string, strict: boolean): number {
  let lo = 0;
  let hi = names.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const name = names[mid]!;
    if (strict ? name <= key : name < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Sorted child names per node version: the node's czxid and cversion change with every create or
 * delete of a child, so a cached list is exact while they match.
 */
export class SortedChildren {
  private readonly lists = new Map<string, { key: string; names: string[] }>();

  names(tree: DataTree, path: string, ids: readonly AuthId[], key: string): string[] {
    const hit = this.lists.get(path);
    if (hit !== undefined && hit.key === key) return hit.names;
    const names = tree.getChildren(path, ids).children.sort();
    this.lists.delete(path);
    if (this.lists.size >= CACHED_LISTS_MAX) this.lists.delete(this.lists.keys().next().value!);
    this.lists.set(path, { key, names });
    return names;
  }
}

/**
 * One page of children sorted by name, after the token's name and starting with name_prefix: at
 * most page_size names (childrenPerReplyMax when 0) and at most the reply byte limit
 * (requestBytesMax, jute.maxbuffer, less room for the stat). A child created behind the cursor is
 * never returned, one ahead of it is, and none twice, whatever changes between pages.
 */
export function childrenPage(
  tree: DataTree,
  cache: SortedChildren,
  limits: Limits,
  req: GetChildrenRequest,
  ids: readonly AuthId[],
): GetChildrenResponse {
  const { path } = req;
  const namePrefix = req.namePrefix ?? "";
  const token = req.pageToken ?? "";
  const pageSize = req.pageSize ?? 0;
  const max = limits.childrenPerReplyMax;
  if (!Number.isInteger(pageSize) || pageSize < 0 || pageSize > max) {
    throw PaddockError.badArguments(
      path,
      `page_size ${pageSize} for ${path} must be in 0..${max} (childrenPerReplyMax; 0 means the limit)`,
    );
  }
  const after = token === "" ? undefined : decodePageToken(token, path);
  const stat = tree.exists(path, ids);
  if (stat === undefined) throw PaddockError.noNode(path);
  const names = cache.names(tree, path, ids, `${stat.czxid}/${stat.cversion}`);
  let i = lowerBound(names, namePrefix, false);
  if (after !== undefined) i = Math.max(i, lowerBound(names, after, true));
  if (req.countOnly === true) {
    let count = 0;
    while (i + count < names.length && names[i + count]!.startsWith(namePrefix)) count++;
    return { children: [], stat, count };
  }
  const sizeMax = pageSize === 0 ? max : pageSize;
  const bytesMax = Math.max(limits.requestBytesMax - REPLY_OVERHEAD_BYTES, 1);
  const children: string[] = [];
  let bytes = 0;
  for (; i < names.length && children.length < sizeMax; i++) {
    const name = names[i]!;
    if (!name.startsWith(namePrefix)) break;
    // A repeated string costs its UTF-8 bytes, a tag byte and a length of at most 3 bytes here.
    const cost = Buffer.byteLength(name, "utf8") + 4;
    if (bytes + cost > bytesMax && children.length > 0) break;
    bytes += cost;
    children.push(name);
  }
  const more = i < names.length && names[i]!.startsWith(namePrefix) && children.length > 0;
  return more
    ? { children, stat, nextPageToken: encodePageToken(children[children.length - 1]!) }
    : { children, stat };
}
