// What elaborating a statement, a step or a block instance once costs, in the steps that
// MAX_ELABORATION_STEPS bounds (sizeLimits.ts): one, plus one per node of the expressions it evaluates
// itself, plus one per parameter of a block instance (a repetition's body and a block's statements
// are counted as they are elaborated). Expression work is counted too because a block may evaluate
// thousand-term constants in every instance.
import type { BlockDecl, BodyStmt, Expr, Step } from "../../grammar/ast.js";

/** The cost of each item, computed on first use: an item is elaborated many times when repeated. */
const costs = new WeakMap<BodyStmt | Step | BlockDecl, number>();

export function stepCost(item: BodyStmt | Step | BlockDecl): number {
  let cost = costs.get(item);
  if (cost === undefined) {
    cost = 1 + (item.kind === "block" ? item.params.length : 0);
    for (const expr of expressionsOf(item)) cost += expressionSize(expr);
    costs.set(item, cost);
  }
  return cost;
}

function expressionsOf(item: BodyStmt | Step | BlockDecl): Expr[] {
  switch (item.kind) {
    case "const":
      return [item.value];
    case "input":
      return [item.dims];
    case "layer":
    case "outputs":
      return [];
    case "call":
      return item.args.map((arg) => arg.value);
    case "repeat":
      return [item.count];
    case "block":
      // An instance evaluates the defaults of the parameters its call leaves out: at most all of them.
      return item.params.flatMap((param) => (param.default === undefined ? [] : [param.default]));
  }
}

/** Nodes in `expr`, counted with a loop: an expression may be a thousand nodes deep. */
function expressionSize(expr: Expr): number {
  const pending: Expr[] = [expr];
  let size = 0;
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    size += 1;
    if (next.kind === "binary") pending.push(next.left, next.right);
    else if (next.kind === "unary") pending.push(next.operand);
    else if (next.kind === "list") for (const item of next.items) pending.push(item);
  }
  return size;
}
