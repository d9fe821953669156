// Seeded random mutations of valid sources (ours and every examples/*.cnn) must only ever produce
// diagnostics with well-formed spans: no exception, no internal error, no hang.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { SourceSpan } from "../../grammar/ast.js";
import { formatDiagnostics } from "../../grammar/diagnostics.js";
import { parseProgram } from "../../grammar/parse.js";
import { cnnLexer } from "../../grammar/tokens.js";
import { samples } from "./samples.js";
import { seededRandom } from "../support/seededRandom.js";

const examplesDirectory = join(import.meta.dirname, "../../examples");
const exampleSources: Record<string, string> = existsSync(examplesDirectory)
  ? Object.fromEntries(
      readdirSync(examplesDirectory, { recursive: true, encoding: "utf8" })
        .filter((file) => file.endsWith(".cnn"))
        .sort()
        .map((file) => [`examples/${file}`, readFileSync(join(examplesDirectory, file), "utf8")]),
    )
  : {};
const corpus: Record<string, string> = { ...samples, ...exampleSources };

const punctuation = ["(", ")", "[", "]", "{", "}", ",", "=", ":", ";", ".", "->", "-", "*", "/", "%", "+", "#", '"', "x", "$", "3x", "é", "\t", "\n", "//"];

type Mutation = (text: string, random: () => number) => string;

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)]!;
}

/** [start, end) of each token; a text without tokens gets one empty range at its end. */
function tokenRanges(text: string): [number, number][] {
  const ranges = cnnLexer.tokenize(text).tokens.map((token): [number, number] => [token.startOffset, token.startOffset + token.image.length]);
  return ranges.length > 0 ? ranges : [[text.length, text.length]];
}

const mutations: Record<string, Mutation> = {
  deleteToken(text, random) {
    const [start, end] = pick(tokenRanges(text), random);
    return text.slice(0, start) + text.slice(end);
  },
  duplicateToken(text, random) {
    const [start, end] = pick(tokenRanges(text), random);
    return text.slice(0, end) + " " + text.slice(start, end) + text.slice(end);
  },
  swapAdjacentTokens(text, random) {
    const ranges = tokenRanges(text);
    if (ranges.length < 2) return text;
    const index = Math.floor(random() * (ranges.length - 1));
    const [aStart, aEnd] = ranges[index]!;
    const [bStart, bEnd] = ranges[index + 1]!;
    return text.slice(0, aStart) + text.slice(bStart, bEnd) + text.slice(aEnd, bStart) + text.slice(aStart, aEnd) + text.slice(bEnd);
  },
  swapNumbers(text, random) {
    const numbers = [...text.matchAll(/\d+(?:x\d+)*(?:\.\d+)?/g)];
    if (numbers.length === 0) return text;
    const target = pick(numbers, random);
    const replacement = pick(["0", "-1", "1.5", "3x3", "99999999999999999999", "1e400", "x", "", "7 x 7"], random);
    return text.slice(0, target.index) + replacement + text.slice(target.index + target[0].length);
  },
  truncate(text, random) {
    return text.slice(0, Math.floor(random() * text.length));
  },
  insertPunctuation(text, random) {
    const ranges = tokenRanges(text);
    const [at] = pick(ranges, random);
    return text.slice(0, at) + pick(punctuation, random) + text.slice(at);
  },
  deleteCharacter(text, random) {
    const at = Math.floor(random() * text.length);
    return text.slice(0, at) + text.slice(at + 1);
  },
  deleteLine(text, random) {
    const lines = text.split("\n");
    lines.splice(Math.floor(random() * lines.length), 1);
    return lines.join("\n");
  },
};

/** What is wrong with a span, or undefined when it is well formed and inside the text. */
function spanProblem(span: SourceSpan, text: string, lineCount: number, file: string): string | undefined {
  const values = [span.startOffset, span.endOffset, span.startLine, span.startColumn, span.endLine, span.endColumn];
  if (span.file !== file) return `wrong file ${span.file}`;
  if (!values.every(Number.isInteger)) return `non-integer position ${JSON.stringify(span)}`;
  if (span.startOffset < 0 || span.endOffset < span.startOffset || span.startOffset > text.length) return `bad offsets ${JSON.stringify(span)}`;
  if (span.startLine < 1 || span.startColumn < 1 || span.endLine < span.startLine) return `bad line/column ${JSON.stringify(span)}`;
  if (span.startLine > lineCount) return `line past the end ${JSON.stringify(span)}`;
  return undefined;
}

/** Every `span`/`*Span` in the AST, for checking that partial trees are still well formed. */
function collectSpans(value: unknown, spans: SourceSpan[]): SourceSpan[] {
  if (Array.isArray(value)) value.forEach((item) => collectSpans(item, spans));
  else if (typeof value === "object" && value !== null) {
    for (const [key, field] of Object.entries(value)) {
      if (key === "span" || key.endsWith("Span")) spans.push(field as SourceSpan);
      else collectSpans(field, spans);
    }
  }
  return spans;
}

describe("fuzzing the parser", () => {
  it("the corpus includes our samples and the examples present now", () => {
    expect(Object.keys(corpus).length).toBe(Object.keys(samples).length + Object.keys(exampleSources).length);
  });

  it.each(Object.keys(corpus))("%s parses without syntax errors before mutation", (file) => {
    const { diagnostics } = parseProgram(corpus[file]!, file);
    expect(formatDiagnostics(diagnostics, new Map([[file, corpus[file]!]]))).toBe("");
  });

  it("mutated sources only produce diagnostics, with valid spans, quickly", () => {
    const random = seededRandom(20240611);
    const mutationNames = Object.keys(mutations);
    const files = Object.keys(corpus);
    const rounds = Math.max(600, files.length * 40);
    let withDiagnostics = 0;
    let slowest = 0;
    for (let round = 0; round < rounds; round++) {
      const file = files[round % files.length]!;
      let text = corpus[file]!;
      // One to three mutations on top of each other.
      const count = 1 + Math.floor(random() * 3);
      const applied: string[] = [];
      for (let i = 0; i < count && text.length > 0; i++) {
        const mutationName = pick(mutationNames, random);
        applied.push(mutationName);
        text = mutations[mutationName]!(text, random);
      }
      const started = performance.now();
      const result = parseProgram(text, file);
      const elapsed = performance.now() - started;
      slowest = Math.max(slowest, elapsed);
      const context = `${file} after ${applied.join(", ")}:\n${text}`;
      expect(result.diagnostics.filter((d) => d.code === "internal"), context).toEqual([]);
      expect(elapsed, context).toBeLessThan(1000);
      expect(() => formatDiagnostics(result.diagnostics, new Map([[file, text]])), context).not.toThrow();
      const problems: string[] = [];
      const lineCount = text.split("\n").length;
      for (const diagnostic of result.diagnostics) {
        if (diagnostic.code !== "lex" && diagnostic.code !== "syntax") problems.push(`unexpected code ${diagnostic.code}`);
        if (diagnostic.message.length === 0) problems.push("empty message");
        if (/undefined|NaN/.test(`${diagnostic.message} ${diagnostic.hint ?? ""}`)) problems.push(`placeholder in: ${diagnostic.message}`);
        problems.push(spanProblem(diagnostic.span, text, lineCount, file) ?? "");
      }
      for (const span of collectSpans(result.program.items, [])) problems.push(spanProblem(span, text, lineCount, file) ?? "");
      expect(problems.filter((problem) => problem !== ""), context).toEqual([]);
      if (result.diagnostics.length > 0) withDiagnostics++;
    }
    // The mutations mostly break the sources: the test exercises error paths, not just valid input.
    expect(withDiagnostics).toBeGreaterThan(rounds / 2);
    expect(slowest).toBeLessThan(1000);
  });
});
