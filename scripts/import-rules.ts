/**
 * The import rules of shared/DESIGN.md as data, checked by test/unit/import-rules.test.ts: each
 * server folder lists what it may import. Type-only imports count, so a core folder importing a
 * value from generated code fails.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import ts from "typescript";

export const pureFolders = ["consensus", "tree", "sessions", "watches"] as const;

/** folder → folders (server/<x>) and packages it may import. "gen:type" allows type-only imports. */
export const rules: Record<string, { folders: string[]; packages: string[]; genTypeOnly?: boolean }> = {
  util: { folders: [], packages: [] },
  tree: { folders: ["util"], packages: [], genTypeOnly: true },
  sessions: { folders: ["util"], packages: [], genTypeOnly: true },
  watches: { folders: ["util"], packages: [], genTypeOnly: true },
  consensus: { folders: ["util"], packages: [], genTypeOnly: true },
  persistence: {
    folders: ["util", "gen"],
    packages: [
      "node:fs",
      "node:fs/promises",
      "node:path",
      "node:worker_threads",
      "node:os",
      "node:crypto",
      "node:zlib",
      "node:url",
      "@bufbuild/protobuf",
    ],
  },
  transport: { folders: ["util", "gen"], packages: ["@grpc/grpc-js", "node:events"] },
  replica: { folders: ["consensus", "persistence", "transport", "util", "gen"], packages: [] },
  pipeline: {
    folders: ["tree", "sessions", "watches", "consensus", "replica", "util", "gen"],
    packages: ["rxjs", "@opentelemetry/api", "node:crypto"],
  },
  api: {
    folders: ["pipeline", "tree", "sessions", "watches", "consensus", "util", "gen"],
    // @bufbuild/protobuf/wire encodes google.rpc.Status details for gRPC errors.
    packages: ["@grpc/grpc-js", "@opentelemetry/api", "node:crypto", "@bufbuild/protobuf/wire"],
  },
  admin: {
    folders: ["pipeline", "replica", "tree", "sessions", "watches", "consensus", "util", "gen"],
    packages: [
      "@grpc/grpc-js",
      "@grpc/proto-loader",
      "@grpc/reflection",
      "grpc-health-check",
      "node:http",
      "node:os",
      "node:url",
      "node:path",
      "node:process",
    ],
  },
  main: { folders: ["*"], packages: ["*"] },
  gen: { folders: ["gen"], packages: ["@bufbuild/protobuf", "@bufbuild/protobuf/wire", "@grpc/grpc-js"] },
};

export interface Violation {
  file: string;
  message: string;
}

export interface Edge {
  from: string;
  to: string;
  file: string;
}

function listTs(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listTs(full));
    else if (name.endsWith(".ts")) out.push(full);
  }
  return out;
}

interface ImportRef {
  spec: string;
  typeOnly: boolean;
}

function importsOf(file: string): ImportRef[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, false);
  const refs: ImportRef[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const named = clause?.namedBindings;
      const allNamedType =
        named !== undefined && ts.isNamedImports(named) && named.elements.every((e) => e.isTypeOnly);
      const typeOnly =
        clause !== undefined && (clause.isTypeOnly || (clause.name === undefined && allNamedType));
      refs.push({ spec: node.moduleSpecifier.text, typeOnly });
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      refs.push({ spec: node.moduleSpecifier.text, typeOnly: node.isTypeOnly });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = node.arguments[0];
      if (arg && ts.isStringLiteral(arg)) refs.push({ spec: arg.text, typeOnly: false });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return refs;
}

export function checkImports(root: string): { violations: Violation[]; edges: Edge[] } {
  const server = resolve(root, "server");
  const violations: Violation[] = [];
  const edges: Edge[] = [];
  for (const file of listTs(server)) {
    const rel = relative(server, file);
    const folder = rel.split(sep)[0] ?? "";
    const rule = rules[folder];
    const shown = relative(root, file);
    if (rule === undefined) {
      violations.push({ file: shown, message: `folder server/${folder} has no import rule` });
      continue;
    }
    for (const ref of importsOf(file)) {
      if (ref.spec.startsWith(".")) {
        const target = relative(server, resolve(dirname(file), ref.spec));
        const targetFolder = target.split(sep)[0] ?? "";
        if (target.startsWith("..")) {
          violations.push({ file: shown, message: `imports ${ref.spec} outside server/` });
          continue;
        }
        if (targetFolder === folder) continue;
        edges.push({ from: folder, to: targetFolder, file: shown });
        if (targetFolder === "main") {
          violations.push({ file: shown, message: "nothing may import server/main" });
        } else if (targetFolder === "gen" && rule.genTypeOnly) {
          if (!ref.typeOnly)
            violations.push({
              file: shown,
              message: `value import from generated code ${ref.spec} (use import type)`,
            });
        } else if (!rule.folders.includes("*") && !rule.folders.includes(targetFolder)) {
          violations.push({
            file: shown,
            message: `server/${folder} may not import server/${targetFolder} (${ref.spec})`,
          });
        }
      } else if (!rule.packages.includes("*") && !rule.packages.includes(ref.spec)) {
        violations.push({ file: shown, message: `server/${folder} may not import package ${ref.spec}` });
      }
    }
  }
  return { violations, edges };
}

/** Folder-level cycles, as "a -> b -> a". */
export function findCycles(edges: Edge[]): string[] {
  const graph = new Map<string, Set<string>>();
  for (const e of edges) {
    if (!graph.has(e.from)) graph.set(e.from, new Set());
    graph.get(e.from)!.add(e.to);
  }
  const cycles: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (n: string): void => {
    state.set(n, "visiting");
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      if (state.get(m) === "visiting") cycles.push([...stack.slice(stack.indexOf(m)), m].join(" -> "));
      else if (!state.has(m)) visit(m);
    }
    stack.pop();
    state.set(n, "done");
  };
  for (const n of graph.keys()) if (!state.has(n)) visit(n);
  return cycles;
}
