// `outputs a, b`: the statement naming a network's outputs, its AST and spans, and its syntax errors.
import { describe, expect, it } from "vitest";
import { parseProgram } from "../../grammar/parse.js";
import { bare, named, parseBody } from "./astBuilders.js";
import { expectDiagnostics } from "./printedDiagnostics.js";

describe("outputs statement", () => {
  it("lists names in order", () => {
    expect(parseBody("  input x: 3x8x8\n  a = relu\n  b = x -> tanh\n  outputs a, b")).toEqual([
      { kind: "input", name: "x", dims: { kind: "dims", values: [3, 8, 8] } },
      named("a", bare("relu")),
      named("b", bare("x"), bare("tanh")),
      { kind: "outputs", names: [{ name: "a" }, { name: "b" }] },
    ]);
  });

  it("takes one name, and shares a line with ';'", () => {
    expect(parseBody("  input x: 3x8x8; a = relu; outputs a").at(-1)).toEqual({ kind: "outputs", names: [{ name: "a" }] });
  });

  it("spans the keyword and the names; each name has its own span", () => {
    const { program } = parseProgram("network N {\n  input x: 3x8x8\n  a = relu\n  outputs a,  b\n}\n", "t.cnn");
    const network = program.items[0];
    if (network?.kind !== "network") throw new Error("expected a network");
    const outputs = network.body.at(-1);
    if (outputs?.kind !== "outputs") throw new Error("expected an outputs statement");
    expect([outputs.span.startLine, outputs.span.startColumn, outputs.span.endColumn]).toEqual([4, 3, 15]);
    expect(outputs.names.map((each) => [each.name, each.span.startColumn, each.span.endColumn])).toEqual([
      ["a", 11, 11],
      ["b", 15, 15],
    ]);
  });

  it("is a keyword: `outputs` is no longer a name, `output` and `outputs2` still are", () => {
    expect(parseBody("  input x: 3x8x8\n  output = relu\n  outputs2 = output -> tanh").map((stmt) => ("name" in stmt ? stmt.name : undefined))).toEqual([
      "x",
      "output",
      "outputs2",
    ]);
    expectDiagnostics(
      "network N {\n  input x: 3x8x8\n  outputs = conv(6, 3)\n}\n",
      `net.cnn:3:3: error[syntax]: 'outputs' is a reserved word and cannot be used as a name
   |
 3 |   outputs = conv(6, 3)
   |   ^^^^^^^
  = help: choose another name`,
    );
  });

  it("needs a name after the keyword and after each ','", () => {
    expectDiagnostics(
      "network N {\n  input x: 3x8x8\n  a = relu\n  outputs a,\n}\n",
      `net.cnn:4:13: error[syntax]: expected a value's name after 'outputs', found '}'
   |
 4 |   outputs a,
   |             ^
  = help: e.g. outputs boxes, scores`,
    );
    expectDiagnostics(
      "network N {\n  input x: 3x8x8\n  outputs\n}\n",
      `net.cnn:3:10: error[syntax]: expected a value's name after 'outputs', found '}'
   |
 3 |   outputs
   |          ^
  = help: e.g. outputs boxes, scores`,
    );
  });
});
