// Evaluates argument expressions: integer arithmetic stays integral (a division that does not come out
// even is an error rather than a silent truncation), any float makes the result a float. A result that
// a double cannot hold (an integer past 2^53, a float past ~1.8e308) is an error, never a rounded value
// or Infinity. Literals arrive already checked by the parser (grammar/numberLiterals.ts).
import type { BinaryExpr, Expr, SourceSpan } from "../../grammar/ast.js";
import { WHOLE_NUMBER_LIMIT } from "../ir/format.js";
import type { Reporter } from "./reporter.js";
import type { Scope } from "./scope.js";
import { binarySpine } from "./binarySpine.js";
import { type Value, describeValue, withSpan } from "./values.js";
import { KNOWN_WORDS } from "./words.js";

export interface EvalEnv {
  scope: Scope;
  reporter: Reporter;
  /** A named graph value (`add(a, b)`), or undefined when the name is not one. */
  lookupValue(name: string, span: SourceSpan): Value | undefined;
}

export function evaluate(expr: Expr, env: EvalEnv): Value | undefined {
  switch (expr.kind) {
    case "number":
      return expr.isInteger ? { kind: "int", value: expr.value, span: expr.span } : { kind: "float", value: expr.value, span: expr.span };
    case "dims":
      return { kind: "dims", values: expr.values.slice(), span: expr.span };
    case "string":
      return { kind: "string", value: expr.value, span: expr.span };
    case "list": {
      const items: Value[] = [];
      for (const item of expr.items) {
        const value = evaluate(item, env);
        if (value === undefined) return undefined;
        items.push(value);
      }
      return { kind: "list", items, span: expr.span };
    }
    case "name": {
      const binding = env.scope.lookup(expr.name);
      if (binding?.value.kind === "invalid") return undefined;
      if (binding !== undefined) return withSpan(binding.value, expr.span);
      return env.lookupValue(expr.name, expr.span) ?? { kind: "word", name: expr.name, span: expr.span };
    }
    case "unary": {
      const operand = evaluate(expr.operand, env);
      if (operand === undefined) return undefined;
      if (operand.kind !== "int" && operand.kind !== "float") {
        reportNotNumber(operand, env);
        return undefined;
      }
      return { kind: operand.kind, value: -operand.value, span: expr.span };
    }
    case "binary":
      return evaluateBinary(expr, env);
  }
}

/** Along the left spine with a loop (see binarySpine.ts); both sides are evaluated so both report. */
function evaluateBinary(expr: BinaryExpr, env: EvalEnv): Value | undefined {
  const { first, links } = binarySpine(expr);
  let result = evaluate(first, env);
  for (const link of links) {
    const right = evaluate(link.right, env);
    result = result === undefined || right === undefined ? undefined : applyOperator(link, result, right, env);
  }
  return result;
}

function applyOperator(expr: BinaryExpr, left: Value, right: Value, env: EvalEnv): Value | undefined {
  for (const operand of [left, right]) {
    if (operand.kind !== "int" && operand.kind !== "float") {
      reportNotNumber(operand, env);
      return undefined;
    }
  }
  const a = left.kind === "int" || left.kind === "float" ? left.value : 0;
  const b = right.kind === "int" || right.kind === "float" ? right.value : 0;
  const integral = left.kind === "int" && right.kind === "int";
  if ((expr.op === "/" || expr.op === "%") && b === 0) {
    env.reporter.error("division-by-zero", `${describeValue(left)} ${expr.op} 0 divides by zero`, expr.span);
    return undefined;
  }
  let result: number;
  switch (expr.op) {
    case "+":
      result = a + b;
      break;
    case "-":
      result = a - b;
      break;
    case "*":
      result = a * b;
      break;
    case "%":
      result = a % b;
      break;
    case "/":
      if (integral && a % b !== 0) {
        env.reporter.error("inexact-division", `${a} / ${b} = ${Number((a / b).toFixed(2))} is not a whole number`, expr.span, {
          hint: `integer division must come out even; write a float (${a}.0 / ${b}) where a fraction is meant`,
        });
        return undefined;
      }
      result = a / b;
      break;
  }
  if (integral && !Number.isSafeInteger(result)) {
    env.reporter.error("number-too-large", `${a} ${expr.op} ${b} is too large: ${WHOLE_NUMBER_LIMIT}`, expr.span);
    return undefined;
  }
  if (!Number.isFinite(result)) {
    env.reporter.error("number-too-large", `${a} ${expr.op} ${b} is too large to represent: numbers go up to about 1.8e308`, expr.span);
    return undefined;
  }
  return { kind: integral ? "int" : "float", value: result, span: expr.span };
}

/** An undefined name reads as a word; in arithmetic it must have been meant as a constant. */
function reportNotNumber(value: Value, env: { scope: Scope; reporter: Reporter }): void {
  if (value.kind === "word" && !KNOWN_WORDS.has(value.name)) {
    reportUndefinedName(value.name, value.span, env);
    return;
  }
  env.reporter.error("wrong-argument-type", `arithmetic needs numbers, got ${describeValue(value)}`, value.span);
}

export function reportUndefinedName(name: string, span: SourceSpan, env: { scope: Scope; reporter: Reporter }, extraCandidates: Iterable<string> = []): void {
  env.reporter.error("undefined-name", `\`${name}\` is not defined`, span, {
    hint: () => {
      const suggestion = env.reporter.closestName(name, env.scope.names(), extraCandidates);
      return suggestion !== undefined ? `did you mean \`${suggestion}\`?` : `define it first, e.g. \`const ${name} = ...\``;
    },
  });
}
