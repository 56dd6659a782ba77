import { describe, expect, it } from "vitest";
import type { GetChildrenRequest } from "../../../server/gen/paddock/v1/data.js";
import {
  childrenPage,
  decodePageToken,
  encodePageToken,
  isPaged,
  SortedChildren,
} from "../../../server/pipeline/children-page.js";
import { DataTree } from "../../../server/tree/data-tree.js";
import { Code } from "../../../server/util/error-code.js";
import { defaultLimits, type Limits } from "../../../server/util/limits.js";
import { PaddockError } from "../../../server/util/paddock-error.js";
import { create, del, E, txn } from "../tree/txns.js";

// Paged getChildren on a real tree: the token's format and its refusals, the sorted-list cache,
// each page's bounds (page_size, childrenPerReplyMax, the reply bytes) and where the next page starts.

function treeWith(
  parent: string,
  names: readonly string[],
): { tree: DataTree; apply: (b: Parameters<typeof txn>[1]) => void } {
  const tree = new DataTree();
  let zxid = E;
  const apply = (body: Parameters<typeof txn>[1]): void => {
    zxid++;
    tree.apply(txn(zxid, body));
  };
  apply(create(parent, ""));
  for (const name of names) apply(create(`${parent}/${name}`, ""));
  return { tree, apply };
}

const limits = (more: Partial<Limits> = {}): Limits => ({ ...defaultLimits, ...more });

const req = (more: Partial<GetChildrenRequest> = {}): GetChildrenRequest => ({
  path: "/p",
  watch: false,
  consistency: 0,
  ...more,
});

const BAD = Code.BadArguments;

function message(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof PaddockError) return `${error.code} ${error.message}`;
    throw error;
  }
  throw new Error("no error");
}

describe("isPaged: anything beyond ZooKeeper's plain getChildren", () => {
  it("is each of page_size (0 too), a token, a prefix, count_only; not their empty forms", () => {
    expect(isPaged(req())).toBe(false);
    expect(isPaged(req({ pageToken: "", namePrefix: "", countOnly: false }))).toBe(false);
    expect(isPaged(req({ pageSize: 0 }))).toBe(true);
    expect(isPaged(req({ pageToken: "p1:YQ" }))).toBe(true);
    expect(isPaged(req({ namePrefix: "a" }))).toBe(true);
    expect(isPaged(req({ countOnly: true }))).toBe(true);
  });
});

describe("page tokens", () => {
  it("are p1: and the name's UTF-8 in base64url, and decode back", () => {
    expect(encodePageToken("a")).toBe("p1:YQ");
    expect(encodePageToken("é~?")).toBe(`p1:${Buffer.from("é~?").toString("base64url")}`);
    for (const name of ["a", "node-0000000007", "é~?", "\u{1F600}"])
      expect(decodePageToken(encodePageToken(name), "/p")).toBe(name);
  });

  it("refuses anything a page did not return, naming the token and the path", () => {
    const refused = (token: string) =>
      `${BAD} BadArguments for /p: page_token "${token}" for /p is not a token a getChildren page returned`;
    for (const token of [
      "YQ", // no prefix
      "p2:YQ", // another format
      "p1:", // an empty name
      "p1:YQ==", // padding is not ours
      "p1:YR", // decodes to "a" but is not how "a" encodes
      "p1:_w", // not UTF-8
      encodePageToken("a/b"), // not a child name
    ]) {
      expect(message(() => decodePageToken(token, "/p"))).toBe(refused(token));
    }
  });

  it("quotes at most 120 characters of a bad token", () => {
    const at = `x${"y".repeat(119)}`;
    expect(message(() => decodePageToken(at, "/p"))).toContain(`page_token "${at}" for /p`);
    const over = `${at}z`;
    expect(message(() => decodePageToken(over, "/p"))).toContain(`page_token "${at}…" for /p`);
  });
});

describe("SortedChildren", () => {
  it("sorts, and hands back the same list while the key matches", () => {
    const { tree } = treeWith("/p", ["c", "a", "b"]);
    const cache = new SortedChildren();
    const first = cache.names(tree, "/p", [], "k1");
    expect(first).toEqual(["a", "b", "c"]);
    expect(cache.names(tree, "/p", [], "k1")).toBe(first);
    const again = cache.names(tree, "/p", [], "k2");
    expect(again).not.toBe(first);
    expect(again).toEqual(["a", "b", "c"]);
  });

  it("keeps four lists, dropping the least recently rebuilt", () => {
    const { tree, apply } = treeWith("/p", []);
    for (const p of ["/q", "/r", "/s", "/t"]) apply(create(p, ""));
    const cache = new SortedChildren();
    const p = cache.names(tree, "/p", [], "1");
    const q = cache.names(tree, "/q", [], "1");
    cache.names(tree, "/r", [], "1");
    cache.names(tree, "/s", [], "1");
    // Four held: all still hits.
    expect(cache.names(tree, "/p", [], "1")).toBe(p);
    // /p rebuilt (a new key) is now the newest; a fifth path drops /q, the oldest.
    const p2 = cache.names(tree, "/p", [], "2");
    cache.names(tree, "/t", [], "1");
    expect(cache.names(tree, "/p", [], "2")).toBe(p2);
    expect(cache.names(tree, "/q", [], "1")).not.toBe(q);
  });

  it("rebuilding a list it holds drops no other", () => {
    const { tree, apply } = treeWith("/p", []);
    for (const p of ["/q", "/r", "/s"]) apply(create(p, ""));
    const cache = new SortedChildren();
    const p = cache.names(tree, "/p", [], "1");
    for (const path of ["/q", "/r", "/s"]) cache.names(tree, path, [], "1");
    cache.names(tree, "/r", [], "2");
    expect(cache.names(tree, "/p", [], "1")).toBe(p);
  });
});

describe("childrenPage", () => {
  const names = ["b1", "a2", "b3", "a1", "c1", "b2"];

  it("returns sorted pages of page_size, each token starting after the last name", () => {
    const { tree } = treeWith("/p", names);
    const cache = new SortedChildren();
    const one = childrenPage(tree, cache, limits(), req({ pageSize: 4 }), []);
    expect(one).toEqual({
      children: ["a1", "a2", "b1", "b2"],
      stat: tree.statOf("/p"),
      nextPageToken: encodePageToken("b2"),
    });
    const two = childrenPage(tree, cache, limits(), req({ pageSize: 4, pageToken: one.nextPageToken! }), []);
    expect(two).toEqual({ children: ["b3", "c1"], stat: tree.statOf("/p") });
  });

  it("page_size 0 means childrenPerReplyMax; a page exactly at the end carries no token", () => {
    const { tree } = treeWith("/p", names);
    const cache = new SortedChildren();
    const one = childrenPage(tree, cache, limits({ childrenPerReplyMax: 3 }), req({ pageSize: 0 }), []);
    expect([one.children, one.nextPageToken]).toEqual([["a1", "a2", "b1"], encodePageToken("b1")]);
    const two = childrenPage(
      tree,
      cache,
      limits({ childrenPerReplyMax: 3 }),
      req({ pageToken: one.nextPageToken! }),
      [],
    );
    expect([two.children, two.nextPageToken]).toEqual([["b2", "b3", "c1"], undefined]);
  });

  it("refuses a page_size outside 0..childrenPerReplyMax, naming it, the path and the limit", () => {
    const { tree } = treeWith("/p", names);
    const cache = new SortedChildren();
    for (const pageSize of [-1, 1.5, 4]) {
      expect(
        message(() => childrenPage(tree, cache, limits({ childrenPerReplyMax: 3 }), req({ pageSize }), [])),
      ).toBe(
        `${BAD} BadArguments for /p: page_size ${pageSize} for /p must be in 0..3 (childrenPerReplyMax; 0 means the limit)`,
      );
    }
    expect(
      childrenPage(tree, cache, limits({ childrenPerReplyMax: 3 }), req({ pageSize: 3 }), []).children,
    ).toHaveLength(3);
  });

  it("answers NoNode for a missing node and refuses a bad token before looking", () => {
    const { tree } = treeWith("/p", names);
    const cache = new SortedChildren();
    expect(message(() => childrenPage(tree, cache, limits(), req({ path: "/none", pageSize: 1 }), []))).toBe(
      `${PaddockError.noNode("/none").code} NoNode for /none`,
    );
    expect(
      message(() => childrenPage(tree, cache, limits(), req({ path: "/none", pageToken: "bad" }), [])),
    ).toContain('page_token "bad" for /none');
  });

  it("keeps to name_prefix, after the token, and stops at the first name without the prefix", () => {
    const { tree } = treeWith("/p", names);
    const cache = new SortedChildren();
    const b = childrenPage(tree, cache, limits(), req({ namePrefix: "b", pageSize: 2 }), []);
    expect([b.children, b.nextPageToken]).toEqual([["b1", "b2"], encodePageToken("b2")]);
    // The next page ends with the prefix's last name: no token, though c1 follows.
    const b2 = childrenPage(
      tree,
      cache,
      limits(),
      req({ namePrefix: "b", pageSize: 2, pageToken: b.nextPageToken! }),
      [],
    );
    expect([b2.children, b2.nextPageToken]).toEqual([["b3"], undefined]);
    // A token behind the prefix: the page starts at the prefix, not after the token.
    const ahead = childrenPage(
      tree,
      cache,
      limits(),
      req({ namePrefix: "c", pageToken: encodePageToken("a1") }),
      [],
    );
    expect(ahead.children).toEqual(["c1"]);
    // A prefix equal to a name includes it.
    const exact = childrenPage(tree, cache, limits(), req({ namePrefix: "b2" }), []);
    expect(exact.children).toEqual(["b2"]);
    expect(childrenPage(tree, cache, limits(), req({ namePrefix: "b2", countOnly: true }), []).count).toBe(1);
    // A token equal to a name: strictly after it.
    const after = childrenPage(
      tree,
      cache,
      limits(),
      req({ namePrefix: "b", pageToken: encodePageToken("b1") }),
      [],
    );
    expect(after.children).toEqual(["b2", "b3"]);
  });

  it("counts with count_only: from the prefix and after the token, to the end of the list", () => {
    const { tree } = treeWith("/p", names);
    const cache = new SortedChildren();
    const stat = tree.statOf("/p");
    expect(childrenPage(tree, cache, limits(), req({ countOnly: true }), [])).toEqual({
      children: [],
      stat,
      count: 6,
    });
    expect(childrenPage(tree, cache, limits(), req({ countOnly: true, namePrefix: "b" }), [])).toEqual({
      children: [],
      stat,
      count: 3,
    });
    const afterB1 = req({ countOnly: true, namePrefix: "b", pageToken: encodePageToken("b1") });
    expect(childrenPage(tree, cache, limits(), afterB1, []).count).toBe(2);
    expect(childrenPage(tree, cache, limits(), req({ countOnly: true, namePrefix: "c" }), []).count).toBe(1);
    expect(childrenPage(tree, cache, limits(), req({ countOnly: true, namePrefix: "d" }), []).count).toBe(0);
  });

  it("bounds a page by the reply bytes: UTF-8 plus 4 per name, exactly at the limit, at least one name", () => {
    // Names of 6 UTF-8 bytes cost 10 each: 8192 + 20 bytes of requestBytesMax leave room for two.
    const six = ["aaaaaa", "bbbbbb", "ééé", "cccccc"];
    const { tree } = treeWith("/p", six);
    const cache = new SortedChildren();
    const page = (requestBytesMax: number, pageToken?: string) =>
      childrenPage(tree, cache, limits({ requestBytesMax }), req({ pageSize: 0, pageToken }), []);
    expect(page(8192 + 20).children).toEqual(["aaaaaa", "bbbbbb"]);
    expect(page(8192 + 19).children).toEqual(["aaaaaa"]);
    // "ééé" is 3 UTF-16 code units and 6 UTF-8 bytes: it costs as much as the others.
    expect(page(8192 + 20, encodePageToken("bbbbbb")).children).toEqual(["cccccc", "ééé"]);
    expect(page(8192 + 19, encodePageToken("bbbbbb")).children).toEqual(["cccccc"]);
    // A limit with no room for names still returns one a page, so paging ends.
    const tiny = page(100);
    expect([tiny.children, tiny.nextPageToken]).toEqual([["aaaaaa"], encodePageToken("aaaaaa")]);
  });

  it("follows the node's children: the cache is rebuilt after a create or delete", () => {
    const { tree, apply } = treeWith("/p", ["b"]);
    const cache = new SortedChildren();
    expect(childrenPage(tree, cache, limits(), req({ pageSize: 0 }), []).children).toEqual(["b"]);
    apply(create("/p/a", ""));
    expect(childrenPage(tree, cache, limits(), req({ pageSize: 0 }), []).children).toEqual(["a", "b"]);
    apply(del("/p/b"));
    expect(childrenPage(tree, cache, limits(), req({ pageSize: 0 }), []).children).toEqual(["a"]);
  });

  it("with childrenPerReplyMax 0 returns no names and no token", () => {
    const { tree } = treeWith("/p", names);
    expect(
      childrenPage(tree, new SortedChildren(), limits({ childrenPerReplyMax: 0 }), req({ pageSize: 0 }), []),
    ).toEqual({
      children: [],
      stat: tree.statOf("/p"),
    });
  });

  it("needs READ on the node", () => {
    const { tree, apply } = treeWith("/p", names);
    apply(create("/secret", "", -1, 0n, [{ perms: 1, id: { scheme: "digest", id: "alice:x" } }]));
    expect(
      message(() =>
        childrenPage(tree, new SortedChildren(), limits(), req({ path: "/secret", pageSize: 1 }), []),
      ),
    ).toBe(
      `${PaddockError.noAuth("/secret", "READ").code} ${PaddockError.noAuth("/secret", "READ").message}`,
    );
  });
});
