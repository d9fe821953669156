// Golden tests, as printed: characters no token accepts, strings, dims written with spaces or a
// capital X, and number literals a double cannot hold.
import { describe, expect, it } from "vitest";
import { parseProgram } from "../../grammar/parse.js";
import { expectDiagnostics } from "./printedDiagnostics.js";

describe("lexical diagnostics: characters, strings, dims and numbers", () => {
  it("unexpected character", () => {
    expectDiagnostics(
      "network N {\n  input x: 3x8x8\n  conv(6, 3) $ relu\n}\n",
      `net.cnn:3:14: error[lex]: unexpected character '$'
   |
 3 |   conv(6, 3) $ relu
   |              ^
  = help: remove it`,
    );
  });

  it("several unexpected characters", () => {
    expectDiagnostics(
      "network N {\n  input x: 3x8x8\n  conv(6, 3) -> relu !!\n}\n",
      `net.cnn:3:22: error[lex]: unexpected characters '!!'
   |
 3 |   conv(6, 3) -> relu !!
   |                      ^^
  = help: remove it`,
    );
  });

  it("multiplication sign in dims", () => {
    expectDiagnostics(
      "network N {\n  input x: 3×8×8\n}\n",
      `net.cnn:2:13: error[lex]: unexpected character '×' (U+00D7)
   |
 2 |   input x: 3×8×8
   |             ^
  = help: dims are written with a lowercase x, e.g. 3x3

net.cnn:2:15: error[lex]: unexpected character '×' (U+00D7)
   |
 2 |   input x: 3×8×8
   |               ^
  = help: dims are written with a lowercase x, e.g. 3x3`,
    );
  });

  it("non-ASCII letter in a name", () => {
    expectDiagnostics(
      "network Réseau {\n  input x: 3x8x8\n}\n",
      `net.cnn:1:10: error[lex]: unexpected character 'é' (U+00E9)
   |
 1 | network Réseau {
   |          ^
  = help: names may only use ASCII letters, digits and '_'`,
    );
  });

  it("single-quoted string", () => {
    expectDiagnostics(
      "use 'blocks.cnn'\n",
      `net.cnn:1:5: error[lex]: unexpected character "'"
   |
 1 | use 'blocks.cnn'
   |     ^
  = help: strings are written with double quotes: "..."

net.cnn:1:16: error[lex]: unexpected character "'"
   |
 1 | use 'blocks.cnn'
   |                ^
  = help: strings are written with double quotes: "..."`,
    );
  });

  it("dims written with spaces", () => {
    expectDiagnostics(
      "network N {\n  input image: 1 x 28 x 28\n}\n",
      `net.cnn:2:16: error[lex]: dims are written without spaces
   |
 2 |   input image: 1 x 28 x 28
   |                ^^^^^^^^^^^
  = help: write 1x28x28`,
    );
  });

  it("dims written with a capital X", () => {
    expectDiagnostics(
      "network N {\n  input x: 3x8x8\n  conv(6, 3X3)\n}\n",
      `net.cnn:3:11: error[lex]: dims are written with a lowercase 'x'
   |
 3 |   conv(6, 3X3)
   |           ^^^
  = help: write 3x3`,
    );
  });

  it("unterminated string", () => {
    expectDiagnostics(
      "use \"blocks.cnn\nnetwork N {\n  input x: 3x8x8\n}\n",
      `net.cnn:1:5: error[lex]: unterminated string
   |
 1 | use "blocks.cnn
   |     ^^^^^^^^^^^
  = help: add the closing '"' before the end of the line`,
    );
  });

  it("unknown escape in a string", () => {
    expectDiagnostics(
      "use \"C:\\data\\blocks.cnn\"\n",
      `net.cnn:1:8: error[lex]: unknown escape '\\d' in a string
   |
 1 | use "C:\\data\\blocks.cnn"
   |        ^^
  = help: the escapes are \\" \\\\ \\n \\t \\r; write '/' in paths, or '\\\\' for a backslash

net.cnn:1:13: error[lex]: unknown escape '\\b' in a string
   |
 1 | use "C:\\data\\blocks.cnn"
   |             ^^
  = help: the escapes are \\" \\\\ \\n \\t \\r; write '/' in paths, or '\\\\' for a backslash`,
    );
  });

  it("many unknown escapes in one string: the first five, the fifth saying how many more", () => {
    const { diagnostics } = parseProgram(`use "${"\\q".repeat(1000)}"\n`, "net.cnn");
    expect(diagnostics.map((d) => [d.span.startColumn, d.message, d.notes])).toEqual([
      [6, "unknown escape '\\q' in a string", undefined],
      [8, "unknown escape '\\q' in a string", undefined],
      [10, "unknown escape '\\q' in a string", undefined],
      [12, "unknown escape '\\q' in a string", undefined],
      [14, "unknown escape '\\q' in a string", ["995 more unknown escapes in this string"]],
    ]);
  });

  it("numbers that cannot be represented, quoted as written", () => {
    const digits = "1234567890".repeat(40);
    expectDiagnostics(
      `network N {\n  input x: 3x8x8\n  conv(1e400, 3)\n  conv(${digits}, 3)\n  fc(9007199254740992)\n  dropout(1e-400)\n  fc(9007199254740991)\n  input y: 99999999999999999999x3\n}\n`,
      `net.cnn:3:8: error[number-too-large]: the number \`1e400\` is too large to represent: numbers go up to about 1.8e308
   |
 3 |   conv(1e400, 3)
   |        ^^^^^
  = help: write a smaller number

net.cnn:4:8: error[number-too-large]: the whole number \`123456789012…567890\` (400 digits) is too large: whole numbers go up to 9,007,199,254,740,991 (2^53 - 1)
   |
 4 |   conv(${digits.slice(0, 93)}…
   |        ${"^".repeat(93)}…
  = help: sizes and counts are far smaller; for a real number this large write a float with an exponent, e.g. 1e20

net.cnn:5:6: error[number-too-large]: the whole number \`9007199254740992\` is too large: whole numbers go up to 9,007,199,254,740,991 (2^53 - 1)
   |
 5 |   fc(9007199254740992)
   |      ^^^^^^^^^^^^^^^^
  = help: sizes and counts are far smaller; for a real number this large write a float with an exponent, e.g. 1e20

net.cnn:6:11: error[number-too-small]: the number \`1e-400\` is too small to represent (it would be 0): the smallest positive number is about 5e-324
   |
 6 |   dropout(1e-400)
   |           ^^^^^^
  = help: write 0 if zero is meant, or a larger number

net.cnn:8:12: error[number-too-large]: the size \`99999999999999999999\` in \`99999999999999999999x3\` is too large: whole numbers go up to 9,007,199,254,740,991 (2^53 - 1)
   |
 8 |   input y: 99999999999999999999x3
   |            ^^^^^^^^^^^^^^^^^^^^^^
  = help: check the dims; each is a size like 3 or 224`,
    );
  });

  it("C++ comment", () => {
    expectDiagnostics(
      "network N {\n  input x: 3x8x8 // the input\n}\n",
      `net.cnn:2:19: error[syntax]: comments start with '#', not '//'
   |
 2 |   input x: 3x8x8 // the input
   |                   ^
  = help: write # before the comment`,
    );
  });
});
