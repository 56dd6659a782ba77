import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../support/run-process.js";

// The repository stands alone: every relative link in its Markdown resolves to a file in it (and a
// #fragment to a heading of that file), and nothing points outside the checkout.

const skipped = new Set(["node_modules", ".git", ".cache", "dist", "target", "vendor", ".venv"]);

function markdownFiles(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    if (skipped.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...markdownFiles(path));
    else if (name.endsWith(".md")) found.push(path);
  }
  return found;
}

/** GitHub's heading anchors: lower case, punctuation but - and _ dropped, spaces to -, -1 for repeats. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (line.startsWith("```")) fenced = !fenced;
    const m = fenced ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (m === null) continue;
    const text = m[1]!.replace(/`/g, "").replace(/\[([^\]]*)\]\([^)]*\)/g, "$1");
    const base = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** Inline links and images outside code: [text](target). */
function links(markdown: string): string[] {
  const text = markdown.replace(/```[\s\S]*?```/g, "").replace(/`[^`\n]*`/g, "");
  return [...text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!);
}

describe("Markdown links", () => {
  const files = markdownFiles(repoRoot);

  it("finds the docs", () => {
    expect(files.map((f) => relative(repoRoot, f))).toContain("README.md");
  });

  it("every relative link resolves inside the repository, fragments included", () => {
    const broken: string[] = [];
    for (const file of files) {
      const own = readFileSync(file, "utf8");
      for (const link of links(own)) {
        if (/^[a-z]+:/i.test(link)) continue; // http(s), mailto: checked by nobody offline
        const [path, fragment] = link.split("#", 2) as [string, string | undefined];
        const target = path === "" ? file : resolve(dirname(file), decodeURI(path));
        const where = `${relative(repoRoot, file)}: ${link}`;
        if (relative(repoRoot, target).startsWith("..")) broken.push(`${where} (outside the repository)`);
        else if (!existsSync(target)) broken.push(`${where} (no such file)`);
        else if (fragment !== undefined && target.endsWith(".md")) {
          if (!anchors(readFileSync(target, "utf8")).has(fragment)) broken.push(`${where} (no such heading)`);
        }
      }
    }
    expect(broken).toEqual([]);
  });
});
