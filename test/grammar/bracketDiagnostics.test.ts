// Golden tests, as printed: brackets that are missing, unmatched or nested too deep.
import { describe, it } from "vitest";
import { expectDiagnostics } from "./printedDiagnostics.js";

describe("syntax diagnostics: brackets", () => {
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
});
