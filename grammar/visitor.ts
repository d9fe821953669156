// CST → AST. One method per grammar rule (Chevrotain's visitor checks that none is missing). Each
// method receives the rule's children and, as the visitor parameter, the node's location, from which
// the AST spans come. After error recovery any child may be missing: a node whose essential parts
// (a name, a value) are missing is left out of the AST; the syntax diagnostics say what is wrong.
// The visitor also enforces what the grammar cannot: argument order, alias parts, numbers that can be
// represented, and the size of expressions (which later stages walk recursively).
import type { CstChildrenDictionary, CstNode, CstNodeLocation, IToken } from "chevrotain";
import type {
  Argument,
  BlockDecl,
  BlockParam,
  BodyStmt,
  CallStep,
  Chain,
  ConstStmt,
  Expr,
  InputStmt,
  LayerStmt,
  NetworkDecl,
  Program,
  RepeatStep,
  SourceSpan,
  Step,
  TopLevel,
  TrainDecl,
  TrainSetting,
  UseDecl,
} from "./ast.js";
import { makeDiagnostic, type Diagnostic } from "./diagnostics.js";
import { anyTokens, childNode, childNodes, realToken, realTokens } from "./cstAccess.js";
import { createParser } from "./parser.js";
import { joinSpans, locationSpan, tokenSpan } from "./spans.js";
import { decodeString } from "./strings.js";
import { readDimsLiteral, readNumberLiteral } from "./numberLiterals.js";
import { NumberLiteral } from "./tokens.js";
import { TermCounts, tooManyArguments, tooManyTerms } from "./limits.js";

type Children = CstChildrenDictionary;
type Location = CstNodeLocation | undefined;

const BaseCnnVisitor = createParser().getBaseCstVisitorConstructor<Location, unknown>();

function present<T>(value: T | undefined): value is T {
  return value !== undefined;
}

export class AstBuilder extends BaseCnnVisitor {
  /** Problems the grammar cannot express (argument order, alias parts, number ranges, sizes). */
  readonly diagnostics: Diagnostic[] = [];
  private readonly terms = new TermCounts();

  constructor(private readonly file: string) {
    super();
    this.validateVisitor();
  }

  // ------------------------------------------------------------ helpers

  private build<T>(node: CstNode | undefined): T | undefined {
    if (node === undefined) return undefined;
    return this.visit(node, node.location) as T | undefined;
  }

  private buildAll<T>(nodes: CstNode[]): T[] {
    return nodes.map((node) => this.build<T>(node)).filter(present);
  }

  private span(location: Location): SourceSpan | undefined {
    return locationSpan(location, this.file);
  }

  private tokenSpan(token: IToken): SourceSpan {
    return tokenSpan(token, this.file);
  }

  /** A whole expression (an argument, a constant's value, ...): one with too many terms is left out. */
  private bounded(node: CstNode | undefined): Expr | undefined {
    const expr = this.build<Expr>(node);
    const problem = expr === undefined ? undefined : tooManyTerms(expr, this.terms.of(expr));
    if (problem === undefined) return expr;
    this.diagnostics.push(problem);
    return undefined;
  }

  // ------------------------------------------------------------ top level

  program(children: Children): Program {
    const items: TopLevel[] = [];
    for (const rule of ["useDecl", "constDecl", "blockDecl", "networkDecl", "trainDecl"]) {
      items.push(...this.buildAll<TopLevel>(childNodes(children, rule)));
    }
    // The OR in `program` files items by rule; put them back in source order.
    items.sort((a, b) => a.span.startOffset - b.span.startOffset);
    return { file: this.file, items };
  }

  useDecl(children: Children, location: Location): UseDecl | undefined {
    const pathToken = realToken(children, "path");
    const span = this.span(location);
    if (pathToken === undefined || span === undefined) return undefined;
    return { kind: "use", path: decodeString(pathToken.image).value, span };
  }

  constDecl(children: Children, location: Location): ConstStmt | undefined {
    const nameToken = realToken(children, "name");
    const value = this.bounded(childNode(children, "value"));
    const span = this.span(location);
    if (nameToken === undefined || value === undefined || span === undefined) return undefined;
    return { kind: "const", name: nameToken.image, nameSpan: this.tokenSpan(nameToken), value, span };
  }

  blockDecl(children: Children, location: Location): BlockDecl | undefined {
    const nameToken = realToken(children, "name");
    const span = this.span(location);
    if (nameToken === undefined || span === undefined) return undefined;
    const params = this.buildAll<BlockParam>(childNodes(children, "params"));
    const body = this.build<BodyStmt[]>(childNode(children, "body")) ?? [];
    return { kind: "block", name: nameToken.image, nameSpan: this.tokenSpan(nameToken), params, body, span };
  }

  blockParam(children: Children, location: Location): BlockParam | undefined {
    const nameToken = realToken(children, "name");
    const span = this.span(location);
    if (nameToken === undefined || span === undefined) return undefined;
    const param: BlockParam = { name: nameToken.image, span };
    const defaultValue = this.bounded(childNode(children, "default"));
    if (defaultValue !== undefined) param.default = defaultValue;
    return param;
  }

  networkDecl(children: Children, location: Location): NetworkDecl | undefined {
    const nameToken = realToken(children, "name");
    const span = this.span(location);
    if (nameToken === undefined || span === undefined) return undefined;
    const body = this.build<BodyStmt[]>(childNode(children, "body")) ?? [];
    return { kind: "network", name: nameToken.image, nameSpan: this.tokenSpan(nameToken), body, span };
  }

  trainDecl(children: Children, location: Location): TrainDecl | undefined {
    const span = this.span(location);
    if (span === undefined) return undefined;
    return { kind: "train", settings: this.buildAll<TrainSetting>(childNodes(children, "trainSetting")), span };
  }

  trainSetting(children: Children, location: Location): TrainSetting | undefined {
    const keyToken = realToken(children, "key");
    const value = this.build<CallStep>(childNode(children, "call")) ?? this.bounded(childNode(children, "value"));
    const span = this.span(location);
    if (keyToken === undefined || value === undefined || span === undefined) return undefined;
    return { key: keyToken.image, keySpan: this.tokenSpan(keyToken), value, span };
  }

  trainCall(children: Children, location: Location): CallStep | undefined {
    const calleeToken = realToken(children, "callee");
    const span = this.span(location);
    if (calleeToken === undefined || span === undefined) return undefined;
    const args = this.build<Argument[]>(childNode(children, "argumentList")) ?? [];
    return { kind: "call", callee: calleeToken.image, calleeSpan: this.tokenSpan(calleeToken), args, hasParens: true, span };
  }

  // ------------------------------------------------------------ statements

  body(children: Children): BodyStmt[] {
    return this.buildAll<BodyStmt>(childNodes(children, "statement"));
  }

  statement(children: Children): BodyStmt | undefined {
    const node = childNode(children, "inputStmt") ?? childNode(children, "constDecl") ?? childNode(children, "layerStmt");
    return this.build<BodyStmt>(node);
  }

  inputStmt(children: Children, location: Location): InputStmt | undefined {
    const nameToken = realToken(children, "name");
    const dims = this.bounded(childNode(children, "dims"));
    const span = this.span(location);
    if (nameToken === undefined || dims === undefined || span === undefined) return undefined;
    return { kind: "input", name: nameToken.image, nameSpan: this.tokenSpan(nameToken), dims, span };
  }

  layerStmt(children: Children, location: Location): LayerStmt | undefined {
    const chain = this.build<Chain>(childNode(children, "chain"));
    const span = this.span(location);
    if (chain === undefined || span === undefined) return undefined;
    const statement: LayerStmt = { kind: "layer", chain, span };
    const nameToken = realToken(children, "name");
    if (nameToken !== undefined) {
      statement.name = nameToken.image;
      statement.nameSpan = this.tokenSpan(nameToken);
    }
    return statement;
  }

  chain(children: Children, location: Location): Chain | undefined {
    const steps = this.buildAll<Step>(childNodes(children, "steps"));
    const span = this.span(location);
    if (steps.length === 0 || span === undefined) return undefined;
    return { steps, span };
  }

  step(children: Children): Step | undefined {
    return this.build<Step>(childNode(children, "callStep") ?? childNode(children, "repeatStep"));
  }

  callStep(children: Children, location: Location): CallStep | undefined {
    const calleeToken = realToken(children, "callee");
    const span = this.span(location);
    if (calleeToken === undefined || span === undefined) return undefined;
    const hasParens = anyTokens(children, "LParen").length > 0;
    const args = this.build<Argument[]>(childNode(children, "argumentList")) ?? [];
    const step: CallStep = { kind: "call", callee: calleeToken.image, calleeSpan: this.tokenSpan(calleeToken), args, hasParens, span };
    const alias = this.build<{ alias: string; span: SourceSpan }>(childNode(children, "aliasPath"));
    if (alias !== undefined) {
      step.alias = alias.alias;
      step.aliasSpan = alias.span;
    }
    return step;
  }

  aliasPath(children: Children, location: Location): { alias: string; span: SourceSpan } | undefined {
    const parts = realTokens(children, "parts");
    const span = this.span(location);
    if (parts.length === 0 || span === undefined) return undefined;
    for (const part of parts) {
      // `downsample.0.1` lexes `0.1` as one number, which is fine; a number with an exponent (`1e3`,
      // `0.5e2`) is not a path part. Names are, whatever letter they start with (`expand1x1`, `encoder`).
      if (part.tokenType === NumberLiteral && /[eE]/.test(part.image)) {
        this.diagnostics.push(
          makeDiagnostic("syntax", `'${part.image}' is not a valid part of a layer name`, this.tokenSpan(part), {
            hint: "layer names after 'as' are names and whole numbers separated by '.', e.g. `as layer1.0.conv1`",
          }),
        );
      }
    }
    return { alias: parts.map((part) => part.image).join("."), span };
  }

  repeatStep(children: Children, location: Location): RepeatStep | undefined {
    const body = this.build<Chain>(childNode(children, "body"));
    const count = this.bounded(childNode(children, "count"));
    const span = this.span(location);
    if (body === undefined || count === undefined || span === undefined) return undefined;
    return { kind: "repeat", body, count, span };
  }

  argumentList(children: Children, location: Location): Argument[] {
    const nodes = childNodes(children, "arguments");
    const span = this.span(location);
    const tooMany = span === undefined ? undefined : tooManyArguments(nodes.length, span);
    if (tooMany !== undefined) {
      this.diagnostics.push(tooMany);
      return [];
    }
    const args = this.buildAll<Argument>(nodes);
    const firstNamed = args.find((arg) => arg.name !== undefined);
    for (const arg of args) {
      if (firstNamed !== undefined && arg.name === undefined && arg.span.startOffset > firstNamed.span.startOffset) {
        this.diagnostics.push(
          makeDiagnostic("syntax", "positional argument after a named argument", arg.span, {
            hint: `put positional arguments before named ones (here before '${firstNamed.name ?? ""}='), or give this one its name`,
          }),
        );
      }
    }
    return args;
  }

  argument(children: Children, location: Location): Argument | undefined {
    const value = this.bounded(childNode(children, "value"));
    const span = this.span(location);
    if (value === undefined || span === undefined) return undefined;
    const argument: Argument = { value, span };
    const nameToken = realToken(children, "name");
    if (nameToken !== undefined) {
      argument.name = nameToken.image;
      argument.nameSpan = this.tokenSpan(nameToken);
    }
    return argument;
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
