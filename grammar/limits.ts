// The size limits of the grammar, far beyond real networks. They bound the work of every later stage
// and the depth of everything that walks the AST recursively: the parser itself (brackets and `-`
// signs nest one call deeper each), and the code that walks expressions (a flat `1+1+...` is a tree
// as deep as it is long). Passing one is a located error that names the limit.
import type { Expr, SourceSpan } from "./ast.js";
import { makeDiagnostic, type Diagnostic } from "./diagnostics.js";
import { formatInteger } from "./numberText.js";

/** Brackets, and `-` signs in front of an operand or bracket, nested (see openBrackets.ts). */
export const MAX_NESTING = 100;
/** Terms (numbers, names, dims, strings, list items) in one expression: an argument, a constant's value... */
export const MAX_EXPRESSION_TERMS = 1000;
/** Arguments of one call. */
export const MAX_ARGUMENTS = 1000;

/** How many terms each expression has, recorded as the visitor builds them bottom-up. */
export class TermCounts {
  private readonly counts = new WeakMap<Expr, number>();

  record<T extends Expr>(expr: T, terms: number): T {
    this.counts.set(expr, terms);
    return expr;
  }

  /** A node without a record (a number, a name...) is one term. */
  of(expr: Expr): number {
    return this.counts.get(expr) ?? 1;
  }
}

/** `expression has 2,500 terms, more than the limit of 1,000`, when `count` passes `limit`. */
function overLimit(subject: string, count: number, limit: number, noun: string, span: SourceSpan, hint: string): Diagnostic | undefined {
  if (count <= limit) return undefined;
  return makeDiagnostic("syntax", `${subject} has ${formatInteger(count)} ${noun}, more than the limit of ${formatInteger(limit)}`, span, { hint });
}

export function tooManyTerms(expr: Expr, terms: number): Diagnostic | undefined {
  return overLimit("expression", terms, MAX_EXPRESSION_TERMS, "terms", expr.span, "split it up with constants (`const A = ...`), or compute the value and write it");
}

export function tooManyArguments(count: number, span: SourceSpan): Diagnostic | undefined {
  return overLimit("call", count, MAX_ARGUMENTS, "arguments", span, "a layer or block takes a few arguments; check for a runaway list of values");
}

export function tooDeep(span: SourceSpan): Diagnostic {
  return makeDiagnostic("syntax", `nesting deeper than ${MAX_NESTING} levels`, span, {
    hint: "brackets (and '-' signs in a row) may nest at most this deep; simplify this part",
  });
}
