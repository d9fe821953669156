// Which brackets are open at a given token, and what each one opened ("network LeNet5", "the
// arguments of conv(", "the repetition"). Syntax messages use this to say what a missing `)`, `]`
// or `}` would close and where that construct started.
import type { IToken, TokenType } from "chevrotain";
import { Block, Colon, Comma, Const, Equals, Identifier, In, LBracket, LCurly, LParen, Minus, Network, Percent, Plus, RBracket, RCurly, RParen, Slash, Star, Train } from "./tokens.js";

export type Closer = ")" | "]" | "}";

export interface OpenBracket {
  /** The `(`, `[` or `{` token. */
  token: IToken;
  closer: Closer;
  /** What it opened, e.g. `network LeNet5`, `the arguments of conv(`, `the list`. */
  description: string;
  /** Where the construct starts (the `network` keyword for a network body): "opened at" points here. */
  start: IToken;
  /** A network or block body, where statements live. */
  isBody: boolean;
  isTrain: boolean;
  isArguments: boolean;
}

const listPredecessors = [Colon, Comma, Star, Plus, Minus, Slash, Percent, LParen, LBracket];

function describeOpener(tokens: readonly IToken[], index: number, stack: readonly OpenBracket[], matchingOpener: ReadonlyMap<number, number>): OpenBracket {
  const token = tokens[index]!;
  const before = tokens[index - 1];
  const twoBefore = tokens[index - 2];
  const base = { token, start: token, isBody: false, isTrain: false, isArguments: false };
  if (token.tokenType === LCurly) {
    if (before?.tokenType === Train) return { ...base, closer: "}", description: "the train section", start: before, isTrain: true };
    if (before?.tokenType === Identifier && twoBefore?.tokenType === Network) {
      return { ...base, closer: "}", description: `network ${before.image}`, start: twoBefore, isBody: true };
    }
    if (before?.tokenType === Identifier && twoBefore?.tokenType === Block) {
      return { ...base, closer: "}", description: `block ${before.image}`, start: twoBefore, isBody: true };
    }
    const paramsOpen = before?.tokenType === RParen ? matchingOpener.get(index - 1) : undefined;
    const blockName = paramsOpen === undefined ? undefined : tokens[paramsOpen - 1];
    const blockKeyword = paramsOpen === undefined ? undefined : tokens[paramsOpen - 2];
    if (blockName?.tokenType === Identifier && blockKeyword?.tokenType === Block) {
      return { ...base, closer: "}", description: `block ${blockName.image}`, start: blockKeyword, isBody: true };
    }
    return { ...base, closer: "}", description: "the body", isBody: true };
  }
  if (token.tokenType === LParen) {
    if (before?.tokenType === Identifier && twoBefore?.tokenType === Block) {
      return { ...base, closer: ")", description: `the parameters of block ${before.image}` };
    }
    if (before?.tokenType === Identifier || before?.tokenType === In) {
      return { ...base, closer: ")", description: `the arguments of ${before.image}(`, start: before, isArguments: true };
    }
    return { ...base, closer: ")", description: "the parenthesized expression" };
  }
  const enclosing = stack[stack.length - 1];
  const inExpression = enclosing !== undefined && enclosing.closer !== "}" && enclosing.description !== "the repetition";
  const afterConstName = before?.tokenType === Equals && tokens[index - 3]?.tokenType === Const;
  const isList = inExpression || afterConstName || (before !== undefined && listPredecessors.includes(before.tokenType));
  return { ...base, closer: "]", description: isList ? "the list" : "the repetition" };
}

const closerOf = new Map<TokenType, Closer>([
  [RParen, ")"],
  [RBracket, "]"],
  [RCurly, "}"],
]);

/**
 * The brackets still open before a token, innermost last. `virtualClosers` are the closers the
 * parser's error recovery acted as if it had seen just before the token at that index (a missing `)`
 * it inserted): without them, one forgotten `)` would leave every later bracket looking nested inside
 * it. The scan resumes where the previous query stopped, so asking about every error of a file with
 * thousands of them in token order stays linear.
 */
export class BracketScanner {
  private readonly stack: OpenBracket[] = [];
  private readonly stackIndices: number[] = [];
  private readonly matchingOpener = new Map<number, number>();
  private position = 0;

  constructor(
    private readonly tokens: readonly IToken[],
    private readonly virtualClosers: ReadonlyMap<number, readonly Closer[]> = new Map(),
  ) {}

  /** The brackets still open just before `tokens[endIndex]`, innermost last. */
  openBefore(endIndex: number): OpenBracket[] {
    if (endIndex < this.position) this.restart();
    const limit = Math.min(endIndex, this.tokens.length);
    for (; this.position < limit; this.position++) {
      const i = this.position;
      for (const closer of this.virtualClosers.get(i) ?? []) this.close(closer, -1);
      const type = this.tokens[i]!.tokenType;
      if (type === LCurly || type === LParen || type === LBracket) {
        this.stack.push(describeOpener(this.tokens, i, this.stack, this.matchingOpener));
        this.stackIndices.push(i);
        continue;
      }
      const closer = closerOf.get(type);
      if (closer !== undefined) this.close(closer, i);
    }
    return [...this.stack];
  }

  private restart(): void {
    this.stack.length = 0;
    this.stackIndices.length = 0;
    this.matchingOpener.clear();
    this.position = 0;
  }

  /** A closer matches the innermost opener of its kind; openers skipped over are unclosed mistakes. */
  private close(closer: Closer, index: number): void {
    let depth = this.stack.length - 1;
    while (depth >= 0 && this.stack[depth]!.closer !== closer) depth--;
    if (depth < 0) return;
    this.matchingOpener.set(index, this.stackIndices[depth]!);
    this.stack.length = depth;
    this.stackIndices.length = depth;
  }
}

/**
 * The parser is recursive: thousands of nested brackets, or of `-` signs in front of an operand or of
 * a bracket (`-(-(-(...`, `----(----(`), would exhaust the JavaScript stack. Nesting counts both: the
 * open brackets plus the `-` signs in front of each of them and of the current operand. Returns the
 * first token at which nesting passes `limit`, far beyond any real network, so that such input gets
 * a diagnostic instead of a crash.
 */
export function excessiveNesting(tokens: readonly IToken[], limit: number): IToken | undefined {
  const signsBeforeBracket: number[] = [];
  let signsBeforeOpenBrackets = 0;
  let signRun = 0;
  for (const token of tokens) {
    const type = token.tokenType;
    if (type === LCurly || type === LParen || type === LBracket) {
      signsBeforeBracket.push(signRun);
      signsBeforeOpenBrackets += signRun;
      signRun = 0;
    } else if (closerOf.has(type)) {
      signsBeforeOpenBrackets -= signsBeforeBracket.pop() ?? 0;
      signRun = 0;
    } else {
      signRun = type === Minus ? signRun + 1 : 0;
    }
    if (signsBeforeBracket.length + signsBeforeOpenBrackets + signRun > limit) return token;
  }
  return undefined;
}
