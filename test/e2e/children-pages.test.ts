import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BadArgumentsError,
  type Client,
  connect,
  countChildren,
  listChildren,
  op,
} from "../../clients/ts/src/index.js";
import { type ServerHandle, startServer } from "../support/launcher.js";
import { paddockCli } from "../support/run-process.js";

// Paged getChildren (a Paddock extension, ZooKeeper has none) against a real server process.

const childrenMax = 5000;
const bufferBytes = 256 * 1024;
let server: ServerHandle;
let client: Client;

beforeAll(async () => {
  server = await startServer({
    settings: { "paddock.childrenPerReplyMax": childrenMax, "jute.maxbuffer": bufferBytes },
  });
  client = await connect(server.address, { sessionTimeoutMs: 10_000 });
});

afterAll(async () => {
  await client?.close();
  await server?.stop();
});

const name = (n: number): string => `c${String(n).padStart(6, "0")}`;

async function createAll(parent: string, names: readonly string[]): Promise<void> {
  for (let i = 0; i < names.length; i += 1000) {
    await client.multi(names.slice(i, i + 1000).map((n) => op.create(`${parent}/${n}`)));
  }
}

describe("paged getChildren", () => {
  it("lists 10,000 children exactly while children are created and deleted between pages", async () => {
    await client.create("/big");
    // Even numbers only: odd ones are free to be created between pages, on either side of the cursor.
    const initial = Array.from({ length: 10_000 }, (_, i) => name(2 * i));
    await createAll("/big", initial);
    const expected = new Set(initial);
    const seen: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const page = await client.getChildrenPage("/big", {
        pageSize: 700,
        ...(pageToken === undefined ? {} : { pageToken }),
      });
      pages++;
      expect(page.children.length).toBeLessThanOrEqual(700);
      seen.push(...page.children);
      pageToken = page.nextPageToken;
      if (pageToken === undefined) break;
      const last = Number(page.children.at(-1)!.slice(1));
      // Behind the cursor: created (must not appear) and deleted (already listed, stays listed).
      await client.create(`/big/${name(last - 1)}`);
      await client.delete(`/big/${name(last - 2)}`);
      // Ahead of it: created (must appear), deleted (must not appear).
      await client.create(`/big/${name(last + 3)}`);
      expected.add(name(last + 3));
      await client.delete(`/big/${name(last + 4)}`);
      expected.delete(name(last + 4));
    } while (pageToken !== undefined);
    expect(pages).toBeGreaterThan(14);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual([...expected].sort());
  });

  it("refuses an unpaged list over childrenPerReplyMax, and listChildren pages through it", async () => {
    await expect(client.getChildren("/big")).rejects.toThrow(/childrenPerReplyMax 5000/);
    const names: string[] = [];
    for await (const n of listChildren(client, "/big")) names.push(n);
    const stat = await client.exists("/big");
    expect(names.length).toBe(stat?.numChildren);
    expect(names).toEqual([...names].sort());
  });

  it("counts children without names, optionally by prefix", async () => {
    const stat = await client.exists("/big");
    expect(await countChildren(client, "/big")).toBe(stat?.numChildren);
    const tens = (await client.getChildrenPage("/big", { prefix: "c0001", pageSize: 5000 })).children;
    expect(tens.every((n) => n.startsWith("c0001"))).toBe(true);
    expect(tens.length).toBeGreaterThan(0);
    expect(await countChildren(client, "/big", "c0001")).toBe(tens.length);
  });

  it("keeps each page under the byte limit (jute.maxbuffer) whatever the page size", async () => {
    await client.create("/long");
    const long = Array.from({ length: 120 }, (_, i) => `${String(i).padStart(3, "0")}${"x".repeat(3900)}`);
    for (const n of long) await client.create(`/long/${n}`);
    const sizes: number[] = [];
    const seen: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = await client.getChildrenPage("/long", {
        pageSize: 120,
        ...(pageToken === undefined ? {} : { pageToken }),
      });
      sizes.push(page.children.reduce((n, c) => n + c.length, 0));
      seen.push(...page.children);
      pageToken = page.nextPageToken;
    } while (pageToken !== undefined);
    expect(sizes.length).toBeGreaterThan(1);
    for (const bytes of sizes) expect(bytes).toBeLessThan(bufferBytes);
    expect(seen).toEqual(long);
  });

  it("names the bad page size, the bad token and the limit", async () => {
    await expect(client.getChildrenPage("/big", { pageSize: 5001 })).rejects.toThrow(
      /page_size 5001 for \/big must be in 0\.\.5000 \(childrenPerReplyMax/,
    );
    await expect(client.getChildrenPage("/big", { pageSize: -3 })).rejects.toBeInstanceOf(BadArgumentsError);
    await expect(client.getChildrenPage("/big", { pageToken: "not-a-token" })).rejects.toThrow(
      /page_token "not-a-token" for \/big is not a token/,
    );
    // A name with a slash can never be a cursor.
    const forged = `p1:${Buffer.from("a/b").toString("base64url")}`;
    await expect(client.getChildrenPage("/big", { pageToken: forged })).rejects.toBeInstanceOf(
      BadArgumentsError,
    );
    await expect(client.getChildrenPage("/nothing", { pageSize: 10 })).rejects.toThrow(/NoNode|\/nothing/);
  });

  it("the CLI's ls pages by itself through a list over childrenPerReplyMax", async () => {
    const r = await paddockCli(server.address, ["ls", "/big"]);
    expect(r.code).toBe(0);
    const line = r.stdout.split("\n").find((l) => l.startsWith("["));
    const names = line?.slice(1, -1).split(", ") ?? [];
    const all: string[] = [];
    for await (const n of listChildren(client, "/big")) all.push(n);
    expect(names).toEqual(all);
  });
});
