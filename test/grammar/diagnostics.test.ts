// Diagnostics of the grammar as data and as a whole: several at once in source order, codes and hints,
// one syntax error per line, no internal error whatever the bytes; and closestMatch, which finds the
// "did you mean" of every stage within a budget. The golden texts of each kind are in
// lexicalDiagnostics, bracketDiagnostics, argumentDiagnostics and statementDiagnostics.test.ts.
import { describe, expect, it } from "vitest";
import { SUGGESTION_BUDGET, closestMatch, formatDiagnostics } from "../../grammar/diagnostics.js";
import { parseProgram } from "../../grammar/parse.js";
import { expectDiagnostics } from "./printedDiagnostics.js";

describe("several diagnostics, as printed", () => {
  it("several errors at once, sorted by position", () => {
    expectDiagnostics(
      "network N {\n  input image 1x28x28\n  c1 = conv(6, kernel 5) -> tanh\n  s2 = avgpool(2 2)\n  c3 = conv(16, kernel=5 -> tanh\n  out = fc(10) -> -> softmax\n",
      `net.cnn:2:15: error[syntax]: expected ':' after the input name, found '1x28x28'
   |
 2 |   input image 1x28x28
   |               ^^^^^^^
  = help: write input image: 1x28x28

net.cnn:3:16: error[syntax]: missing '=' between the argument name 'kernel' and its value
   |
 3 |   c1 = conv(6, kernel 5) -> tanh
   |                ^^^^^^^^
  = help: write kernel=5

net.cnn:4:18: error[syntax]: missing ',' between arguments
   |
 4 |   s2 = avgpool(2 2)
   |                  ^
  = help: separate arguments with ','

net.cnn:5:26: error[syntax]: expected ')' to close the arguments of conv(
   |
 5 |   c3 = conv(16, kernel=5 -> tanh
   |                          ^^
  = help: add ')' before '->'

net.cnn:6:19: error[syntax]: expected a layer after '->', found '->'
   |
 6 |   out = fc(10) -> -> softmax
   |                   ^^
  = help: remove the extra '->'

net.cnn:6:29: error[syntax]: missing '}' to close network N opened at 1:1
   |
 6 |   out = fc(10) -> -> softmax
   |                             ^
  = help: add '}' after the last statement`,
    );
  });
});

describe("diagnostic data", () => {
  it("uses the codes lex and syntax, with a hint on each", () => {
    const { diagnostics } = parseProgram('network N {\n  input x: 3 x 8 x 8\n  conv(6 5) $\n  c = "open\n}', "net.cnn");
    expect(diagnostics.map((d) => [d.code, d.severity, d.span.startLine])).toEqual([
      ["lex", "error", 2],
      ["syntax", "error", 3],
      ["lex", "error", 3],
      ["lex", "error", 4],
    ]);
    expect(diagnostics.every((d) => d.hint !== undefined && d.hint.length > 0)).toBe(true);
  });

  it("reports at most one syntax error per line, and none after a lexical error on that line", () => {
    const { diagnostics } = parseProgram("network N {\n  conv(6 5 6 7 -> -> relu\n  a = conv(6) ? 5\n}", "net.cnn");
    expect(diagnostics.map((d) => `${d.span.startLine}:${d.span.startColumn} ${d.code}`)).toEqual(["2:10 syntax", "3:15 lex"]);
  });

  it("never throws and never reports an internal error, whatever the bytes", () => {
    const inputs = ["\u0000\u0001\uFFFF", "{".repeat(500), "(".repeat(300), "network N {" + " relu ->".repeat(2000), "]]]]}}}})))", "\r\r\n\t", "\uD83D\uDE00 network"];
    for (const text of inputs) {
      const { diagnostics } = parseProgram(text, "net.cnn");
      expect(diagnostics.filter((d) => d.code === "internal")).toEqual([]);
      expect(() => formatDiagnostics(diagnostics, new Map([["net.cnn", text]]))).not.toThrow();
    }
  });
});

/** The edit distance, computed in full: what closestMatch's banded computation must agree with. */
function fullEditDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      rows[i]![j] = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return rows[a.length]![b.length]!;
}

/** The first candidate at the smallest distance, if that is within a third of the word's length. */
function expectedMatch(word: string, candidates: string[]): string | undefined {
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    const distance = fullEditDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

describe("closestMatch", () => {
  it("finds the first closest candidate, ignoring case, within a third of the word's length", () => {
    expect(closestMatch("cnv", ["relu", "conv", "conv1d"])).toBe("conv");
    expect(closestMatch("ReLu", ["relu"])).toBe("relu");
    expect(closestMatch("maxpol", ["avgpool", "maxpool"])).toBe("maxpool");
    expect(closestMatch("frobnicate", ["relu", "conv"])).toBeUndefined();
    expect(closestMatch("ab", ["ba", "ab"])).toBe("ab");
  });

  it("agrees with the full edit distance on random words", () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const word = () => Array.from({ length: 1 + random(12) }, () => "abcA"[random(4)]).join("");
    for (let trial = 0; trial < 500; trial++) {
      const target = word();
      const candidates = Array.from({ length: 1 + random(8) }, word);
      expect(closestMatch(target, candidates), `${target} among ${candidates.join(",")}`).toBe(expectedMatch(target, candidates));
    }
  });

  it("spends at most its budget, and finds nothing once it is spent", () => {
    const budget = { left: 1000 };
    const names = Array.from({ length: 100_000 }, (_, i) => `name${i}`);
    closestMatch("nmae5", names, budget);
    expect(budget.left).toBeLessThanOrEqual(0);
    expect(closestMatch("conv", ["conv"], budget)).toBeUndefined();
    expect(closestMatch("conv", ["cnv"], { left: SUGGESTION_BUDGET })).toBe("cnv");
  });

  it("gives up on a comparison past its budget (a megabyte-long word) rather than take seconds", () => {
    const long = "a".repeat(1_000_000);
    const started = performance.now();
    expect(closestMatch(long, [`${long}b`, long.slice(1), "a"])).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
