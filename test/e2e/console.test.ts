/**
 * The web console in a real browser (Debian's chromium through playwright-core): log in, browse,
 * create/edit/delete with version checks, a change by another client appearing live, ACLs on
 * reads, sessions and their ephemerals, the metrics charts, and a member going down in the
 * ensemble view. CONSOLE_SCREENSHOTS=<dir> keeps a PNG of each page (npm run console:screenshots).
 */
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, CREATOR_ALL_ACL, connect } from "../../clients/ts/src/index.js";
import { type Ensemble, startEnsemble } from "../support/ensemble.js";
import { type ServerHandle, startServer } from "../support/launcher.js";

const chromiumPath = "/usr/bin/chromium";
const shots = process.env["CONSOLE_SCREENSHOTS"];
const shotDir = shots === undefined ? undefined : resolve(import.meta.dirname, "../..", shots);

let browser: Browser;

async function screenshot(page: Page, name: string): Promise<void> {
  if (shotDir === undefined) return;
  mkdirSync(shotDir, { recursive: true });
  await page.screenshot({ path: join(shotDir, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  if (!existsSync(chromiumPath)) throw new Error(`${chromiumPath} is missing: apt-get install -y chromium`);
  browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox"] });
});

afterAll(async () => {
  await browser?.close();
});

describe("the web console on a standalone server", () => {
  let server: ServerHandle;
  let client: Client;
  let base: string;

  beforeAll(async () => {
    server = await startServer();
    base = `http://127.0.0.1:${server.adminPort}`;
    client = await connect(server.address, { sessionTimeoutMs: 30_000 });
  });

  afterAll(async () => {
    await client?.close();
    await server?.stop();
  });

  it("serves the page at / beside the admin commands", async () => {
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("/console.js");
    expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
    const commands = await fetch(`${base}/commands/ruok`);
    expect(((await commands.json()) as { command: string }).command).toBe("ruok");
  });

  it("refuses writes without a login and reads as the logged-in identity", async () => {
    const refused = await fetch(`${base}/api/create`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ path: "/anonymous-write" }),
    });
    expect(refused.status).toBe(401);
    expect(await client.exists("/anonymous-write")).toBeNull();

    const alice = await connect(server.address, { auth: [{ scheme: "digest", auth: "alice:secret" }] });
    await alice.create("/alice-only", "for alice", { acl: CREATOR_ALL_ACL });
    await alice.close();
    const anonymous = await fetch(`${base}/api/node?path=/alice-only`);
    expect(anonymous.status).toBe(403);

    const login = await fetch(`${base}/api/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user: "alice", password: "secret" }),
    });
    expect(login.status).toBe(200);
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const read = await fetch(`${base}/api/node?path=/alice-only`, { headers: { cookie } });
    expect(read.status).toBe(200);
    const node = (await read.json()) as { data: string; acl: { scheme: string }[] };
    expect(Buffer.from(node.data, "base64").toString()).toBe("for alice");
    expect(node.acl[0]?.scheme).toBe("digest");
    // A stale version is refused with ZooKeeper's BadVersion.
    const stale = await fetch(`${base}/api/set`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie },
      body: JSON.stringify({ path: "/alice-only", data: "x", version: 7 }),
    });
    expect(stale.status).toBe(409);
    // Another identity cannot read it either.
    const bob = await fetch(`${base}/api/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user: "bob", password: "other" }),
    });
    const bobCookie = (bob.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    expect(
      (await fetch(`${base}/api/node?path=/alice-only`, { headers: { cookie: bobCookie } })).status,
    ).toBe(403);
  });

  it("logs in, creates, edits and deletes a node, and shows another client's changes live", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on("dialog", (dialog) => void dialog.accept());
    await page.goto(`${base}/`);
    await page.locator("#live-state", { hasText: "live" }).waitFor();
    await expect(page.locator("#create-submit").isDisabled()).resolves.toBe(true);

    await page.fill("#login-user", "carol");
    await page.fill("#login-password", "pw");
    await page.click("#login-submit");
    await page.locator("#who", { hasText: "logged in as carol" }).waitFor();
    await page.locator("#live-state", { hasText: "live" }).waitFor();

    // Create /app with JSON data from the root's form.
    await page.fill("#create-name", "app");
    await page.fill("#create-data", '{"replicas":3}');
    await page.click("#create-submit");
    await page.locator('li[data-path="/app"]').waitFor();
    expect(Buffer.from((await client.getData("/app")).data).toString()).toBe('{"replicas":3}');

    // Select it: Stat, ACL, and the data as JSON.
    await page.click('li[data-path="/app"] > a');
    await page.locator("#node-path", { hasText: "/app" }).waitFor();
    await page.click("#view-json");
    await page.locator("#node-data", { hasText: '"replicas": 3' }).waitFor();
    await expect(page.locator("#node-acl").textContent()).resolves.toContain("world:anyone");

    // Another client (gRPC) creates a child and changes the data: both appear without a reload.
    await client.create("/app/from-another-client", "hello");
    await page.locator("#live-log li", { hasText: "NodeCreated /app/from-another-client" }).waitFor();
    await client.setData("/app", '{"replicas":5}');
    await page.locator("#live-log li", { hasText: "NodeDataChanged /app" }).waitFor();
    await page.locator("#node-data", { hasText: '"replicas": 5' }).waitFor();
    await page.locator("#node-stat", { hasText: "version1" }).waitFor();
    await page.click('li[data-path="/app"] > button.toggle');
    await page.locator('li[data-path="/app/from-another-client"]').waitFor();

    // Edit with the version shown (1): saved; the stat shows version 2.
    await page.click("#view-text");
    await page.locator("#view-text.active").waitFor();
    await page.locator("#edit-save", { hasText: "version 1" }).waitFor();
    await page.fill("#edit-data", '{"replicas":7}');
    await page.click("#edit-save");
    await page.locator("#edit-save", { hasText: "version 2" }).waitFor();
    expect(Buffer.from((await client.getData("/app")).data).toString()).toBe('{"replicas":7}');

    // Delete the other client's node, expecting the version shown.
    await page.click('li[data-path="/app/from-another-client"] > a');
    await page.locator("#node-path", { hasText: "/app/from-another-client" }).waitFor();
    await screenshot(page, "tree");
    await page.click("#delete-node");
    await page.locator("#live-log li", { hasText: "NodeDeleted /app/from-another-client" }).waitFor();
    expect(await client.exists("/app/from-another-client")).toBeNull();
    await page.close();
  });

  it("lists sessions with their ephemerals and charts key metrics", async () => {
    await client.create("/lock-holder", "", { mode: "EPHEMERAL" });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${base}/#/sessions`);
    const id = `0x${client.sessionId.toString(16)}`;
    await page.locator(`tr[data-session="${id}"]`, { hasText: "/lock-holder" }).waitFor();
    await screenshot(page, "sessions");
    await page.click("#nav-metrics");
    await page.locator("#charts figure", { hasText: "znodes" }).waitFor();
    expect(await page.locator("#charts svg").count()).toBe(6);
    await screenshot(page, "metrics");
    await page.close();
  });
});

describe("the web console's ensemble view", () => {
  let ensemble: Ensemble;

  beforeAll(async () => {
    ensemble = await startEnsemble({ voters: 3 });
  });

  afterAll(async () => {
    await ensemble?.stopAll();
  });

  it("shows every member's role and health on a follower's console, and a member going down", async () => {
    const leader = await ensemble.waitForLeader({ timeoutMs: 30_000 });
    // A follower's page: the leader's report tells it about the other follower too.
    const [viewer, other] = ensemble.members.filter((m) => m.id !== leader);
    const page = await browser.newPage({ viewport: { width: 1280, height: 700 } });
    await page.goto(`http://127.0.0.1:${viewer!.adminPort}/#/ensemble`);
    await page.locator(`tr[data-member="${leader}"]`, { hasText: "leader" }).waitFor();
    await page.locator('tr[data-health="up"]').nth(2).waitFor({ timeout: 20_000 });
    await page.locator(`tr[data-member="${other!.id}"]`, { hasText: "follower" }).waitFor();
    await screenshot(page, "ensemble");
    await ensemble.kill(other!.id);
    await page.locator(`tr[data-member="${other!.id}"][data-health="down"]`).waitFor({ timeout: 20_000 });
    await expect(page.locator(`tr[data-member="${leader}"]`).getAttribute("data-health")).resolves.toBe("up");
    await page.close();
  });
});
