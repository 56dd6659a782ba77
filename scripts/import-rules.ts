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
export const rules: Record<
  string,
  {
    folders: string[];
    packages: string[];
    genTypeOnly?: boolean;
    /** folder → the only files of it that may be imported (a narrow boundary). */
    only?: Record<string, string[]>;
    /** file of this folder → packages that file alone may import besides `packages` (a narrow exception). */
    filePackages?: Record<string, string[]>;
  }
> = {
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
  // The doors translate bytes to the front-end API and back: nothing else of the pipeline.
  api: {
    folders: ["pipeline", "tree", "sessions", "watches", "consensus", "util", "gen"],
    only: { pipeline: ["front.ts"] },
    // @bufbuild/protobuf/wire encodes google.rpc.Status details for gRPC errors.
    packages: ["@grpc/grpc-js", "@opentelemetry/api", "node:crypto", "@bufbuild/protobuf/wire"],
  },
  jute: {
    folders: ["pipeline", "util", "gen"],
    only: { pipeline: ["front.ts"] },
    // node:crypto: SASL DIGEST-MD5 (sasl-digest-md5.ts).
    packages: ["node:net", "node:stream", "node:buffer", "node:crypto"],
  },
  // Admin commands read a running member through its read-only view. The web console
  // (console-sessions.ts) also reads and writes on a logged-in user's behalf: through front.ts,
  // the same front-end API as the doors, on a session of its own, so ACLs and limits apply.
  admin: {
    folders: ["pipeline", "tree", "sessions", "watches", "consensus", "util", "gen"],
    only: { pipeline: ["admin-view.ts", "front.ts"] },
    packages: [
      "@grpc/grpc-js",
      "@grpc/proto-loader",
      "@grpc/reflection",
      "grpc-health-check",
      "@bufbuild/protobuf/wire",
      "node:fs",
      "node:http",
      "node:os",
      "node:url",
      "node:path",
      "node:process",
      // The console's session tokens.
      "node:crypto",
      // The one metrics registry (server/admin/metrics.ts says why prom-client).
      "prom-client",
    ],
    // The `heap` command forces a full GC without --expose-gc: node:v8 turns the flag on for a
    // moment and node:vm makes the one context that then carries gc(). No other admin file may
    // evaluate code or change V8 flags.
    filePackages: { "heap-command.ts": ["node:v8", "node:vm"] },
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
        } else if (rule.only?.[targetFolder] !== undefined) {
          const name = target.slice(targetFolder.length + 1).replace(/\.js$/, ".ts");
          if (!rule.only[targetFolder].includes(name))
            violations.push({
              file: shown,
              message: `server/${folder} may import only ${rule.only[targetFolder].join(", ")} of server/${targetFolder}, not ${ref.spec}`,
            });
        }
      } else if (
        !rule.packages.includes("*") &&
        !rule.packages.includes(ref.spec) &&
        !rule.filePackages?.[rel.slice(folder.length + 1)]?.includes(ref.spec)
      ) {
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

/**
 * The pipeline's boundary beyond imports: `Pipeline` has no public mutable field, and the next
 * zxid is read in one place only (the one propose path).
 */
export function checkPipelineBoundary(root: string): string[] {
  const problems: string[] = [];
  const pipelineFile = join(root, "server/pipeline/pipeline.ts");
  const source = ts.createSourceFile(
    pipelineFile,
    readFileSync(pipelineFile, "utf8"),
    ts.ScriptTarget.ES2022,
    true,
  );
  const visit = (node: ts.Node): void => {
    if (ts.isClassDeclaration(node) && node.name?.text === "Pipeline") {
      for (const member of node.members) {
        const modifiers = ts.canHaveModifiers(member) ? (ts.getModifiers(member) ?? []) : [];
        const kinds = modifiers.map((m) => m.kind);
        const hidden =
          kinds.includes(ts.SyntaxKind.PrivateKeyword) || kinds.includes(ts.SyntaxKind.ProtectedKeyword);
        if (ts.isPropertyDeclaration(member) && !hidden && !kinds.includes(ts.SyntaxKind.ReadonlyKeyword))
          problems.push(`Pipeline.${member.name.getText(source)} is a public mutable field`);
      }
      const ctor = node.members.find(ts.isConstructorDeclaration);
      for (const p of ctor?.parameters ?? []) {
        const kinds = (ts.getModifiers(p) ?? []).map((m) => m.kind);
        if (
          kinds.includes(ts.SyntaxKind.PublicKeyword) ||
          (kinds.length > 0 && !kinds.includes(ts.SyntaxKind.PrivateKeyword))
        )
          problems.push(`Pipeline constructor parameter ${p.name.getText(source)} is a public field`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  const readers: string[] = [];
  for (const file of listTs(join(root, "server"))) {
    const rel = relative(root, file);
    if (rel.startsWith(`server${sep}consensus`)) continue;
    if (/\.peekZxid\(/.test(readFileSync(file, "utf8"))) readers.push(rel);
  }
  if (readers.length !== 1)
    problems.push(`the next zxid is read in ${readers.length} files: ${readers.join(", ")}`);
  return problems;
}
