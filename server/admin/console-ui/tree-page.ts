/**
 * The tree page: a lazy tree (children fetched a page at a time), the selected node's data (as
 * text, JSON or hex), Stat and ACL, create/edit/delete with version checks, and a live view of a
 * subtree fed by server-sent events from a persistent recursive watch.
 */
import { ApiError, type ChildrenPage, get, type NodeInfo, post } from "./api.js";
import { append, fill, h } from "./dom.js";
import type { Page } from "./main.js";

const pageSize = 50;
const eventNames: Record<number, string> = {
  1: "NodeCreated",
  2: "NodeDeleted",
  3: "NodeDataChanged",
  4: "NodeChildrenChanged",
};
const perms = (p: number): string =>
  ["r", "w", "c", "d", "a"].map((c, i) => ((p >> i) & 1 ? c : "-")).join("");
const parentOf = (path: string): string =>
  path.lastIndexOf("/") <= 0 ? "/" : path.slice(0, path.lastIndexOf("/"));

function bytesOf(base64: string): Uint8Array {
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

function hexDump(bytes: Uint8Array): string {
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 16) {
    const row = [...bytes.subarray(i, i + 16)];
    const hexes = row.map((b) => b.toString(16).padStart(2, "0")).join(" ");
    const text = row.map((b) => (b >= 32 && b < 127 ? String.fromCharCode(b) : ".")).join("");
    lines.push(`${i.toString(16).padStart(8, "0")}  ${hexes.padEnd(47)}  ${text}`);
  }
  return lines.join("\n");
}

function shown(bytes: Uint8Array, view: string): string {
  const text = new TextDecoder().decode(bytes);
  if (view === "hex") return hexDump(bytes);
  if (view === "json") {
    try {
      return JSON.stringify(JSON.parse(text), null, 2);
    } catch (error) {
      return `not JSON: ${(error as Error).message}`;
    }
  }
  return text;
}

export const treePage: Page = (root, shell) => {
  const selectedFromHash = decodeURIComponent(location.hash.replace(/^#\/tree/, "")) || "/";
  let selected = selectedFromHash;
  let view = "text";
  /**
   * Text typed into the editor and the version it was typed against: a live refresh of the node
   * (a child created, another client's change) keeps it, and saving still expects that version,
   * so a change made meanwhile by someone else is refused (BadVersion), never overwritten.
   */
  let draft: { path: string; text: string; version: number } | undefined;
  const treeRoot = h("ul", { class: "tree", id: "tree" });
  const detail = h("section", { id: "detail", class: "detail" });
  /** The node's data, Stat and ACL: redrawn on every refresh. */
  const info = h("div", {});
  /**
   * The forms: kept across a refresh of the same node while one of them has focus or the editor
   * holds a draft, so a live refresh never takes the element the user is typing into.
   */
  const formsBox = h("div", {});
  detail.append(info, formsBox);
  let shownForms: { path: string; update: (node: NodeInfo) => void } | undefined;
  const liveLog = h("ol", { id: "live-log", class: "live-log" });
  const liveState = h("span", { id: "live-state" }, "connecting…");
  const liveTitle = h("b", { id: "live-path" }, "/");
  root.append(
    h("div", { class: "split" }, h("section", { class: "tree-pane" }, h("h2", {}, "Tree"), treeRoot), detail),
    h("section", { class: "live" }, h("h2", {}, "Live view of ", liveTitle, " ", liveState), liveLog),
  );

  const fail = (error: unknown): void => shell.status((error as Error).message, true);
  /** Expanded paths: a reloaded list re-expands them, so a live refresh keeps the tree's shape. */
  const expanded = new Set<string>();

  function row(path: string, name: string, numChildren: number): HTMLLIElement {
    const children = h("ul", {});
    const toggle = h("button", { class: "toggle", title: "expand" }, numChildren > 0 ? "▸" : "·");
    const label = h(
      "a",
      { href: `#/tree${path}`, class: path === selected ? "node selected" : "node" },
      name,
    );
    const item = h(
      "li",
      { "data-path": path },
      toggle,
      label,
      numChildren > 0 ? h("small", {}, ` (${numChildren})`) : null,
      children,
    );
    const expand = (): void => {
      expanded.add(path);
      item.dataset["expanded"] = "1";
      toggle.textContent = "▾";
      loadChildren(path, children, 0).catch(fail);
    };
    toggle.addEventListener("click", () => {
      if (item.dataset["expanded"] === "1") {
        expanded.delete(path);
        item.dataset["expanded"] = "0";
        toggle.textContent = "▸";
        fill(children);
      } else {
        expand();
      }
    });
    if (expanded.has(path) && numChildren > 0) expand();
    label.addEventListener("click", (event) => {
      event.preventDefault();
      select(path);
    });
    return item;
  }

  async function loadChildren(path: string, list: HTMLElement, offset: number): Promise<void> {
    const page = await get<ChildrenPage>("children", { path, offset, limit: pageSize });
    if (offset === 0) fill(list);
    list.querySelector(":scope > li.more")?.remove();
    append(
      list,
      page.children.map((c) => row(c.path, c.name, c.numChildren)),
    );
    const next = offset + page.children.length;
    if (next < page.total) {
      const more = h("button", {}, `more… (${page.total - next} left)`);
      more.addEventListener("click", () => void loadChildren(path, list, next).catch(fail));
      list.append(h("li", { class: "more" }, more));
    }
  }

  /** Re-reads an expanded node's children (after a live event). */
  function refreshChildren(path: string): void {
    const item = treeRoot.querySelector<HTMLLIElement>(`li[data-path="${CSS.escape(path)}"]`);
    if (item === null || item.dataset["expanded"] !== "1") return;
    const list = item.querySelector<HTMLElement>(":scope > ul");
    if (list !== null) loadChildren(path, list, 0).catch(fail);
  }

  function select(path: string): void {
    selected = path;
    history.replaceState(null, "", `#/tree${path === "/" ? "" : path}`);
    for (const a of treeRoot.querySelectorAll("a.node"))
      a.classList.toggle("selected", a.getAttribute("href") === `#/tree${path}`);
    showNode().catch(fail);
  }

  async function showNode(): Promise<void> {
    let node: NodeInfo;
    try {
      node = await get<NodeInfo>("node", { path: selected });
    } catch (error) {
      const why =
        error instanceof ApiError && error.status === 403
          ? "no READ permission for this identity"
          : (error as Error).message;
      fill(info, h("h2", { id: "node-path" }, selected), h("p", { class: "error", id: "node-error" }, why));
      fill(formsBox);
      shownForms = undefined;
      return;
    }
    const bytes = bytesOf(node.data);
    const tabs = ["text", "json", "hex"].map((v) => {
      const tab = h("button", { class: v === view ? "tab active" : "tab", id: `view-${v}` }, v);
      tab.addEventListener("click", () => {
        view = v;
        showNode().catch(fail);
      });
      return tab;
    });
    const s = node.stat;
    const stat = h(
      "table",
      { class: "stat", id: "node-stat" },
      Object.entries(s).map(([k, v]) =>
        h(
          "tr",
          {},
          h("th", {}, k),
          h(
            "td",
            { class: "mono" },
            k.endsWith("time") ? `${v} (${new Date(Number(v)).toISOString()})` : String(v),
          ),
        ),
      ),
    );
    const acl = h(
      "table",
      { class: "stat", id: "node-acl" },
      node.acl.map((a) =>
        h(
          "tr",
          {},
          h("td", { class: "mono" }, `${a.scheme}:${a.id}`),
          h("td", { class: "mono" }, perms(a.perms)),
        ),
      ),
    );
    fill(
      info,
      h("h2", { id: "node-path" }, node.path),
      h("div", { class: "tabs" }, tabs),
      h("pre", { id: "node-data", class: "data" }, node.dataNull ? "(null)" : shown(bytes, view)),
      h(
        "div",
        { class: "cols" },
        h("div", {}, h("h3", {}, "Stat"), stat),
        h("div", {}, h("h3", {}, "ACL"), node.aclError ?? "", acl),
      ),
    );
    const inUse = formsBox.contains(document.activeElement) || draft?.path === node.path;
    if (shownForms?.path === node.path && inUse) {
      shownForms.update(node);
    } else {
      const made = forms(node, new TextDecoder().decode(bytes));
      fill(formsBox, made.element);
      shownForms = { path: node.path, update: made.update };
    }
  }

  function forms(node: NodeInfo, text: string): { element: HTMLElement; update: (node: NodeInfo) => void } {
    const canWrite = shell.who.user !== null;
    const disabled = !canWrite;
    const editor = h("textarea", { id: "edit-data", rows: 4, disabled }) as HTMLTextAreaElement;
    const own = draft?.path === node.path ? draft : undefined;
    const version = own?.version ?? node.stat.version;
    editor.value = own?.text ?? text;
    editor.addEventListener("input", () => {
      draft = { path: node.path, text: editor.value, version };
    });
    const save = h("button", { id: "edit-save", disabled }, `Save (expects version ${version})`);
    save.addEventListener("click", () => {
      draft = undefined;
      void write("set", { path: node.path, data: editor.value, version }, `saved ${node.path}`);
    });
    let deleteVersion = node.stat.version;
    const remove = h(
      "button",
      { id: "delete-node", class: "danger", disabled: disabled || node.path === "/" },
      `Delete (expects version ${deleteVersion})`,
    );
    remove.addEventListener("click", () => {
      if (!confirm(`Delete ${node.path}?`)) return;
      void write("delete", { path: node.path, version: deleteVersion }, `deleted ${node.path}`).then(() =>
        select(parentOf(node.path)),
      );
    });
    const name = h("input", { id: "create-name", placeholder: "child name", disabled });
    const data = h("input", { id: "create-data", placeholder: "data (text)", disabled });
    const mode = h(
      "select",
      { id: "create-mode", disabled },
      ["persistent", "persistent_sequential", "container"].map((m) => h("option", { value: m }, m)),
    );
    const create = h("button", { id: "create-submit", disabled }, "Create child");
    create.addEventListener("click", () => {
      const path = node.path === "/" ? `/${name.value}` : `${node.path}/${name.value}`;
      void write("create", { path, data: data.value, mode: mode.value }, `created ${path}`);
    });
    const element = h(
      "div",
      { class: "forms" },
      canWrite ? null : h("p", { class: "hint" }, "Log in to create, edit or delete."),
      h("h3", {}, "Edit data"),
      editor,
      h("div", {}, save, " ", remove),
      h("h3", {}, "Create a child"),
      h("div", {}, name, data, mode, create),
    );
    // A kept form still deletes against the version on screen.
    const update = (fresh: NodeInfo): void => {
      deleteVersion = fresh.stat.version;
      remove.textContent = `Delete (expects version ${deleteVersion})`;
    };
    return { element, update };
  }

  async function write(call: string, body: Record<string, unknown>, done: string): Promise<void> {
    try {
      const answer = await post<{ path: string }>(call, body);
      shell.status(call === "create" ? `created ${answer.path}` : done);
      if (call !== "set") refreshChildren(parentOf(String(body["path"])));
      shownForms = undefined; // done: fresh forms with the new version
      if (call !== "delete") await showNode();
    } catch (error) {
      shell.status(`${call} failed: ${(error as Error).message}`, true);
    }
  }

  // The live view: one stream over the whole tree; events refresh what is on screen.
  const livePath = "/";
  liveTitle.textContent = livePath;
  const stream = new EventSource(`/api/watch?path=${encodeURIComponent(livePath)}`);
  stream.addEventListener("ready", () => {
    liveState.textContent = "● live";
    liveState.className = "live-on";
  });
  stream.addEventListener("error", () => {
    liveState.textContent = "○ reconnecting";
    liveState.className = "live-off";
  });
  stream.addEventListener("change", (message) => {
    const event = JSON.parse((message as MessageEvent<string>).data) as {
      type: number;
      path: string;
      zxid: string;
    };
    const name = eventNames[event.type] ?? `event ${event.type}`;
    liveLog.prepend(
      h(
        "li",
        { "data-type": name },
        h("span", { class: "mono" }, event.zxid),
        ` ${name} `,
        h("a", { href: `#/tree${event.path}` }, event.path),
      ),
    );
    while (liveLog.children.length > 100) liveLog.lastElementChild?.remove();
    if (event.type === 1 || event.type === 2) {
      // The parent's list, and the grandparent's (its child count) when the parent is collapsed.
      refreshChildren(parentOf(event.path));
      refreshChildren(parentOf(parentOf(event.path)));
    }
    if (event.path === selected) showNode().catch(fail);
  });

  expanded.add("/");
  treeRoot.append(row("/", "/", 1));
  showNode().catch(fail);
  return () => stream.close();
};
