// `a + b + c + ...` parses into a left-deep tree as deep as the expression is long. Code that walks
// expressions follows this spine with a loop, so that a long flat expression cannot exhaust the stack
// (the parser bounds everything else: terms per expression and nesting of brackets and signs).
import type { BinaryExpr, Expr } from "../../grammar/ast.js";

/** The leftmost operand, and the binary nodes from the innermost (`a + b`) to `expr` itself. */
export function binarySpine(expr: BinaryExpr): { first: Expr; links: BinaryExpr[] } {
  const links: BinaryExpr[] = [];
  let first: Expr = expr;
  while (first.kind === "binary") {
    links.push(first);
    first = first.left;
  }
  return { first, links: links.reverse() };
}
