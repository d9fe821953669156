// Elaboration never throws on bad input: mutate the examples in ways that mostly keep them parseable
// (numbers replaced, words swapped, lines dropped or duplicated) and compile each with the verifier on.
// Any graph that comes back must verify; anything else must come back as diagnostics.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileSource } from "../../src/compile.js";
import { seededRandom } from "../support/seededRandom.js";

const EXAMPLES = join(import.meta.dirname, "../../examples");
const WORDS = ["conv", "relu", "maxpool", "fc", "add", "concat", "in", "same", "valid", "x", "image", "floor", "ceil", "true", "basic", "inception", "batchnorm", "global_avgpool", "max_over_time", "lrn"];
const NUMBERS = ["0", "1", "2", "3", "-1", "7", "2.5", "1e-5", "99999999", "3x3", "1x2x3", "[1, 2]", "(4 / 3)"];

function mutate(text: string, next: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const lines = text.split("\n");
  const line = Math.floor(next() * lines.length);
  switch (Math.floor(next() * 5)) {
    case 0: {
      const matches = [...text.matchAll(/\d+(?:x\d+)*/g)];
      if (matches.length === 0) return text;
      const match = pick(matches);
      return text.slice(0, match.index) + pick(NUMBERS) + text.slice(match.index! + match[0].length);
    }
    case 1: {
      const matches = [...text.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)];
      if (matches.length === 0) return text;
      const match = pick(matches);
      return text.slice(0, match.index) + pick(WORDS) + text.slice(match.index! + match[0].length);
    }
    case 2:
      lines.splice(line, 1);
      return lines.join("\n");
    case 3:
      lines.splice(line, 0, lines[Math.floor(next() * lines.length)]!);
      return lines.join("\n");
    default:
      return text.slice(0, Math.floor(next() * text.length));
  }
}

describe("elaboration fuzzing", () => {
  const files = readdirSync(EXAMPLES).filter((file) => file.endsWith(".cnn"));
  const blocks = new Map(readdirSync(join(EXAMPLES, "blocks")).map((file) => [join(EXAMPLES, "blocks", file), readFileSync(join(EXAMPLES, "blocks", file), "utf8")]));

  it("turns 400 mutated examples into diagnostics or verified graphs, never exceptions", () => {
    const next = seededRandom(20_241_123);
    let compiled = 0;
    let rejected = 0;
    for (let i = 0; i < 400; i++) {
      const file = files[i % files.length]!;
      let text = readFileSync(join(EXAMPLES, file), "utf8");
      const rounds = 1 + Math.floor(next() * 3);
      for (let r = 0; r < rounds; r++) text = mutate(text, next);
      const path = join(EXAMPLES, file);
      let result;
      try {
        result = compileSource(text, path, { verify: true, readFile: (p) => blocks.get(p) });
      } catch (error) {
        throw new Error(`compiling this mutation of ${file} threw ${String(error)}:\n${text}`);
      }
      if (result.graph !== undefined) compiled += 1;
      else {
        expect(result.diagnostics.some((d) => d.severity === "error")).toBe(true);
        rejected += 1;
      }
    }
    // Both outcomes occur, so the mutations exercise elaboration and not only the parser.
    expect(compiled).toBeGreaterThan(20);
    expect(rejected).toBeGreaterThan(20);
  });
});
