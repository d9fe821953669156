// Seeded random mutations of valid sources (ours and every examples/*.cnn), and random long and deep
// inputs around the grammar's limits, must only ever produce diagnostics with well-formed spans: no
// exception, no internal error, no hang.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { SourceSpan } from "../../grammar/ast.js";
import { formatDiagnostics } from "../../grammar/diagnostics.js";
import { MAX_ARGUMENTS, MAX_EXPRESSION_TERMS, MAX_NESTING } from "../../grammar/limits.js";
import { type ParseResult, parseProgram } from "../../grammar/parse.js";
import { cnnLexer } from "../../grammar/tokens.js";
import { samples } from "./samples.js";
import { seededRandom } from "../support/seededRandom.js";

const examplesDirectory = join(import.meta.dirname, "../../examples");
const exampleSources: Record<string, string> = existsSync(examplesDirectory)
  ? Object.fromEntries(
      readdirSync(examplesDirectory, { recursive: true, encoding: "utf8" })
        // examples/mistakes/ holds documented mistakes, some of them syntax errors on purpose.
        .filter((file) => file.endsWith(".cnn") && !file.startsWith("mistakes/"))
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

const GRAMMAR_CODES = ["lex", "syntax", "number-too-large", "number-too-small"];

/** Everything wrong with a parse result: internal errors, unknown codes, placeholders, bad spans, unprintable output. */
function robustnessProblems(result: ParseResult, text: string, file: string): string[] {
  const problems: string[] = [];
  const lineCount = text.split("\n").length;
  for (const diagnostic of result.diagnostics) {
    if (!GRAMMAR_CODES.includes(diagnostic.code)) problems.push(`unexpected code ${diagnostic.code}: ${diagnostic.message}`);
    if (diagnostic.message.length === 0) problems.push("empty message");
    if (/undefined|NaN/.test(`${diagnostic.message} ${diagnostic.hint ?? ""}`)) problems.push(`placeholder in: ${diagnostic.message}`);
    problems.push(spanProblem(diagnostic.span, text, lineCount, file) ?? "");
  }
  for (const span of collectSpans(result.program.items, [])) problems.push(spanProblem(span, text, lineCount, file) ?? "");
  const printed = formatDiagnostics(result.diagnostics, new Map([[file, text]]));
  // A quoted line is cut to 100 cells; messages may be longer, but not by a whole input.
  const longest = Math.max(0, ...printed.split("\n").map((line) => line.length));
  if (longest > 400) problems.push(`printed line of ${longest} characters`);
  return problems.filter((problem) => problem !== "");
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
      expect(robustnessProblems(result, text, file), context).toEqual([]);
      if (result.diagnostics.length > 0) withDiagnostics++;
    }
    // The mutations mostly break the sources: the test exercises error paths, not just valid input.
    expect(withDiagnostics).toBeGreaterThan(rounds / 2);
    expect(slowest).toBeLessThan(1000);
  });
});

/** A long or deep input and what it should produce: nothing when within the limits, else the limit's error. */
interface Shaped {
  text: string;
  /** Past a limit: the message that must be among the diagnostics; undefined: the text is valid. */
  expected?: RegExp | undefined;
  /** Only robustness is checked (the text may or may not be valid). */
  anything?: boolean;
}

const joined = (count: number, separator: () => string, term = "1") => Array.from({ length: count }, (_, i) => (i === 0 ? "" : separator()) + term).join("");
const tooManyTerms = (count: number) => (count > MAX_EXPRESSION_TERMS ? /more than the limit of 1,000/ : undefined);
// `const A = ` opens nothing; a network body and a call's parentheses each count one level.
const tooDeep = (depth: number) => (depth > MAX_NESTING ? /nesting deeper than 100 levels/ : undefined);

const longShapes: Record<string, (n: number, random: () => number) => Shaped> = {
  arithmetic: (n, random) => ({ text: `const A = ${joined(n, () => pick([" + ", "-", " * ", "*", " % ", "/"], random))}\n`, expected: tooManyTerms(n) }),
  list: (n) => ({ text: `const A = [${joined(n, () => ", ")}]\n`, expected: tooManyTerms(n) }),
  nestedLists: (n) => ({ text: `const A = ${"[".repeat(n)}1${"]".repeat(n)}\n`, expected: tooDeep(n) }),
  signs: (n) => ({ text: `const A = ${"-".repeat(n)}1\n`, expected: tooDeep(n) }),
  signedParentheses: (n) => ({ text: `const A = ${"-(".repeat(n)}1${")".repeat(n)}\n`, expected: tooDeep(2 * n) }),
  parentheses: (n) => ({ text: `network N {\n  input x: 3x8x8\n  conv(${"(".repeat(n)}1${")".repeat(n)}, 1)\n}\n`, expected: tooDeep(n + 2) }),
  arguments: (n) => ({
    text: `network N {\n  input x: 3x8x8\n  concat(${joined(n, () => ", ", "x")})\n}\n`,
    expected: n > MAX_ARGUMENTS ? /arguments, more than the limit of 1,000/ : undefined,
  }),
  chain: (n) => ({ text: `network N {\n  input x: 3x8x8\n  a = x${" -> relu".repeat(n)}\n}\n` }),
  repetitions: (n) => ({ text: `network N {\n  input x: 3x8x8\n  ${"[".repeat(n)}relu${"] * 2".repeat(n)}\n}\n`, expected: tooDeep(n + 1) }),
  unclosed: (n, random) => ({ text: `network N {\n  conv(${joined(n, () => pick(["(", "[", ", -", "{"], random), "1")}`, anything: true }),
  strayCharacters: (n, random) => ({ text: `const A = 1 ${Array.from({ length: n }, () => pick(["$", "\x1b", "\u202e", "é", "\t", "?"], random)).join("")}\n`, anything: true }),
  longName: (n) => ({ text: `network N {\n  input x: 3x8x8\n  ${"a".repeat(n)} = relu -> ${"b".repeat(n)}(\n}\n`, anything: true }),
  brokenLines: (n, random) => ({ text: `network N {\n  input x: 3x8x8\n${Array.from({ length: n }, () => pick(["  conv(6 6)", "  relu ->", "  = 3", "  fc(", "  ]"], random)).join("\n")}\n}\n`, anything: true }),
};

describe("fuzzing the parser with long and deep inputs", () => {
  it("reports the limits, and only past them, quickly and without internal errors", () => {
    const random = seededRandom(20250101);
    const sizes = [1, 2, 49, 50, 51, 98, 99, 100, 101, 102, 999, 1000, 1001, 2500];
    const shapeNames = Object.keys(longShapes);
    let pastLimits = 0;
    for (let round = 0; round < 150; round++) {
      const shapeName = shapeNames[round % shapeNames.length]!;
      const size = random() < 0.7 ? pick(sizes, random) : 1 + Math.floor(random() * 4000);
      const shaped = longShapes[shapeName]!(size, random);
      const started = performance.now();
      const result = parseProgram(shaped.text, "long.cnn");
      const elapsed = performance.now() - started;
      const context = `${shapeName} of ${size}`;
      expect(result.diagnostics.filter((d) => d.code === "internal"), context).toEqual([]);
      expect(elapsed, context).toBeLessThan(2000);
      expect(robustnessProblems(result, shaped.text, "long.cnn"), context).toEqual([]);
      if (shaped.anything === true) continue;
      if (shaped.expected === undefined) {
        expect(result.diagnostics.map((d) => d.message), context).toEqual([]);
      } else {
        pastLimits += 1;
        expect(result.diagnostics.some((d) => shaped.expected!.test(d.message)), `${context}: ${result.diagnostics.map((d) => d.message).join("; ")}`).toBe(true);
      }
    }
    expect(pastLimits).toBeGreaterThan(20);
  });
});
