// Span-free AST builders and a span stripper, so that parser tests read like the source they parse.
import type { Argument, CallStep, Chain, Expr, RepeatStep, Step } from "../../grammar/ast.js";
import { parseProgram } from "../../grammar/parse.js";

type Unspanned<T> = T extends (infer U)[]
  ? Unspanned<U>[]
  : T extends object
    ? { [K in keyof T as K extends "span" | `${string}Span` ? never : K]: Unspanned<T[K]> }
    : T;

/** Deep copy without `span`, `nameSpan`, `calleeSpan`, `aliasSpan`, `keySpan`. */
export function stripSpans<T>(value: T): Unspanned<T> {
  if (Array.isArray(value)) return value.map((item: unknown) => stripSpans(item)) as Unspanned<T>;
  if (typeof value !== "object" || value === null) return value as Unspanned<T>;
  const result: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (key === "span" || key.endsWith("Span")) continue;
    result[key] = stripSpans(field);
  }
  return result as Unspanned<T>;
}

/** Parses a source that must be valid and returns its items without spans. */
export function parseClean(text: string) {
  const { program, diagnostics } = parseProgram(text, "test.cnn");
  if (diagnostics.length > 0) throw new Error(`unexpected diagnostics: ${diagnostics.map((d) => d.message).join("; ")}`);
  return stripSpans(program.items);
}

/** The body statements of `network N { <body> }`, without spans. */
export function parseBody(body: string) {
  const items = parseClean(`network N {\n${body}\n}`);
  const network = items[0];
  if (network?.kind !== "network") throw new Error("expected a network");
  return network.body;
}

export const num = (value: number): Unspanned<Expr> => ({ kind: "number", value, isInteger: Number.isInteger(value) });
export const float = (value: number): Unspanned<Expr> => ({ kind: "number", value, isInteger: false });
export const dims = (...values: number[]): Unspanned<Expr> => ({ kind: "dims", values });
export const name = (identifier: string): Unspanned<Expr> => ({ kind: "name", name: identifier });
export const str = (value: string): Unspanned<Expr> => ({ kind: "string", value });
export const list = (...items: Unspanned<Expr>[]): Unspanned<Expr> => ({ kind: "list", items });
export const neg = (operand: Unspanned<Expr>): Unspanned<Expr> => ({ kind: "unary", op: "-", operand });
export const bin = (left: Unspanned<Expr>, op: "+" | "-" | "*" | "/" | "%", right: Unspanned<Expr>): Unspanned<Expr> => ({
  kind: "binary",
  op,
  left,
  right,
});

export const pos = (value: Unspanned<Expr>): Unspanned<Argument> => ({ value });
export const arg = (argName: string, value: Unspanned<Expr>): Unspanned<Argument> => ({ name: argName, value });

/** `callee(args)`; `bare("relu")` for a step without parentheses. */
export function call(callee: string, args: Unspanned<Argument>[] = [], alias?: string): Unspanned<CallStep> {
  const step: Unspanned<CallStep> = { kind: "call", callee, args, hasParens: true };
  if (alias !== undefined) step.alias = alias;
  return step;
}
export function bare(callee: string, alias?: string): Unspanned<CallStep> {
  const step: Unspanned<CallStep> = { kind: "call", callee, args: [], hasParens: false };
  if (alias !== undefined) step.alias = alias;
  return step;
}
export const chain = (...steps: Unspanned<Step>[]): Unspanned<Chain> => ({ steps });
export const repeat = (body: Unspanned<Chain>, count: Unspanned<Expr>): Unspanned<RepeatStep> => ({ kind: "repeat", body, count });
export const named = (statementName: string, ...steps: Unspanned<Step>[]) => ({ kind: "layer" as const, name: statementName, chain: chain(...steps) });
export const unnamed = (...steps: Unspanned<Step>[]) => ({ kind: "layer" as const, chain: chain(...steps) });
