// CST → AST for expressions (arguments, constants, counts, dims), and the helpers every rule of the
// visitor uses. ExpressionVisitor is the base of AstBuilder (visitor.ts), which adds the declarations
// and statements; one visitor class still implements every grammar rule, as Chevrotain checks. Each
// expression records how many terms it has, so that `bounded` can refuse one past the limit (later
// stages walk expressions recursively).
import type { CstChildrenDictionary, CstNode, CstNodeLocation, IToken } from "chevrotain";
import type { Expr, SourceSpan } from "./ast.js";
import { anyTokens, childNode, childNodes, realToken } from "./cstAccess.js";
import { makeDiagnostic, type Diagnostic } from "./diagnostics.js";
import { TermCounts, tooManyTerms } from "./limits.js";
import { readDimsLiteral, readNumberLiteral } from "./numberLiterals.js";
import { createParser } from "./parser.js";
import { joinSpans, locationSpan, tokenSpan } from "./spans.js";
import { decodeString } from "./strings.js";

export type Children = CstChildrenDictionary;
export type Location = CstNodeLocation | undefined;

const BaseCnnVisitor = createParser().getBaseCstVisitorConstructor<Location, unknown>();

function present<T>(value: T | undefined): value is T {
  return value !== undefined;
}

export class ExpressionVisitor extends BaseCnnVisitor {
  /** Problems the grammar cannot express (argument order, alias parts, number ranges, sizes). */
  readonly diagnostics: Diagnostic[] = [];
  private readonly terms = new TermCounts();

  constructor(protected readonly file: string) {
    super();
  }

  // ------------------------------------------------------------ helpers

  protected build<T>(node: CstNode | undefined): T | undefined {
    if (node === undefined) return undefined;
    return this.visit(node, node.location) as T | undefined;
  }

  protected buildAll<T>(nodes: CstNode[]): T[] {
    return nodes.map((node) => this.build<T>(node)).filter(present);
  }

  protected span(location: Location): SourceSpan | undefined {
    return locationSpan(location, this.file);
  }

  protected tokenSpan(token: IToken): SourceSpan {
    return tokenSpan(token, this.file);
  }

  /** A whole expression (an argument, a constant's value, ...): one with too many terms is left out. */
  protected bounded(node: CstNode | undefined): Expr | undefined {
    const expr = this.build<Expr>(node);
    const problem = expr === undefined ? undefined : tooManyTerms(expr, this.terms.of(expr));
    if (problem === undefined) return expr;
    this.diagnostics.push(problem);
    return undefined;
  }

  // ------------------------------------------------------------ expressions

  expression(children: Children): Expr | undefined {
    return this.foldBinary(children);
  }

  multiplicative(children: Children): Expr | undefined {
    return this.foldBinary(children);
  }

  /** `a op b op c` → ((a op b) op c): all our operators are left-associative. */
  private foldBinary(children: Children): Expr | undefined {
    const operands = childNodes(children, "operands");
    const operators = anyTokens(children, "operators");
    let result = this.build<Expr>(operands[0]);
    let terms = result === undefined ? 0 : this.terms.of(result);
    for (let i = 0; i < operators.length && result !== undefined; i++) {
      const right = this.build<Expr>(operands[i + 1]);
      const op = operators[i]!.image || operatorOfTokenType(operators[i]!);
      if (right === undefined || !isBinaryOperator(op)) break;
      terms += this.terms.of(right);
      result = { kind: "binary", op, left: result, right, span: joinSpans(result.span, right.span) };
    }
    return result === undefined ? undefined : this.terms.record(result, terms);
  }

  unary(children: Children, location: Location): Expr | undefined {
    const operand = this.build<Expr>(childNode(children, "operand"));
    if (anyTokens(children, "Minus").length === 0) return operand;
    const span = this.span(location);
    if (operand === undefined || span === undefined) return undefined;
    return this.terms.record({ kind: "unary", op: "-", operand, span }, this.terms.of(operand));
  }

  atom(children: Children): Expr | undefined {
    const nested = childNode(children, "parenthesized") ?? childNode(children, "list");
    if (nested !== undefined) return this.build<Expr>(nested);
    const number = realToken(children, "NumberLiteral");
    if (number !== undefined) {
      const reading = readNumberLiteral(number.image);
      if (!reading.ok) return this.rejectLiteral(reading, number);
      return { kind: "number", value: reading.value.value, isInteger: reading.value.isInteger, span: this.tokenSpan(number) };
    }
    const dims = realToken(children, "Dims");
    if (dims !== undefined) {
      const reading = readDimsLiteral(dims.image);
      if (!reading.ok) return this.rejectLiteral(reading, dims);
      return { kind: "dims", values: reading.value, span: this.tokenSpan(dims) };
    }
    const string = realToken(children, "StringLiteral");
    if (string !== undefined) return { kind: "string", value: decodeString(string.image).value, span: this.tokenSpan(string) };
    const name = realToken(children, "Identifier") ?? realToken(children, "In");
    if (name !== undefined) return { kind: "name", name: name.image, span: this.tokenSpan(name) };
    return undefined;
  }

  private rejectLiteral(problem: { code: string; message: string; hint: string }, token: IToken): undefined {
    this.diagnostics.push(makeDiagnostic(problem.code, problem.message, this.tokenSpan(token), { hint: problem.hint }));
    return undefined;
  }

  /** `(expr)`: the inner expression, with its span widened to include the parentheses. */
  parenthesized(children: Children, location: Location): Expr | undefined {
    const inner = this.build<Expr>(childNode(children, "inner"));
    const span = this.span(location);
    if (inner === undefined || span === undefined) return undefined;
    return this.terms.record({ ...inner, span }, this.terms.of(inner));
  }

  list(children: Children, location: Location): Expr | undefined {
    const span = this.span(location);
    if (span === undefined) return undefined;
    const items = this.buildAll<Expr>(childNodes(children, "items"));
    const terms = items.reduce((total, item) => total + this.terms.of(item), 0);
    return this.terms.record({ kind: "list", items, span }, Math.max(1, terms));
  }
}

type BinaryOperator = "+" | "-" | "*" | "/" | "%";

function isBinaryOperator(op: string): op is BinaryOperator {
  return op === "+" || op === "-" || op === "*" || op === "/" || op === "%";
}

/** An operator token inserted by recovery has an empty image; its type still says which it is. */
function operatorOfTokenType(token: IToken): string {
  const byName: Record<string, BinaryOperator> = { Plus: "+", Minus: "-", Star: "*", Slash: "/", Percent: "%" };
  return byName[token.tokenType.name] ?? "";
}
