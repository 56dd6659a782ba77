/**
 * Node-name helpers shared by the recipes: Curator's protected sequential names
 * (`_c_<uuid>-<name><10-digit sequence>`), sorting by sequence, creating parents, and waiting
 * for one node to go away (the predecessor-only watch that avoids a herd).
 */
import { randomUUID } from "node:crypto";
import type { Client } from "../client.js";
import { ConnectionLossError, NodeExistsError, NoNodeError, PaddockError } from "../errors.js";
import type { CreateOptions } from "../ops.js";
import type { Stat, WatchEvent } from "../types.js";
import { isLost } from "./connection.js";

/** Curator's protection prefix: finds our own node again after a create lost to a disconnect. */
export function protectedPrefix(): string {
  return `_c_${randomUUID()}-`;
}

/** The sequence part of a name after `marker` (Curator's fixForSorting), or the whole name. */
export function sortKey(name: string, markers: readonly string[]): string {
  let key = name;
  for (const marker of markers) {
    const at = key.lastIndexOf(marker);
    if (at >= 0) key = key.slice(at + marker.length);
  }
  return key;
}

export function sortBySequence(children: readonly string[], markers: readonly string[]): string[] {
  return [...children].sort((a, b) => {
    const ka = sortKey(a, markers);
    const kb = sortKey(b, markers);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}

/** The 10-digit counter ZooKeeper appended to a sequential node's name. */
export function sequenceOf(name: string): number {
  const digits = /(\d{10})$/.exec(name)?.[1];
  if (digits === undefined) throw new RangeError(`${name} does not end in a 10-digit sequence`);
  return Number(digits);
}

export function parentOf(path: string): string {
  const at = path.lastIndexOf("/");
  return at <= 0 ? "/" : path.slice(0, at);
}

export function join(parent: string, name: string): string {
  return parent === "/" ? `/${name}` : `${parent}/${name}`;
}

/** Creates every missing ancestor of `path` and, with `self`, path itself (Curator's creatingParents…). */
export async function ensurePath(
  client: Client,
  path: string,
  mode: "PERSISTENT" | "CONTAINER" = "CONTAINER",
  self = true,
): Promise<void> {
  const parts = path.split("/").filter((p) => p.length > 0);
  if (!self) parts.pop();
  let current = "";
  for (const part of parts) {
    current += `/${part}`;
    if ((await client.exists(current)) !== null) continue;
    try {
      await client.create(current, undefined, { mode });
    } catch (error) {
      if (!(error instanceof NodeExistsError)) throw error;
    }
  }
}

/**
 * Creates `<parent>/<prefix><name>` sequentially, parents included. A create cut by a lost
 * connection may have happened: the protected prefix finds it (Curator's withProtection).
 */
export async function createProtected(
  client: Client,
  parent: string,
  name: string,
  data: Uint8Array | string | undefined,
  mode: CreateOptions["mode"] = "EPHEMERAL_SEQUENTIAL",
): Promise<{ path: string; name: string; stat: Stat }> {
  const prefix = protectedPrefix();
  for (let attempt = 0; ; attempt++) {
    try {
      const created = await client.create(join(parent, prefix + name), data, { mode });
      return { path: created.path, name: created.path.slice(parent.length + 1), stat: created.stat };
    } catch (error) {
      if (error instanceof NoNodeError) {
        await ensurePath(client, parent);
        continue;
      }
      if (!(error instanceof ConnectionLossError) || isLost(client) || attempt >= 5) throw error;
      const found = await findProtected(client, parent, prefix);
      if (found !== undefined) return found;
    }
  }
}

async function findProtected(
  client: Client,
  parent: string,
  prefix: string,
): Promise<{ path: string; name: string; stat: Stat } | undefined> {
  for (;;) {
    try {
      const { children } = await client.getChildren(parent);
      const name = children.find((c) => c.startsWith(prefix));
      if (name === undefined) return undefined;
      const stat = await client.exists(join(parent, name));
      return stat === null ? undefined : { path: join(parent, name), name, stat };
    } catch (error) {
      if (!(error instanceof ConnectionLossError) || isLost(client)) throw error;
    }
  }
}

/** Deletes a node, retrying across reconnects; a node already gone is fine (Curator's guaranteed()). */
export async function deleteGuaranteed(client: Client, path: string): Promise<void> {
  for (;;) {
    try {
      await client.delete(path);
      return;
    } catch (error) {
      if (error instanceof NoNodeError) return;
      if (!(error instanceof ConnectionLossError) || isLost(client)) throw error;
    }
  }
}

export function sessionLostError(path: string): PaddockError {
  return new PaddockError(-112, path, `session lost while waiting on ${path}`);
}

/**
 * Resolves true once `path` does not exist, false when `deadline` (ms since the epoch) passes;
 * rejects when the session is lost. One data watch on that one node (ZooKeeper's recipe: watch
 * the predecessor only), so N waiters hold N watches, not N².
 */
export function waitGone(
  client: Client,
  path: string,
  deadline = Number.POSITIVE_INFINITY,
): Promise<boolean> {
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = (result: boolean | Error): void => {
      clearTimeout(timer);
      client.off("state", onState);
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const onState = (): void => {
      if (isLost(client)) finish(sessionLostError(path));
    };
    const arm = (): void => {
      client.getData(path, { watch: watcher }).then(
        () => undefined,
        (error: unknown) => finish(error instanceof NoNodeError ? true : (error as Error)),
      );
    };
    const watcher = (event: WatchEvent): void => {
      if (event.type === "NodeDeleted") finish(true);
      else arm();
    };
    client.on("state", onState);
    if (Number.isFinite(deadline))
      timer = setTimeout(() => finish(false), Math.max(0, deadline - Date.now()));
    arm();
  });
}

/**
 * A one-time watch as a promise: pass `watcher` to a read, then `wait(deadline)` resolves true on
 * its event, false when the deadline (ms since the epoch) passes; rejects when the session is lost.
 */
export function oneShot(client: Client): {
  watcher: (event: WatchEvent) => void;
  wait(deadline?: number): Promise<boolean>;
} {
  let fired = false;
  let wake: (() => void) | undefined;
  return {
    watcher: () => {
      fired = true;
      wake?.();
    },
    wait: (deadline = Number.POSITIVE_INFINITY) =>
      new Promise<boolean>((resolve, reject) => {
        if (fired) return resolve(true);
        let timer: NodeJS.Timeout | undefined;
        const finish = (result: boolean | Error): void => {
          clearTimeout(timer);
          client.off("state", onState);
          wake = undefined;
          if (result instanceof Error) reject(result);
          else resolve(result);
        };
        const onState = (): void => {
          if (isLost(client)) finish(sessionLostError(""));
        };
        wake = () => finish(true);
        client.on("state", onState);
        if (Number.isFinite(deadline))
          timer = setTimeout(() => finish(false), Math.max(0, deadline - Date.now()));
      }),
  };
}
