// Golden tests: the full text (location, quoted line, caret, notes, help) of every diagnostic kind of
// elaboration and shape inference. Regenerate after an intended change with
// CNNC_UPDATE_GOLDEN=1 npx vitest run test/elaborate/diagnostics.test.ts and review the diff.
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { diagnosticsText } from "./compileHelpers.js";
import { DIAGNOSTIC_CASES } from "./diagnosticCases.js";

const GOLDEN = join(import.meta.dirname, "diagnostics.golden.txt");
const SEPARATOR = "=== ";

function render(): Map<string, string> {
  return new Map(DIAGNOSTIC_CASES.map((c) => [c.name, diagnosticsText(c.source, c.files ?? {})]));
}

function readGolden(): Map<string, string> {
  const sections = readFileSync(GOLDEN, "utf8").split(`\n${SEPARATOR}`);
  const golden = new Map<string, string>();
  for (const section of sections) {
    const text = section.startsWith(SEPARATOR) ? section.slice(SEPARATOR.length) : section;
    const newline = text.indexOf("\n");
    golden.set(text.slice(0, newline), text.slice(newline + 1).replace(/\n$/, ""));
  }
  return golden;
}

if (process.env.CNNC_UPDATE_GOLDEN === "1") {
  const text = [...render()].map(([name, output]) => `${SEPARATOR}${name}\n${output}`).join("\n");
  writeFileSync(GOLDEN, `${text}\n`);
}

describe("diagnostic golden texts", () => {
  const golden = readGolden();

  it("has a golden text for every case and no stale ones", () => {
    expect([...golden.keys()]).toEqual(DIAGNOSTIC_CASES.map((c) => c.name));
  });

  for (const testCase of DIAGNOSTIC_CASES) {
    it(testCase.name, () => {
      expect(diagnosticsText(testCase.source, testCase.files ?? {})).toBe(golden.get(testCase.name));
    });
  }

  it("covers every diagnostic code that elaboration and shape inference can emit", () => {
    const sourceDirs = ["src/elaborate", "src/ir/shapes"].map((dir) => join(import.meta.dirname, "../..", dir));
    const emitted = new Set<string>();
    for (const dir of sourceDirs) {
      for (const file of readdirSync(dir)) {
        const text = readFileSync(join(dir, file), "utf8");
        for (const match of text.matchAll(/(?:(?:error|warning|shapeProblem)\(\s*|code: )"([a-z-]+)"/g)) emitted.add(match[1]!);
      }
    }
    const covered = new Set([...golden.values()].flatMap((text) => [...text.matchAll(/(?:error|warning)\[([a-z-]+)\]/g)].map((m) => m[1]!)));
    // Not reachable from source text: the parser rejects positional-after-named first; attrs and input
    // counts are validated before shape functions see them (the verifier exercises those).
    const elsewhere = ["positional-after-named", "bad-attribute", "wrong-input-count"];
    expect([...emitted].filter((code) => !covered.has(code) && !elsewhere.includes(code)).sort()).toEqual([]);
  });
});
