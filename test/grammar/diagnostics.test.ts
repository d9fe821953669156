// Golden tests: the full text the user sees (formatDiagnostics with the source) for every kind of
// lexical and syntax diagnostic the grammar produces.
import { describe, expect, it } from "vitest";
import { formatDiagnostics } from "../../grammar/diagnostics.js";
import { parseProgram } from "../../grammar/parse.js";

function expectDiagnostics(text: string, expected: string): void {
  const { diagnostics } = parseProgram(text, "net.cnn");
  expect(formatDiagnostics(diagnostics, new Map([["net.cnn", text]]))).toBe(expected);
}

describe("syntax and lexical diagnostics, as printed", () => {
  it("missing ')' before the next step", () => {
    expectDiagnostics(
      "network N {\n  input image: 1x28x28\n  c1 = conv(6, kernel=5 -> tanh\n}\n",
      `net.cnn:3:25: error[syntax]: expected ')' to close the arguments of conv(
   |
 3 |   c1 = conv(6, kernel=5 -> tanh
   |                         ^^
  = help: add ')' before '->'`,
    );
  });

  it("missing ')' at the end of a line", () => {
    expectDiagnostics(
      "network N {\n  input image: 1x28x28\n  c1 = conv(6, kernel=5\n  c2 = relu\n}\n",
      `net.cnn:3:24: error[syntax]: expected ')' to close the arguments of conv(
   |
 3 |   c1 = conv(6, kernel=5
   |                        ^
  = help: add ')' at the end of line 3`,
    );
  });

  it("missing '}' at the end of the file", () => {
    expectDiagnostics(
      "# LeNet-5\nnetwork LeNet5 {\n  input image: 1x32x32\n  c1 = conv(6, kernel=5) -> tanh\n  out = fc(10) -> softmax\n",
      `net.cnn:5:26: error[syntax]: missing '}' to close network LeNet5 opened at 2:1
   |
 5 |   out = fc(10) -> softmax
   |                          ^
  = help: add '}' after the last statement`,
    );
  });

  it("missing '}' before the next declaration", () => {
    expectDiagnostics(
      "network A {\n  input x: 3x8x8\n  relu\n\nnetwork B {\n  input y: 3x8x8\n}\n",
      `net.cnn:3:7: error[syntax]: missing '}' to close network A opened at 1:1
   |
 3 |   relu
   |       ^
  = help: add '}' after the last statement`,
    );
  });

  it("end of file inside arguments", () => {
    expectDiagnostics(
      "network N {\n  input x: 3x8x8\n  conv(6,",
      `net.cnn:3:10: error[syntax]: expected a value, found the end of the file
   |
 3 |   conv(6,
   |          ^
  = help: a value is a number, dims like 3x3, a name, a list [a, b] or a string

net.cnn:3:10: error[syntax]: missing ')' to close the arguments of conv( opened at 3:3
   |
 3 |   conv(6,
   |          ^
  = help: add ')'

net.cnn:3:10: error[syntax]: missing '}' to close network N opened at 1:1
   |
 3 |   conv(6,
   |          ^
  = help: add '}' after the last statement`,
    );
  });

  it("missing '=' in a named argument", () => {
    expectDiagnostics(
      "network N {\n  input x: 3x8x8\n  conv(6, kernel 5)\n}\n",
      `net.cnn:3:11: error[syntax]: missing '=' between the argument name 'kernel' and its value
   |
 3 |   conv(6, kernel 5)
   |           ^^^^^^^^
  = help: write kernel=5`,
    );
  });

  it("missing ',' between arguments", () => {
    expectDiagnostics(
      "network N {\n  input x: 3x8x8\n  conv(6 5)\n}\n",
      `net.cnn:3:10: error[syntax]: missing ',' between arguments
   |
 3 |   conv(6 5)
   |          ^
  = help: separate arguments with ','`,
    );
  });

  it("missing ',' in a list", () => {
    expectDiagnostics(
      "network N {\n  input x: 3x8x8\n  conv(6, 3, pad=[1 1, 0, 0])\n}\n",
      `net.cnn:3:21: error[syntax]: missing ',' between list items
   |
 3 |   conv(6, 3, pad=[1 1, 0, 0])
   |                     ^
  = help: separate list items with ','`,
    );
  });

  it("trailing comma", () => {
    expectDiagnostics(
      "network N {\n  input x: 3x8x8\n  conv(6, 3,)\n}\n",
      `net.cnn:3:12: error[syntax]: expected a value after ',', found ')'
   |
 3 |   conv(6, 3,)
   |            ^
  = help: remove the trailing ','`,
    );
  });

  it("missing value after name=", () => {
    expectDiagnostics(
      "network N {\n  input x: 3x8x8\n  conv(6, kernel=)\n}\n",
      `net.cnn:3:18: error[syntax]: expected a value after 'kernel=', found ')'
   |
 3 |   conv(6, kernel=)
   |                  ^
  = help: give kernel a value, or remove the argument`,
    );
  });

  it("'=' without an argument name", () => {
    expectDiagnostics(
      "network N {\n  input x: 3x8x8\n  conv(6, =3)\n}\n",
      `net.cnn:3:11: error[syntax]: expected an argument name before '='
   |
 3 |   conv(6, =3)
   |           ^
  = help: named arguments are written name=value, e.g. kernel=3`,
    );
  });

  it("positional argument after a named one", () => {
    expectDiagnostics(
      "network N {\n  input x: 3x8x8\n  conv(filters=6, 3)\n}\n",
      `net.cnn:3:19: error[syntax]: positional argument after a named argument
   |
 3 |   conv(filters=6, 3)
   |                   ^
  = help: put positional arguments before named ones (here before 'filters='), or give this one its name`,
    );
  });

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
      "network N {\n  input x: 3x8x8\n  conv(6, 3) -> relu @@\n}\n",
      `net.cnn:3:22: error[lex]: unexpected characters '@@'
   |
 3 |   conv(6, 3) -> relu @@
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

  it("stray token after a chain", () => {
    expectDiagnostics(
      "network N {\n  input x: 3x8x8\n  c1 = conv(6, 3) 5\n}\n",
      `net.cnn:3:19: error[syntax]: expected '->' or a new statement, found '5'
   |
 3 |   c1 = conv(6, 3) 5
   |                   ^
  = help: connect layers with '->' (conv(6, 5) -> relu), or start a new statement (name = layer(...))`,
    );
  });

  it("dangling '->' before the next statement", () => {
    expectDiagnostics(
      "network N {\n  input x: 3x8x8\n  c1 = conv(6, 3) ->\n  c2 = relu\n}\n",
      `net.cnn:3:21: error[syntax]: expected a layer after '->'
   |
 3 |   c1 = conv(6, 3) ->
   |                     ^
  = help: remove the '->' at the end of the chain, or add the layer it leads to before 'c2 ='`,
    );
  });

  it("doubled '->'", () => {
    expectDiagnostics(
      "network N {\n  input x: 3x8x8\n  conv(6, 3) -> -> relu\n}\n",
      `net.cnn:3:17: error[syntax]: expected a layer after '->', found '->'
   |
 3 |   conv(6, 3) -> -> relu
   |                 ^^
  = help: remove the extra '->'`,
    );
  });

  it("misspelt declaration keyword", () => {
    expectDiagnostics(
      "netwrk N {\n  input x: 3x8x8\n}\n",
      `net.cnn:1:1: error[syntax]: unexpected 'netwrk' at the top level
   |
 1 | netwrk N {
   | ^^^^^^
  = help: did you mean 'network'?`,
    );
  });

  it("misspelt input keyword", () => {
    expectDiagnostics(
      "network N {\n  inptu x: 3x8x8\n}\n",
      `net.cnn:2:10: error[syntax]: unexpected ':' after 'inptu x'
   |
 2 |   inptu x: 3x8x8
   |          ^
  = help: inputs are declared as 'input x: DIMS'`,
    );
  });

  it("unmatched '}'", () => {
    expectDiagnostics(
      "network N {\n  input x: 3x8x8\n}\n}\n",
      `net.cnn:4:1: error[syntax]: unmatched '}'
   |
 4 | }
   | ^
  = help: remove it, or check the bracket it was meant to close`,
    );
  });

  it("unmatched ')'", () => {
    expectDiagnostics(
      "network N {\n  input x: 3x8x8\n  conv(6, 3)) -> relu\n}\n",
      `net.cnn:3:13: error[syntax]: unmatched ')'
   |
 3 |   conv(6, 3)) -> relu
   |             ^
  = help: remove it, or check the bracket it was meant to close`,
    );
  });

  it("missing network name", () => {
    expectDiagnostics(
      "network {\n  input x: 3x8x8\n}\n",
      `net.cnn:1:9: error[syntax]: expected the network's name after 'network', found '{'
   |
 1 | network {
   |         ^
  = help: e.g. network LeNet5 { ... }`,
    );
  });

  it("keyword used as a name", () => {
    expectDiagnostics(
      "network N {\n  input in: 3x8x8\n}\n",
      `net.cnn:2:9: error[syntax]: expected the input's name after 'input', found the keyword 'in'
   |
 2 |   input in: 3x8x8
   |         ^^
  = help: 'in' is a reserved word; choose another name`,
    );
  });

  it("missing ':' after the input name", () => {
    expectDiagnostics(
      "network N {\n  input image 1x28x28\n}\n",
      `net.cnn:2:15: error[syntax]: expected ':' after the input name, found '1x28x28'
   |
 2 |   input image 1x28x28
   |               ^^^^^^^
  = help: write input image: 1x28x28`,
    );
  });

  it("missing input dims", () => {
    expectDiagnostics(
      "network N {\n  input image: ;\n}\n",
      `net.cnn:2:16: error[syntax]: expected the input's dims after ':', found ';'
   |
 2 |   input image: ;
   |                ^
  = help: e.g. input image: 1x28x28 (channels x height x width)`,
    );
  });

  it("missing '{' after the network name", () => {
    expectDiagnostics(
      "network N\n  input x: 3x8x8\n}\n",
      `net.cnn:1:10: error[syntax]: expected '{' to open the network's body, found the keyword 'input'
   |
 1 | network N
   |          ^
  = help: add '{'`,
    );
  });

  it("missing '=' in a constant", () => {
    expectDiagnostics(
      "const WIDTH 64\n",
      `net.cnn:1:13: error[syntax]: expected '=' after 'WIDTH', found '64'
   |
 1 | const WIDTH 64
   |             ^^
  = help: write const WIDTH = ...`,
    );
  });

  it("missing '=' in the train section", () => {
    expectDiagnostics(
      "train {\n  lr 0.01\n}\n",
      `net.cnn:2:6: error[syntax]: expected '=' after 'lr', found '0.01'
   |
 2 |   lr 0.01
   |      ^^^^
  = help: write lr = ...`,
    );
  });

  it("bad train setting", () => {
    expectDiagnostics(
      "train {\n  lr = 0.01\n  5\n}\n",
      `net.cnn:3:3: error[syntax]: expected a setting or '}' in the train section, found '5'
   |
 3 |   5
   |   ^
  = help: settings look like \`lr = 0.01\``,
    );
  });

  it("missing ']' of a repetition", () => {
    expectDiagnostics(
      "network N {\n  input x: 3x8x8\n  [conv(6, 3) -> relu * 2\n}\n",
      `net.cnn:3:23: error[syntax]: expected ']' to close the repetition
   |
 3 |   [conv(6, 3) -> relu * 2
   |                       ^
  = help: add ']' before '*'`,
    );
  });

  it("missing '* N' after a repetition", () => {
    expectDiagnostics(
      "network N {\n  input x: 3x8x8\n  [conv(6, 3) -> relu] -> maxpool(2)\n}\n",
      `net.cnn:3:24: error[syntax]: expected '*' and a repeat count after the repetition's ']', found '->'
   |
 3 |   [conv(6, 3) -> relu] -> maxpool(2)
   |                        ^^
  = help: write [ ... ] * 2 to repeat a chain twice`,
    );
  });

  it("missing repeat count", () => {
    expectDiagnostics(
      "network N {\n  input x: 3x8x8\n  [conv(6, 3) -> relu] *\n}\n",
      `net.cnn:3:25: error[syntax]: expected the repeat count after '*', found '}'
   |
 3 |   [conv(6, 3) -> relu] *
   |                         ^
  = help: e.g. [conv(64, 3, pad=1) -> relu] * 2`,
    );
  });

  it("missing path after use", () => {
    expectDiagnostics(
      "use blocks\n",
      `net.cnn:1:5: error[syntax]: expected a quoted file path after 'use', found 'blocks'
   |
 1 | use blocks
   |     ^^^^^^
  = help: e.g. use "blocks/resnet.cnn"`,
    );
  });

  it("bad part in an alias", () => {
    expectDiagnostics(
      "network N {\n  input x: 3x8x8\n  conv(6, 3) as layer.1e3\n}\n",
      `net.cnn:3:23: error[syntax]: '1e3' is not a valid part of a layer name
   |
 3 |   conv(6, 3) as layer.1e3
   |                       ^^^
  = help: layer names after 'as' are names and whole numbers separated by '.', e.g. \`as layer1.0.conv1\``,
    );
  });

  it("a '-' before each of many brackets counts towards the nesting", () => {
    const line = `const A = ${"--(".repeat(34)}1${")".repeat(34)}`;
    expectDiagnostics(
      `${line}\n`,
      `net.cnn:1:111: error[syntax]: nesting deeper than 100 levels
   |
 1 | …-(${"--(".repeat(21)}1${")".repeat(34)}
   |  ${" ".repeat(63)}^
  = help: brackets (and '-' signs in a row) may nest at most this deep; simplify this part`,
    );
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

  it("alias names may start with any letter, e included", () => {
    const { diagnostics } = parseProgram("network N {\n  input x: 3x8x8\n  conv(4, 1) as expand1x1 -> relu as encoder.0 -> conv(4, 1) as embedding.E1.e\n}\n", "net.cnn");
    expect(diagnostics).toEqual([]);
  });

  it("a number with an exponent in an alias", () => {
    expectDiagnostics(
      "network N {\n  input x: 3x8x8\n  conv(6, 3) as encoder.0.5E2\n}\n",
      `net.cnn:3:25: error[syntax]: '0.5E2' is not a valid part of a layer name
   |
 3 |   conv(6, 3) as encoder.0.5E2
   |                         ^^^^^
  = help: layer names after 'as' are names and whole numbers separated by '.', e.g. \`as layer1.0.conv1\``,
    );
  });

  it("missing alias after 'as'", () => {
    expectDiagnostics(
      "network N {\n  input x: 3x8x8\n  conv(6, 3) as -> relu\n}\n",
      `net.cnn:3:17: error[syntax]: expected a layer name after 'as', found '->'
   |
 3 |   conv(6, 3) as -> relu
   |                 ^^
  = help: e.g. conv(64, 3) as conv1`,
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

  it("missing parameter name", () => {
    expectDiagnostics(
      "block b(ch, ) {\n  conv(ch, 3)\n}\n",
      `net.cnn:1:13: error[syntax]: expected a parameter name, found ')'
   |
 1 | block b(ch, ) {
   |             ^
  = help: e.g. block basic(ch, stride=1) { ... }`,
    );
  });

  it("missing ')' of block parameters", () => {
    expectDiagnostics(
      "block b(ch, stride=1 {\n  conv(ch, 3)\n}\n",
      `net.cnn:1:22: error[syntax]: expected ')' to close the parameters of block b
   |
 1 | block b(ch, stride=1 {
   |                      ^
  = help: add ')' before '{'`,
    );
  });

  it("reserved word as a statement name", () => {
    expectDiagnostics(
      "network N {\n  input x: 3x8x8\n  in = conv(6, 3)\n}\n",
      `net.cnn:3:3: error[syntax]: 'in' is a reserved word and cannot be used as a name
   |
 3 |   in = conv(6, 3)
   |   ^^
  = help: choose another name`,
    );
  });

  it("reserved word as a train key", () => {
    expectDiagnostics(
      "train {\n  use = 3\n}\n",
      `net.cnn:2:3: error[syntax]: 'use' is a reserved word and cannot be used as a name
   |
 2 |   use = 3
   |   ^^^
  = help: choose another name`,
    );
  });

  it("stray closing bracket in a chain", () => {
    expectDiagnostics(
      "network N {\n  input x: 3x8x8\n  conv(6, 3)] -> relu\n}\n",
      `net.cnn:3:13: error[syntax]: unmatched ']'
   |
 3 |   conv(6, 3)] -> relu
   |             ^
  = help: remove it, or check the bracket it was meant to close`,
    );
  });

  it("many unclosed brackets at the end of the file", () => {
    expectDiagnostics(
      "network N {\n  input x: 3x8x8\n  [[conv(6, [[[1",
      `net.cnn:3:17: error[syntax]: missing ']' to close the list opened at 3:15
   |
 3 |   [[conv(6, [[[1
   |                 ^
  = help: add ']'

net.cnn:3:17: error[syntax]: missing ']' to close the list opened at 3:14
   |
 3 |   [[conv(6, [[[1
   |                 ^
  = help: add ']'

net.cnn:3:17: error[syntax]: missing ']' to close the list opened at 3:13
   |
 3 |   [[conv(6, [[[1
   |                 ^
  = help: add ']'

net.cnn:3:17: error[syntax]: missing ')' to close the arguments of conv( opened at 3:5
   |
 3 |   [[conv(6, [[[1
   |                 ^
  = help: add ')'

net.cnn:3:17: error[syntax]: missing '}' to close network N opened at 1:1
   |
 3 |   [[conv(6, [[[1
   |                 ^
  = note: 2 more brackets are still open between this one and the ones above
  = help: add '}' after the last statement`,
    );
  });

  it("nesting too deep", () => {
    const line = `const A = ${"(".repeat(101)}1${")".repeat(101)}`;
    expectDiagnostics(
      `${line}\n`,
      // The 213-character line is cut to 100 characters around the caret.
      `net.cnn:1:111: error[syntax]: nesting deeper than 100 levels
   |
 1 | …${"(".repeat(41)}1${")".repeat(58)}…
   |  ${" ".repeat(40)}^
  = help: brackets (and '-' signs in a row) may nest at most this deep; simplify this part`,
    );
  });

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
