// What a diagnostic prints must be safe and readable in a terminal, whatever the file holds: control
// characters and bidi overrides escaped, long lines cut around the caret, tabs and wide characters
// lined up, a byte-order mark skipped. Golden texts, from sources the tests write.
import { describe, expect, it } from "vitest";
import { formatDiagnostic, formatDiagnostics, makeDiagnostic } from "../../grammar/diagnostics.js";
import { cellWidth, displayText } from "../../grammar/displayText.js";
import { parseProgram } from "../../grammar/parse.js";
import { MAX_QUOTED_CELLS, quoteSourceLine } from "../../grammar/sourceQuote.js";
import { spanAtOffset } from "../../grammar/spans.js";
import { SourceLines } from "../../grammar/sourceText.js";

function printed(text: string): string {
  const { diagnostics } = parseProgram(text, "net.cnn");
  return formatDiagnostics(diagnostics, new Map([["net.cnn", text]]));
}

/** Nothing a terminal would act on: no C0/C1 control but the newlines between lines, no DEL, no bidi control. */
function expectTerminalSafe(output: string): void {
  expect(output.split("\n").filter((line) => /[\p{Cc}\p{Bidi_Control}\u2028\u2029]/u.test(line))).toEqual([]);
}

describe("control characters are escaped", () => {
  it("in the quoted line: ESC, BEL and a right-to-left override in a comment", () => {
    const output = printed("network N {\n  input x: 3x8x8\n  conv(6, 3) -> $ # \x1b]0;title\x07 \u202e\n}\n");
    expect(output).toBe(`net.cnn:3:16: error[syntax]: expected a layer after '->', found '}'
   |
 3 |   conv(6, 3) -> $ # \\x1b]0;title\\x07 \\u{202e}
   |                ^
  = help: e.g. conv(6, 5) -> relu

net.cnn:3:17: error[lex]: unexpected character '$'
   |
 3 |   conv(6, 3) -> $ # \\x1b]0;title\\x07 \\u{202e}
   |                 ^
  = help: remove it`);
    expectTerminalSafe(output);
  });

  it("before the caret, which stays under the character it points at", () => {
    expect(printed('const S = "a\x1b[2Jb" $\n')).toBe(`net.cnn:1:20: error[lex]: unexpected character '$'
   |
 1 | const S = "a\\x1b[2Jb" $
   |                       ^
  = help: remove it`);
  });

  it("C1 controls, DEL and a lone surrogate", () => {
    expect(printed('const S = "\x85\x7f\ud800" $\n')).toBe(`net.cnn:1:17: error[lex]: unexpected character '$'
   |
 1 | const S = "\\x85\\x7f\\u{d800}" $
   |                              ^
  = help: remove it`);
  });

  it("in a message that quotes the source", () => {
    const output = printed('network N {\n  input x: 3x8x8\n  relu "\x1b[2J"\n}\n');
    expect(output).toBe(`net.cnn:3:8: error[syntax]: expected '->' or a new statement, found '"\\x1b[2J"'
   |
 3 |   relu "\\x1b[2J"
   |        ^^^^^^^^^
  = help: connect layers with '->' (conv(6, 5) -> relu), or start a new statement (name = layer(...))`);
    expectTerminalSafe(output);
  });

  it("in the description of stray characters, which names a long run by its first few", () => {
    expect(printed(`const A = 1 ${"\x1b\u202e".repeat(50)}\n`)).toBe(`net.cnn:1:13: error[lex]: unexpected characters U+001B U+202E U+001B U+202E U+001B U+202E … (100 in all)
   |
 1 | const A = 1 ${"\\x1b\\u{202e}".repeat(7)}\\x1b…
   |             ${"^".repeat(88)}…
  = help: remove it`);
    expect(printed(`const A = 1 ${"$".repeat(1000)}\n`).split("\n")[0]).toBe(`net.cnn:1:13: error[lex]: unexpected characters '${"$".repeat(30)}…' (1000 in all)`);
  });

  it("in every part of a diagnostic, the file name included", () => {
    const file = "evil\x1b[2J.cnn";
    const span = spanAtOffset(new SourceLines("x"), 0, 1, file);
    const diagnostic = makeDiagnostic("use-not-found", "cannot read `\x07\u202e`", span, { hint: "tab\there", notes: ["new\nline"] });
    const output = formatDiagnostic(diagnostic, new Map([[file, "x"]]));
    expect(output).toBe(`evil\\x1b[2J.cnn:1:1: error[use-not-found]: cannot read \`\\x07\\u{202e}\`
   |
 1 | x
   | ^
  = note: new\\nline
  = help: tab\\there`);
    expectTerminalSafe(output);
  });
});

describe("long lines and spans", () => {
  it("a 1 MB line is cut to a window around the caret", () => {
    const output = printed(`network N {\n  input x: 3x8x8\n  a = x${" -> relu".repeat(125_000)} $\n}\n`);
    expect(output).toBe(`net.cnn:3:1000009: error[lex]: unexpected character '$'
   |
 3 | …lu${" -> relu".repeat(12)} $
   |  ${" ".repeat(99)}^
  = help: remove it`);
  });

  it("an error at the start of a long line shows its beginning", () => {
    expect(printed(`const A = 1 $ # ${"x".repeat(1_000_000)}\n`)).toBe(`net.cnn:1:13: error[lex]: unexpected character '$'
   |
 1 | const A = 1 $ # ${"x".repeat(84)}…
   |             ^
  = help: remove it`);
  });

  it("a span longer than the window gets a shortened caret run", () => {
    const sum = Array.from({ length: 2500 }, () => "1").join(" + ");
    expect(printed(`const A = ${sum}\n`)).toBe(`net.cnn:1:11: error[syntax]: expression has 2,500 terms, more than the limit of 1,000
   |
 1 | const A = ${sum.slice(0, 90)}…
   |           ${"^".repeat(90)}…
  = help: split it up with constants (\`const A = ...\`), or compute the value and write it`);
  });

  it("a long word quoted into a message is shortened", () => {
    const name = "a".repeat(10_000);
    const message = printed(`const ${name} 3\n`).split("\n")[0];
    expect(message).toBe(`net.cnn:1:10008: error[syntax]: expected '=' after '${"a".repeat(49)}…${"a".repeat(18)}', found '3'`);
    expect(displayText(`unknown layer \`${name}\``)).toBe(`unknown layer \`${"a".repeat(49)}…${"a".repeat(19)}\``);
  });
});

describe("alignment", () => {
  it("skips a byte-order mark at the start: line 1 counts columns from after it", () => {
    expect(parseProgram("\ufeffnetwork N {\n  input x: 3x8x8\n  relu\n}\n", "net.cnn").diagnostics).toEqual([]);
    expect(printed("\ufeffconst A = 1 $\n")).toBe(`net.cnn:1:13: error[lex]: unexpected character '$'
   |
 1 | const A = 1 $
   |             ^
  = help: remove it`);
  });

  it("expands tabs to stops of 4 in both the line and the caret line", () => {
    expect(printed("network N {\n\tinput x: 3x8x8\n\t\tconv(6, 3)  \t-> $\n}\n").split("\n\n")[1]).toBe(`net.cnn:3:19: error[lex]: unexpected character '$'
   |
 3 |         conv(6, 3)      -> $
   | ${" ".repeat(27)}^
  = help: remove it`);
  });

  it("counts CJK characters and emoji as two cells; columns count UTF-16 units", () => {
    expect(printed('const S = "数据" $\n')).toBe(`net.cnn:1:16: error[lex]: unexpected character '$'
   |
 1 | const S = "数据" $
   |                  ^
  = help: remove it`);
    expect(printed('const S = "😀" $\n')).toBe(`net.cnn:1:16: error[lex]: unexpected character '$'
   |
 1 | const S = "😀" $
   |                ^
  = help: remove it`);
  });
});

describe("quoteSourceLine", () => {
  it("quotes a short line whole with the caret under the span", () => {
    expect(quoteSourceLine("conv(6, 3)", 6, 6)).toEqual({ text: "conv(6, 3)", caret: "     ^" });
    expect(quoteSourceLine("conv(6, 3)", 11, 11)).toEqual({ text: "conv(6, 3)", caret: "          ^" });
  });

  it("keeps the caret aligned at every position of long lines with tabs, wide characters and escapes", () => {
    const line = "ab\t数\x1b😀e\u0301 ".repeat(40);
    for (let column = 1; column <= line.length + 1; column += 7) {
      const { text, caret } = quoteSourceLine(line, column, column);
      const caretCell = caret.indexOf("^");
      // Walking the printed text (escapes are ASCII, tabs are spaces by now) lands exactly on the caret.
      let cells = 0;
      for (const char of text) {
        if (cells >= caretCell) break;
        cells += cellWidth(char);
      }
      expect(cells, `column ${column}`).toBe(caretCell);
      const width = Array.from(text).reduce((total, char) => total + cellWidth(char), 0);
      expect(width, `column ${column}`).toBeLessThanOrEqual(MAX_QUOTED_CELLS + 2);
    }
  });

  it("gives wide and zero-width characters their terminal widths", () => {
    expect(["a", "数", "😀", "\u0301", "\u200d", "ｶ"].map(cellWidth)).toEqual([1, 2, 2, 0, 0, 1]);
  });
});
