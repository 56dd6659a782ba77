import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { adminCommandNames, adminCommands } from "../../../server/admin/admin-commands.js";
import { mntrKeysLeftOut } from "../../../server/admin/mntr.js";

const doc = readFileSync(join(import.meta.dirname, "../../../docs/OPERATIONS.md"), "utf8");

describe("docs/OPERATIONS.md", () => {
  it("lists every mntr key left out, with its reason", () => {
    const missing = Object.entries(mntrKeysLeftOut).filter(
      ([key, why]) => !doc.includes(`\`${key}\``) || !doc.includes(why),
    );
    expect(missing).toEqual([]);
  });

  it("lists every admin command and alias", () => {
    const names = new Set([...adminCommandNames, ...adminCommands.keys()]);
    expect([...names].filter((n) => !doc.includes(`\`${n}\``) && !doc.includes(`| \`${n}\` |`))).toEqual([]);
  });
});
