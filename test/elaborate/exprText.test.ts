import { describe, expect, it } from "vitest";
import type { Expr } from "../../grammar/ast.js";
import { parseProgram } from "../../grammar/parse.js";
import { exprText } from "../../src/elaborate/exprText.js";

function constantValue(expression: string): Expr {
  const item = parseProgram(`const A = ${expression}\n`, "t.cnn").program.items[0];
  if (item?.kind !== "const") throw new Error(`not a constant: ${expression}`);
  return item.value;
}

describe("exprText", () => {
  it("writes expressions back with the parentheses they need", () => {
    for (const [written, expected] of [
      ["ch / 4", "ch / 4"],
      ["1 + 2 + 3 - 4", "1 + 2 + 3 - 4"],
      ["(1 + 2) * 3", "(1 + 2) * 3"],
      ["1 + 2 * 3", "1 + 2 * 3"],
      ["1 - (2 - 3)", "1 - (2 - 3)"],
      ["-(K - 1) / 2", "-(K - 1) / 2"],
      ["[1, 2x2, \"a\", same]", '[1, 2x2, "a", same]'],
    ]) {
      expect(exprText(constantValue(written!)), written).toBe(expected);
    }
  });

  it("cuts a long expression, however long", () => {
    const text = exprText(constantValue(Array.from({ length: 1000 }, () => "1").join(" + ")));
    expect(text).toBe(`${"1 + ".repeat(14)}1 +…`);
  });
});
