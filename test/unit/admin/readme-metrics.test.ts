import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  defaultMetrics,
  readmePath,
  readmeTable,
  registryRows,
  renderTable,
  tableCells,
} from "../../../scripts/readme-metrics.js";

const readme = readFileSync(readmePath, "utf8");
const regenerate = "run `node --import tsx scripts/readme-metrics.ts` to rewrite README.md's metric table";

describe("README.md's metric table", () => {
  const table = readmeTable(readme);

  it("is there, between its markers", () => {
    expect(table).toBeDefined();
  });

  it("lists Paddock's and ZooKeeper's metrics as the registry has them", () => {
    // Cells compared trimmed: a formatter may pad the columns differently.
    expect(tableCells(table ?? ""), regenerate).toEqual(tableCells(renderTable()));
    expect(registryRows().length).toBeGreaterThan(40);
  });

  it("names every default process_ and nodejs_ metric this platform has", () => {
    const missing = [...defaultMetrics().keys()].filter((n) => !(table ?? "").includes(`\`${n}\``));
    expect(missing, regenerate).toEqual([]);
  });
});
