/**
 * Builds the web console (server/admin/console-ui) into dist/console/, which the AdminServer
 * serves at "/": one esbuild bundle, the stylesheet and the page. Run by `npm run build:console`
 * (and by npm's `prepare`, so an install has it); the server says so when the bundle is missing.
 */
import { copyFileSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { build } from "esbuild";

const root = resolve(import.meta.dirname, "..");
const source = join(root, "server/admin/console-ui");
const out = join(root, "dist/console");
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(source, "main.ts")],
  outfile: join(out, "console.js"),
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  sourcemap: false,
  legalComments: "none",
  logLevel: "warning",
});
copyFileSync(join(source, "console.css"), join(out, "console.css"));
copyFileSync(join(source, "index.html"), join(out, "index.html"));
console.log(`console built into ${out}`);
