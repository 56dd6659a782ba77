import { beforeEach, describe, expect, it } from "vitest";
import type { ServerMessage, SetWatches } from "../../../server/gen/paddock/v1/session.js";
import { setWatches } from "../../../server/pipeline/set-watches.js";
import { DataTree } from "../../../server/tree/data-tree.js";
import { WatchRegistry } from "../../../server/watches/watch-registry.js";
import { create, E, setData, txn } from "../tree/txns.js";

// setWatches on a real tree and a real registry: which watches fire at once (the change the
// client missed, read from the node's mzxid or pzxid) and which are registered.
const NODE_CREATED = 1;
const NODE_DELETED = 2;
const NODE_DATA_CHANGED = 3;
const NODE_CHILDREN_CHANGED = 4;

let tree: DataTree;
let watches: WatchRegistry;
beforeEach(() => {
  tree = new DataTree();
  // /a: czxid E+1, mzxid E+4, pzxid E+1. /p: czxid and mzxid E+2, pzxid E+3 (its child).
  tree.apply(txn(E + 1, create("/a", "one")));
  tree.apply(txn(E + 2, create("/p", "")));
  tree.apply(txn(E + 3, create("/p/c", "")));
  tree.apply(txn(E + 4, setData("/a", "two", 0)));
  watches = new WatchRegistry({ watchesPerSessionMax: 100 });
});

function sw(relativeZxid: number, lists: Partial<SetWatches> = {}): SetWatches {
  return {
    relativeZxid: BigInt(relativeZxid),
    dataWatches: [],
    existWatches: [],
    childWatches: [],
    persistentWatches: [],
    persistentRecursiveWatches: [],
    ...lists,
  };
}

function sink() {
  const sent: ServerMessage[] = [];
  return { sent, send: (m: ServerMessage) => sent.push(m), end: () => {} };
}

const event = (type: number, path: string): ServerMessage => ({
  kind: { $case: "event", value: { type, path, zxid: -1n } },
});

describe("setWatches on a resumed session", () => {
  it("fires what the client missed, by mzxid for data watches and pzxid for child watches", () => {
    const s = sink();
    setWatches(tree, watches, 9n, sw(E + 2, { dataWatches: ["/a", "/p"], childWatches: ["/a", "/p"] }), s);
    // /a's data changed at E+4 > E+2; /p's children changed at E+3 > E+2. /p's data (E+2) and
    // /a's children (E+1) did not change since: those watches are set.
    expect(s.sent).toEqual([event(NODE_DATA_CHANGED, "/a"), event(NODE_CHILDREN_CHANGED, "/p")]);
    expect(watches.bySession()).toEqual(new Map([[9n, ["/p", "/a"]]]));
  });

  it("sets every watch when nothing changed after relativeZxid, and fires nothing", () => {
    const s = sink();
    setWatches(tree, watches, 9n, sw(E + 4, { dataWatches: ["/a", "/p"], childWatches: ["/a", "/p"] }), s);
    expect(s.sent).toEqual([]);
    expect(watches.size).toBe(4);
  });

  it("reads relativeZxid above 2^32 exactly: one below a node's mzxid fires, equal does not", () => {
    const below = sink();
    setWatches(tree, watches, 9n, sw(E + 3, { dataWatches: ["/a"] }), below);
    expect(below.sent).toEqual([event(NODE_DATA_CHANGED, "/a")]);
    const equal = sink();
    setWatches(tree, watches, 9n, sw(E + 4, { dataWatches: ["/a"] }), equal);
    expect(equal.sent).toEqual([]);
  });

  it("a missing node fires NodeDeleted for data and child watches; an existing one NodeCreated for exist", () => {
    const s = sink();
    setWatches(
      tree,
      watches,
      9n,
      sw(E + 4, { dataWatches: ["/gone"], existWatches: ["/a", "/later"], childWatches: ["/gone2"] }),
      s,
    );
    expect(s.sent).toEqual([
      event(NODE_DELETED, "/gone"),
      event(NODE_CREATED, "/a"),
      event(NODE_DELETED, "/gone2"),
    ]);
    expect(watches.bySession()).toEqual(new Map([[9n, ["/later"]]]));
  });

  it("persistent watches are set and never fire here", () => {
    const s = sink();
    setWatches(
      tree,
      watches,
      9n,
      sw(E, { persistentWatches: ["/a"], persistentRecursiveWatches: ["/p"] }),
      s,
    );
    expect(s.sent).toEqual([]);
    expect(watches.byPath()).toEqual(
      new Map([
        ["/a", [9n]],
        ["/p", [9n]],
      ]),
    );
  });

  it("without a connection to tell, the watches are still set and the missed ones spent", () => {
    setWatches(tree, watches, 9n, sw(E + 2, { dataWatches: ["/a", "/p"] }), undefined);
    expect(watches.bySession()).toEqual(new Map([[9n, ["/p"]]]));
  });
});
