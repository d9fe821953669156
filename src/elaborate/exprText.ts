// Writes an expression back as source text, for signatures in hints: `basic(ch, stride=1)`.
import type { BinaryExpr, Expr } from "../../grammar/ast.js";
import { binarySpine } from "./binarySpine.js";

/** Longer text is cut: a hint shows a default, not a page of arithmetic. */
const MAX_TEXT_LENGTH = 60;

export function exprText(expr: Expr): string {
  const text = fullText(expr);
  return text.length <= MAX_TEXT_LENGTH ? text : `${text.slice(0, MAX_TEXT_LENGTH - 1)}…`;
}

function fullText(expr: Expr): string {
  switch (expr.kind) {
    case "number":
      return String(expr.value);
    case "dims":
      return expr.values.join("x");
    case "string":
      return JSON.stringify(expr.value);
    case "name":
      return expr.name;
    case "list":
      return `[${expr.items.map(fullText).join(", ")}]`;
    case "unary":
      return `-${expr.operand.kind === "binary" ? `(${fullText(expr.operand)})` : fullText(expr.operand)}`;
    case "binary":
      return binaryText(expr);
  }
}

const PRECEDENCE: Readonly<Record<BinaryExpr["op"], number>> = { "+": 1, "-": 1, "*": 2, "/": 2, "%": 2 };

/**
 * Left-associative operators: the left operand needs parentheses only when it binds more loosely,
 * the right one also when it binds as tightly (`1 - (2 - 3)`).
 */
function binaryText(expr: BinaryExpr): string {
  const { first, links } = binarySpine(expr);
  let text = fullText(first);
  let textPrecedence = Infinity;
  for (const link of links) {
    const precedence = PRECEDENCE[link.op];
    const left = textPrecedence < precedence ? `(${text})` : text;
    const right = link.right.kind === "binary" && PRECEDENCE[link.right.op] <= precedence ? `(${fullText(link.right)})` : fullText(link.right);
    text = `${left} ${link.op} ${right}`;
    textPrecedence = precedence;
  }
  return text;
}
