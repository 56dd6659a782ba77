import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AdminContext } from "../../../server/admin/commands.js";
import type { MetricHistory } from "../../../server/admin/console-figures.js";
import { consoleHandler } from "../../../server/admin/console-http.js";
import { ConsoleSessions } from "../../../server/admin/console-sessions.js";
import { type HttpListener, HttpRouter, listenHttp } from "../../../server/admin/http-server.js";
import type { ClientFront } from "../../../server/pipeline/front.js";

// No page is served and no session is opened here: the front and the context are never called.
const front = {} as ClientFront;
const context = (): AdminContext => {
  throw new Error("not called");
};

describe("the console's HTTP mount", () => {
  let listener: HttpListener;
  let sessions: ConsoleSessions;
  let base: string;

  beforeAll(async () => {
    sessions = new ConsoleSessions(front);
    const history = { intervalMs: 5000, recent: () => [] } as unknown as MetricHistory;
    const router = new HttpRouter()
      .mount("/commands", (_q, response) => {
        response.end("commands");
      })
      .mount(
        "/",
        consoleHandler({
          sessions,
          context,
          history,
          bundleDir: join(mkdtempSync(join(tmpdir(), "no-console-")), "x"),
        }),
        ["GET", "HEAD", "POST"],
      );
    listener = await listenHttp(router, "127.0.0.1", 0, "admin.serverPort");
    base = `http://127.0.0.1:${listener.port}`;
  });

  afterAll(async () => {
    await listener?.close();
    await sessions?.closeAll();
  });

  it("says how to build the page when the bundle is missing", async () => {
    const response = await fetch(`${base}/`);
    expect(response.status).toBe(503);
    const body = await response.text();
    expect(body).toContain("npm run build:console");
    expect(body).toContain('href="/commands"');
  });

  it("keeps the longer mounts and their methods", async () => {
    expect(await (await fetch(`${base}/commands`)).text()).toBe("commands");
    const post = await fetch(`${base}/commands`, { method: "POST" });
    expect(post.status).toBe(405);
    expect(await post.text()).toBe("only GET and HEAD\n");
    expect((await fetch(`${base}/`, { method: "DELETE" })).status).toBe(405);
  });

  it("refuses a write that is not a JSON POST before opening any session", async () => {
    const login = await fetch(`${base}/api/login`, { method: "POST", body: "user=a&password=b" });
    expect(login.status).toBe(415);
  });
});
