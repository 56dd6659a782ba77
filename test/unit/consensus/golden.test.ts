import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GoldenEnsemble } from "./golden-harness.js";

/**
 * Golden protocol traces, etcd-raft's datadriven style: each file in testdata/ is a script of
 * commands, each followed by `----` and the trace it must produce (messages as `from->to ...`, role
 * changes, applies). `REWRITE=1 npx vitest run test/unit/consensus/golden.test.ts` regenerates
 * the expected text after an intended protocol change; review the diff like code.
 */
const dir = join(import.meta.dirname, "testdata");
const rewrite = process.env.REWRITE === "1";

interface Block {
  readonly comments: string[];
  readonly command: string;
  readonly expected: string[];
}

function parse(text: string): Block[] {
  const lines = text.split("\n");
  const blocks: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const comments: string[] = [];
    while (i < lines.length && (lines[i]!.startsWith("#") || lines[i]!.trim() === "")) {
      if (lines[i]!.startsWith("#")) comments.push(lines[i]!);
      i++;
    }
    if (i >= lines.length) break;
    const command = lines[i++]!;
    if (lines[i] !== "----") throw new Error(`line ${i + 1}: expected ---- after "${command}"`);
    i++;
    const expected: string[] = [];
    while (i < lines.length && lines[i]!.trim() !== "") expected.push(lines[i++]!);
    blocks.push({ comments, command, expected });
  }
  return blocks;
}

function format(blocks: readonly Block[]): string {
  return `${blocks
    .map((b) =>
      [...b.comments, b.command, "----", ...(b.expected.length > 0 ? b.expected : ["ok"])].join("\n"),
    )
    .join("\n\n")}\n`;
}

describe("golden ZAB traces", () => {
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".txt"))) {
    it(file, () => {
      const path = join(dir, file);
      const blocks = parse(readFileSync(path, "utf8"));
      const ensemble = new GoldenEnsemble();
      const actual = blocks.map((b) => {
        const out = ensemble.run(b.command);
        return { ...b, expected: out.length > 0 ? out : ["ok"] };
      });
      if (rewrite) writeFileSync(path, format(actual));
      else expect(format(actual)).toBe(format(blocks));
    });
  }
});
