/**
 * The Paddock web console: a hash-routed page (#/tree, #/sessions, #/ensemble, #/metrics) over
 * the console API. Reads run as the logged-in identity (anonymous = world); writes need a login.
 */
import { ApiError, get, post, type Who } from "./api.js";
import { fill, h } from "./dom.js";
import { ensemblePage, metricsPage, sessionsPage } from "./pages.js";
import { treePage } from "./tree-page.js";

export interface Shell {
  readonly who: Who;
  /** Shows an error (or a notice) in the status line. */
  status(message: string, error?: boolean): void;
}

/** A page draws into `root` and returns how to stop its timers and streams. */
export type Page = (root: HTMLElement, shell: Shell) => () => void;

const pages: Record<string, { title: string; page: Page }> = {
  tree: { title: "Tree", page: treePage },
  sessions: { title: "Sessions", page: sessionsPage },
  ensemble: { title: "Ensemble", page: ensemblePage },
  metrics: { title: "Metrics", page: metricsPage },
};

const shell: Shell & { who: Who } = {
  who: { user: null },
  status(message, error = false) {
    const line = document.getElementById("status");
    if (line === null) return;
    line.textContent = message;
    line.className = error ? "status error" : "status";
  },
};

const whoamiWaitMs = 2000;
const nav = h("nav", { id: "nav" });
const login = h("div", { id: "login" });
const main = h("main", { id: "page" });
let stop: () => void = () => {};

function drawLogin(): void {
  if (shell.who.user !== null) {
    fill(
      login,
      h("span", { id: "who" }, `logged in as ${shell.who.user}`),
      h("button", { id: "logout", onclick: () => void logout() }, "Log out"),
    );
    return;
  }
  const user = h("input", { id: "login-user", placeholder: "user", autocomplete: "username" });
  const password = h("input", {
    id: "login-password",
    type: "password",
    placeholder: "password",
    autocomplete: "current-password",
  });
  const form = h(
    "form",
    {
      onsubmit: (event: Event) => {
        event.preventDefault();
        void doLogin(user.value, password.value);
      },
    },
    h("span", { id: "who" }, "anonymous (world): log in to write"),
    user,
    password,
    h("button", { id: "login-submit", type: "submit" }, "Log in (digest)"),
  );
  fill(login, form);
}

async function doLogin(user: string, password: string): Promise<void> {
  try {
    shell.who = await post<Who>("login", { user, password });
    shell.status(`logged in as ${user}`);
    drawLogin();
    route();
  } catch (error) {
    shell.status(`login failed: ${(error as Error).message}`, true);
  }
}

async function logout(): Promise<void> {
  await post("logout", {});
  shell.who = { user: null };
  shell.status("logged out");
  drawLogin();
  route();
}

function route(): void {
  const name = location.hash.replace(/^#\/?/, "").split("/")[0] || "tree";
  const chosen = pages[name] ?? pages["tree"]!;
  stop();
  fill(
    nav,
    Object.entries(pages).map(([key, p]) =>
      h("a", { href: `#/${key}`, class: key === name ? "active" : "", id: `nav-${key}` }, p.title),
    ),
  );
  fill(main);
  stop = chosen.page(main, shell);
}

async function start(): Promise<void> {
  document.body.append(
    h("header", {}, h("h1", {}, "Paddock"), nav, login),
    h("div", { id: "status", class: "status" }),
    main,
  );
  // whoami opens the browser's session, which waits for a quorum: a member without one still
  // shows its ensemble, sessions and metrics pages (they need no session) after a short wait.
  const who = get<Who>("whoami").then(
    (answer) => {
      shell.who = answer;
      drawLogin();
    },
    (error: unknown) => shell.status(error instanceof ApiError ? error.message : String(error), true),
  );
  const waited = await Promise.race([
    who.then(() => false),
    new Promise<boolean>((done) => setTimeout(() => done(true), whoamiWaitMs)),
  ]);
  if (waited)
    shell.status("this member has not opened a session yet (no quorum?): the tree waits for it", true);
  drawLogin();
  window.addEventListener("hashchange", route);
  route();
}

void start();
