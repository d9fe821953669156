// Golden tests, as printed: mistakes in declarations, statements, chains, repetitions, aliases and
// the train section.
import { describe, expect, it } from "vitest";
import { parseProgram } from "../../grammar/parse.js";
import { expectDiagnostics } from "./printedDiagnostics.js";

describe("syntax diagnostics: declarations and statements", () => {
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
});
