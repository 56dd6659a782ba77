import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { checkImports, checkPipelineBoundary, findCycles } from "../../scripts/import-rules.js";

const root = resolve(import.meta.dirname, "../..");

describe("import rules of DESIGN.md", () => {
  it("hold for the server tree", () => {
    const { violations, edges } = checkImports(root);
    expect(violations).toEqual([]);
    expect(findCycles(edges)).toEqual([]);
    expect(checkPipelineBoundary(root)).toEqual([]);
  });

  it("catch a door or admin reaching past the pipeline's narrow boundary", () => {
    const dir = mkdtempSync(join(tmpdir(), "paddock-rules-"));
    const file = (path: string, text: string): void => {
      mkdirSync(join(dir, path, ".."), { recursive: true });
      writeFileSync(join(dir, path), text);
    };
    file("server/api/a.ts", 'import "../pipeline/front.js";\nimport "../pipeline/pipeline.js";\n');
    file("server/jute/j.ts", 'import type { X } from "../pipeline/requester.js";\n');
    // The web console reads and writes through front.ts as the doors do; nothing else of the pipeline.
    file(
      "server/admin/c.ts",
      'import "../pipeline/admin-view.js";\nimport "../pipeline/front.js";\nimport "../pipeline/requester.js";\n',
    );
    // The heap command's exception is its file's alone: another admin file may not evaluate code.
    file("server/admin/heap-command.ts", 'import "node:v8";\nimport "node:vm";\n');
    file("server/admin/d.ts", 'import "node:vm";\n');
    file("server/pipeline/front.ts", "");
    file("server/pipeline/admin-view.ts", "");
    file("server/pipeline/requester.ts", "");
    file(
      "server/pipeline/pipeline.ts",
      "export class Pipeline {\n  readonly front = 1;\n  local = new Map();\n  private ok = 1;\n  constructor(readonly deps: unknown) {}\n}\n",
    );
    file("server/pipeline/proposer.ts", "node.peekZxid();\n");
    file("server/pipeline/upkeep.ts", "this.node.peekZxid();\n");
    const messages = checkImports(dir).violations.map((v) => v.message);
    expect(messages).toEqual([
      "server/admin may import only admin-view.ts, front.ts of server/pipeline, not ../pipeline/requester.js",
      "server/admin may not import package node:vm",
      "server/api may import only front.ts of server/pipeline, not ../pipeline/pipeline.js",
      "server/jute may import only front.ts of server/pipeline, not ../pipeline/requester.js",
    ]);
    expect(checkPipelineBoundary(dir)).toEqual([
      "Pipeline.local is a public mutable field",
      "Pipeline constructor parameter deps is a public field",
      `the next zxid is read in 2 files: ${join("server", "pipeline", "proposer.ts")}, ${join("server", "pipeline", "upkeep.ts")}`,
    ]);
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
