// Inputs far past the grammar's size limits, built here: flat expressions of 2,500 and 100,000 terms
// (sums, products, lists, in arguments, constants, defaults, counts, train settings), argument lists,
// runs of `-` and brackets. Each must come back, through the whole compiler, as one located error that
// names the limit: no internal error, no stack overflow, in reasonable time. At the limit they work.
import { describe, expect, it } from "vitest";
import { MAX_ARGUMENTS, MAX_EXPRESSION_TERMS, MAX_NESTING } from "../../grammar/limits.js";
import { compileSource } from "../../src/compile.js";
import type { ConvAttrs } from "../../src/ir/graph.js";

const network = (body: string) => `network N {\n  input x: 3x8x8\n${body}\n}\n`;
const joined = (count: number, separator: string, term = "1") => Array.from({ length: count }, () => term).join(separator);

interface LimitCase {
  name: string;
  source: (count: number) => string;
  /** Where the error points, and the start of its message for `count`. */
  line: number;
  column: (count: number) => number;
  message: (count: number) => string;
  /** Also tried 100,000 long (a few seconds each, so not every case). */
  huge?: boolean;
}

const terms = (count: number) => `expression has ${count.toLocaleString("en-US")} terms, more than the limit of 1,000`;

const CASES: LimitCase[] = [
  { name: "a sum in a layer argument", source: (n) => network(`  conv(${joined(n, "+")}, 1)`), line: 3, column: () => 8, message: terms, huge: true },
  { name: "a product in a constant", source: (n) => `const K = ${joined(n, " * ")}\n${network("  relu")}`, line: 1, column: () => 11, message: terms },
  { name: "a difference in parentheses", source: (n) => `const K = (${joined(n, "-")})\n${network("  relu")}`, line: 1, column: () => 11, message: terms },
  { name: "a list", source: (n) => `const L = [${joined(n, ", ")}]\n${network("  relu")}`, line: 1, column: () => 11, message: terms, huge: true },
  { name: "a block parameter's default", source: (n) => `block b(k = ${joined(n, "+")}) {\n  relu\n}\n${network("  b")}`, line: 1, column: () => 13, message: terms },
  { name: "a repetition count", source: (n) => network(`  [relu] * ${joined(n, "+")}`), line: 3, column: () => 12, message: terms },
  { name: "a train setting", source: (n) => `${network("  relu")}train {\n  lr = ${joined(n, "*", "0.5")}\n}\n`, line: 6, column: () => 8, message: terms },
  {
    name: "the arguments of a call",
    source: (n) => network(`  concat(${joined(n, ", ", "x")})`),
    line: 3,
    column: () => 10,
    message: (n) => `call has ${n.toLocaleString("en-US")} arguments, more than the limit of 1,000`,
    huge: true,
  },
  { name: "a run of '-' signs", source: (n) => `const K = ${"-".repeat(n)}1\n`, line: 1, column: () => 11 + MAX_NESTING, message: () => "nesting deeper than 100 levels", huge: true },
  { name: "nested parentheses", source: (n) => `const K = ${"(".repeat(n)}1${")".repeat(n)}\n`, line: 1, column: () => 11 + MAX_NESTING, message: () => "nesting deeper than 100 levels" },
];

describe("inputs past the grammar's limits", () => {
  for (const limitCase of CASES) {
    const sizes: [number, number][] = limitCase.huge === true ? [[2_500, 5], [100_000, 30]] : [[2_500, 5]];
    for (const [count, seconds] of sizes) {
      it(`${limitCase.name}, ${count.toLocaleString("en-US")} long: one located error`, () => {
        const source = limitCase.source(count);
        const started = performance.now();
        const result = compileSource(source, "main.cnn", { verify: true });
        const elapsed = (performance.now() - started) / 1000;
        expect(result.diagnostics.map((d) => [d.code, d.span.startLine, d.span.startColumn, d.message])).toEqual([
          ["syntax", limitCase.line, limitCase.column(count), limitCase.message(count)],
        ]);
        expect(elapsed).toBeLessThan(seconds);
      });
    }
  }
});

describe("inputs at the grammar's limits", () => {
  it("evaluates expressions of the largest size", () => {
    const filters = joined(MAX_EXPRESSION_TERMS, " + ");
    const result = compileSource(network(`  conv(${filters}, 1)`), "main.cnn", { verify: true });
    expect(result.diagnostics).toEqual([]);
    expect((result.graph?.nodes[1]?.attrs as ConvAttrs).outChannels).toBe(MAX_EXPRESSION_TERMS);
  });

  it("evaluates the deepest nesting of brackets and signs", () => {
    // The network body's `{` and conv's `(` count too: 2 + 2 * 48 + 2 = 100.
    const depth = (MAX_NESTING - 4) / 2;
    const result = compileSource(network(`  conv(${"-(".repeat(depth)}--2${")".repeat(depth)}, 1)`), "main.cnn", { verify: true });
    expect(result.diagnostics).toEqual([]);
    expect((result.graph?.nodes[1]?.attrs as ConvAttrs).outChannels).toBe(2);
  });

  it("takes calls with the most arguments", () => {
    const result = compileSource(network(`  concat(${joined(MAX_ARGUMENTS, ", ", "x")})`), "main.cnn", { verify: true });
    expect(result.diagnostics).toEqual([]);
    expect(result.graph?.nodes[1]?.shape).toEqual([3 * MAX_ARGUMENTS, 8, 8]);
  });
});
