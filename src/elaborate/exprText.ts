// Writes an expression back as source text, for signatures in hints: `basic(ch, stride=1)`.
import type { Expr } from "../../grammar/ast.js";

export function exprText(expr: Expr): string {
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
      return `[${expr.items.map(exprText).join(", ")}]`;
    case "unary":
      return `-${operandText(expr.operand)}`;
    case "binary":
      return `${operandText(expr.left)} ${expr.op} ${operandText(expr.right)}`;
  }
}

function operandText(expr: Expr): string {
  return expr.kind === "binary" ? `(${exprText(expr)})` : exprText(expr);
}
