import type { MultiReadRequest, ReadOpResult } from "../gen/paddock/v1/data.js";
import type { Request } from "../gen/paddock/v1/session.js";
import type { AuthId, DataTree } from "../tree/data-tree.js";
import { Code } from "../util/error-code.js";
import type { Limits } from "../util/limits.js";
import { PaddockError } from "../util/paddock-error.js";
import { validatePath } from "../util/path.js";
import type { WatchEventOut, WatchRegistry } from "../watches/watch-registry.js";
import { childrenPage, isPaged, SortedChildren } from "./children-page.js";
import { type ReplyResult, toApiError } from "./replies.js";
import type { Requester } from "./requester.js";
import { setWatches } from "./set-watches.js";

type Op = NonNullable<Request["op"]>;

/** WatcherType values of paddock.v1 (the pipeline may not import values from generated code paths). */
const ADD_WATCH_MODE_PERSISTENT_RECURSIVE = 1;

export interface ReadContext {
  readonly tree: DataTree;
  readonly watches: WatchRegistry;
  readonly limits: Limits;
  /** This member's /zookeeper/config text: each member shows its own zoo.cfg, as in ZooKeeper. */
  readonly zookeeperConfig: Uint8Array;
  /** Sorted child lists for paged getChildren; absent: a fresh one per read. */
  readonly sortedChildren?: SortedChildren;
}

const CONFIG_PATH = "/zookeeper/config";

/**
 * The config node's stat with the length of this member's zoo.cfg text. The tree keeps the node
 * empty until a reconfig commits; from then on the tree's content, the same on every member, wins.
 */
function configStat<T extends { dataLength: number } | undefined>(
  ctx: ReadContext,
  path: string,
  stat: T,
): T {
  if (path !== CONFIG_PATH || stat === undefined || stat.dataLength > 0) return stat;
  return { ...stat, dataLength: ctx.zookeeperConfig.length };
}

function needSession(requester: Requester, path: string, what: string): void {
  if (!requester.isSession)
    throw PaddockError.badArguments(path, `${what} needs a session (use SessionService)`);
}

/**
 * Runs a read (or a session-local op such as addWatch) against the applied tree. Runs only at the
 * head of the requester's queue, so it sees the session's own earlier writes. Throws PaddockError.
 */
export function executeRead(
  ctx: ReadContext,
  requester: Requester,
  ids: readonly AuthId[],
  op: Op,
): ReplyResult {
  const { tree, watches } = ctx;
  switch (op.$case) {
    case "exists": {
      const { path, watch } = op.value;
      validatePath(path);
      const stat = configStat(ctx, path, tree.exists(path, ids));
      if (watch) {
        needSession(requester, path, "a watch");
        if (stat) watches.addData(requester.sessionId, path);
        else watches.addExist(requester.sessionId, path);
      }
      return { $case: "exists", value: { stat } };
    }
    case "getData": {
      const { path, watch } = op.value;
      validatePath(path);
      const read = tree.getData(path, ids);
      const value =
        path === CONFIG_PATH && read.stat !== undefined && read.stat.dataLength === 0
          ? { data: Buffer.from(ctx.zookeeperConfig), stat: configStat(ctx, path, read.stat) }
          : read;
      if (watch) {
        needSession(requester, path, "a watch");
        watches.addData(requester.sessionId, path);
      }
      return { $case: "getData", value };
    }
    case "getChildren": {
      const { path, watch } = op.value;
      validatePath(path);
      if (isPaged(op.value)) {
        const cache = ctx.sortedChildren ?? new SortedChildren();
        const value = childrenPage(tree, cache, ctx.limits, op.value, ids);
        if (watch) {
          needSession(requester, path, "a watch");
          watches.addChild(requester.sessionId, path);
        }
        return { $case: "getChildren", value };
      }
      const value = tree.getChildren(path, ids);
      if (value.children.length > ctx.limits.childrenPerReplyMax) {
        throw PaddockError.badArguments(
          path,
          `${value.children.length} children exceed childrenPerReplyMax ${ctx.limits.childrenPerReplyMax}`,
        );
      }
      if (watch) {
        needSession(requester, path, "a watch");
        watches.addChild(requester.sessionId, path);
      }
      return { $case: "getChildren", value };
    }
    case "getAllChildrenNumber": {
      validatePath(op.value.path);
      return {
        $case: "getAllChildrenNumber",
        value: { number: tree.getAllChildrenNumber(op.value.path, ids) },
      };
    }
    case "getEphemerals": {
      const prefix = op.value.prefixPath === "" ? "/" : op.value.prefixPath;
      validatePath(prefix);
      return { $case: "getEphemerals", value: { paths: tree.getEphemerals(requester.sessionId, prefix) } };
    }
    case "getAcl": {
      validatePath(op.value.path);
      return { $case: "getAcl", value: tree.getACL(op.value.path, ids) };
    }
    case "multiRead":
      return { $case: "multiRead", value: { results: multiRead(ctx, requester, ids, op.value) } };
    case "whoAmI":
      return {
        $case: "whoAmI",
        // ZooKeeper shows the digest user's name, not the hash.
        value: {
          // ZooKeeper 3.8 lists the ip identity after the ones added by addAuth.
          clientInfo: [...ids.filter((i) => i.scheme !== "ip"), ...ids.filter((i) => i.scheme === "ip")].map(
            (id) => ({
              authScheme: id.scheme,
              // ...and no user for super (no provider names it; a super certificate shows "super: ").
              user:
                id.scheme === "digest"
                  ? id.id.slice(0, id.id.indexOf(":"))
                  : id.scheme === "super"
                    ? ""
                    : id.id,
            }),
          ),
        },
      };
    case "addWatch": {
      const { path, mode } = op.value;
      validatePath(path);
      needSession(requester, path, "a watch");
      watches.addPersistent(requester.sessionId, path, mode === ADD_WATCH_MODE_PERSISTENT_RECURSIVE);
      return { $case: "addWatch", value: {} };
    }
    case "removeWatches": {
      const { path, type } = op.value;
      validatePath(path);
      needSession(requester, path, "removing a watch");
      const removed: WatchEventOut[] = [];
      const held = op.value.checkOnly
        ? watches.has(requester.sessionId, path, type)
        : watches.remove(requester.sessionId, path, type, removed);
      if (!held) {
        throw new PaddockError(Code.NoWatcher, path, `NoWatcher for ${path}: no watch of type ${type}`);
      }
      // The removal events go out before the reply, as the watch's last word.
      for (const e of removed) {
        requester.sink?.send({
          kind: { $case: "event", value: { type: e.type, path: e.path, zxid: BigInt(e.zxid) } },
        });
      }
      return { $case: "removeWatches", value: {} };
    }
    case "ping":
      return { $case: "ping", value: {} };
    case "setWatches": {
      needSession(requester, "", "setWatches");
      const sw = op.value;
      const lists = [
        sw.dataWatches,
        sw.existWatches,
        sw.childWatches,
        sw.persistentWatches,
        sw.persistentRecursiveWatches,
      ];
      for (const list of lists) for (const path of list) validatePath(path);
      setWatches(tree, watches, requester.sessionId, sw, requester.sink);
      return { $case: "setWatches", value: {} };
    }
    case "sync":
      validatePath(op.value.path);
      return { $case: "sync", value: { path: op.value.path } };
    default:
      throw new PaddockError(Code.Unimplemented, "", `not a read: ${op.$case}`);
  }
}

function multiRead(
  ctx: ReadContext,
  requester: Requester,
  ids: readonly AuthId[],
  request: MultiReadRequest,
): ReadOpResult[] {
  return request.ops.map((readOp): ReadOpResult => {
    try {
      const op = readOp.op;
      if (op === undefined) throw PaddockError.badArguments("", "empty op in multiRead");
      const result = executeRead(ctx, requester, ids, op);
      if (result?.$case === "getData") return { result: { $case: "getData", value: result.value } };
      if (result?.$case === "getChildren") return { result: { $case: "getChildren", value: result.value } };
      throw PaddockError.badArguments("", "multiRead takes getData and getChildren only");
    } catch (error) {
      return { result: { $case: "error", value: toApiError(error) } };
    }
  });
}
