import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { checkImports, findCycles } from "../../scripts/import-rules.js";

const root = resolve(import.meta.dirname, "../..");

describe("import rules of DESIGN.md", () => {
  it("hold for the server tree", () => {
    const { violations, edges } = checkImports(root);
    expect(violations).toEqual([]);
    expect(findCycles(edges)).toEqual([]);
  });

  it("catch a pure folder importing rxjs, a value from gen, and a cycle", () => {
    const dir = mkdtempSync(join(tmpdir(), "paddock-rules-"));
    const file = (path: string, text: string): void => {
      mkdirSync(join(dir, path, ".."), { recursive: true });
      writeFileSync(join(dir, path), text);
    };
    file("server/tree/a.ts", 'import { of } from "rxjs";\nimport { Stat } from "../gen/x.js";\n');
    file("server/pipeline/b.ts", 'import "../api/c.js";\n');
    file("server/api/c.ts", 'import "../pipeline/b.js";\n');
    file("server/gen/x.ts", "export const Stat = 1;\n");
    const { violations, edges } = checkImports(dir);
    const messages = violations.map((v) => v.message);
    expect(messages).toContain("server/tree may not import package rxjs");
    expect(messages).toContain("value import from generated code ../gen/x.js (use import type)");
    expect(messages).toContain("server/pipeline may not import server/api (../api/c.js)");
    expect(findCycles(edges)).toHaveLength(1);
  });
});
