// The typed AST of a `.cnn` file. The parser (grammar/parser.ts) builds a CST; the visitor
// (grammar/visitor.ts) turns it into these types. Every node carries the span it came from so that
// later stages (elaboration, shape inference) can point diagnostics at the user's source.

/** A half-open source span: 1-based line and column of the first and last character. */
export interface SourceSpan {
  file: string;
  startOffset: number;
  endOffset: number; // inclusive, as Chevrotain reports it
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}

// ---------------------------------------------------------------- expressions (arguments)

export type Expr =
  | NumberExpr
  | DimsExpr
  | ListExpr
  | NameExpr
  | StringExpr
  | BinaryExpr
  | UnaryExpr;

/** `3`, `0.5`, `1e-5`. `isInteger` is true when the literal had no '.', 'e' or 'E'. */
export interface NumberExpr {
  kind: "number";
  value: number;
  isInteger: boolean;
  span: SourceSpan;
}

/** `3x3`, `1x32x32`: a literal tuple of positive sizes written with `x`. */
export interface DimsExpr {
  kind: "dims";
  values: number[];
  span: SourceSpan;
}

/** `[1, 2, 0, 1]`: a bracketed list of expressions (asymmetric padding, computed dims). */
export interface ListExpr {
  kind: "list";
  items: Expr[];
  span: SourceSpan;
}

/**
 * A bare identifier in argument position: a constant, a block parameter, a named value
 * (`add(a, b)`), or a keyword-like word (`same`, `valid`, `reflect`, `ceil`, `true`, `false`).
 * Which one it is gets resolved during elaboration, not by the parser.
 */
export interface NameExpr {
  kind: "name";
  name: string;
  span: SourceSpan;
}

export interface StringExpr {
  kind: "string";
  value: string;
  span: SourceSpan;
}

export interface BinaryExpr {
  kind: "binary";
  op: "+" | "-" | "*" | "/" | "%";
  left: Expr;
  right: Expr;
  span: SourceSpan;
}

export interface UnaryExpr {
  kind: "unary";
  op: "-";
  operand: Expr;
  span: SourceSpan;
}

// ---------------------------------------------------------------- layers and chains

/** `name = value`, or a positional value when `name` is undefined. */
export interface Argument {
  name?: string;
  nameSpan?: SourceSpan;
  value: Expr;
  span: SourceSpan;
}

/**
 * One step of a chain: `conv(64, kernel=3)`, a bare `relu`, or a reference to a value (`x`) when it
 * starts a chain. A bare word is parsed as a call with no arguments and `hasParens: false`;
 * elaboration decides whether it names a layer, a block or a value.
 * `alias` is the optional `as name` that fixes the layer's name (and so its weight names);
 * `schedule` the optional `@kind` that forces the layer's schedule.
 */
export interface CallStep {
  kind: "call";
  callee: string;
  calleeSpan: SourceSpan;
  args: Argument[];
  hasParens: boolean;
  alias?: string;
  aliasSpan?: SourceSpan;
  schedule?: ScheduleAnnotationSyntax;
  span: SourceSpan;
}

/** `@winograd`: `span` covers the `@` and the kind, `kindSpan` the kind's name. */
export interface ScheduleAnnotationSyntax {
  kind: string;
  span: SourceSpan;
  kindSpan: SourceSpan;
}

/** `[chain] * count`: the chain repeated `count` times in sequence (the notes' `[CONV -> RELU]*N`). */
export interface RepeatStep {
  kind: "repeat";
  body: Chain;
  count: Expr;
  span: SourceSpan;
}

export type Step = CallStep | RepeatStep;

/** `a -> b -> c` */
export interface Chain {
  steps: Step[];
  span: SourceSpan;
}

// ---------------------------------------------------------------- statements

/** `input image: 1x32x32` (channels x height x width) or `input text: 5x7` (channels x length). */
export interface InputStmt {
  kind: "input";
  name: string;
  nameSpan: SourceSpan;
  dims: Expr; // usually a DimsExpr; a ListExpr or a constant is allowed
  span: SourceSpan;
}

/**
 * `name = chain` or a bare `chain`. A chain whose first step is a layer call takes the value of
 * the previous statement (or the network input / the block's `in`) as its input; a chain whose first
 * step names a value starts from that value.
 */
export interface LayerStmt {
  kind: "layer";
  name?: string;
  nameSpan?: SourceSpan;
  chain: Chain;
  span: SourceSpan;
}

/** A name with the span it was written at. */
export interface NameRef {
  name: string;
  span: SourceSpan;
}

/**
 * `outputs boxes, scores`: the values the network returns, in this order. Without it the network's
 * output is its last statement's value.
 */
export interface OutputsStmt {
  kind: "outputs";
  names: NameRef[];
  span: SourceSpan;
}

/** `const WIDTH = 64` at file level or inside a network/block body. */
export interface ConstStmt {
  kind: "const";
  name: string;
  nameSpan: SourceSpan;
  value: Expr;
  span: SourceSpan;
}

export type BodyStmt = InputStmt | OutputsStmt | LayerStmt | ConstStmt;

// ---------------------------------------------------------------- top level

export interface BlockParam {
  name: string;
  default?: Expr;
  span: SourceSpan;
}

/** `block basic(ch, stride=1) { ... }`: its input is `in`; its output is its last statement's value. */
export interface BlockDecl {
  kind: "block";
  name: string;
  nameSpan: SourceSpan;
  params: BlockParam[];
  body: BodyStmt[];
  span: SourceSpan;
}

export interface NetworkDecl {
  kind: "network";
  name: string;
  nameSpan: SourceSpan;
  body: BodyStmt[];
  span: SourceSpan;
}

/** `key = value` inside `train { ... }`; the value is an expression or a call like `sgd(momentum=0.9)`. */
export interface TrainSetting {
  key: string;
  keySpan: SourceSpan;
  value: Expr | CallStep;
  span: SourceSpan;
}

export interface TrainDecl {
  kind: "train";
  settings: TrainSetting[];
  span: SourceSpan;
}

/** `use "path/to/blocks.cnn"`: imports that file's blocks and constants. */
export interface UseDecl {
  kind: "use";
  path: string;
  span: SourceSpan;
}

export type TopLevel = UseDecl | ConstStmt | BlockDecl | NetworkDecl | TrainDecl;

export interface Program {
  file: string;
  items: TopLevel[];
}
