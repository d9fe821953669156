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
 * The brackets still open just before `tokens[endIndex]`, innermost last. `virtualClosers` are the
 * closers the parser's error recovery acted as if it had seen just before the token at that index
 * (a missing `)` it inserted): without them, one forgotten `)` would leave every later bracket
 * looking nested inside it.
 */
export function openBracketsBefore(
  tokens: readonly IToken[],
  endIndex: number,
  virtualClosers: ReadonlyMap<number, readonly Closer[]> = new Map(),
): OpenBracket[] {
  const stack: OpenBracket[] = [];
  const stackIndices: number[] = [];
  const matchingOpener = new Map<number, number>();
  const close = (closer: Closer, index: number): void => {
    // A closer matches the innermost opener of its kind; openers skipped over are unclosed mistakes.
    let depth = stack.length - 1;
    while (depth >= 0 && stack[depth]!.closer !== closer) depth--;
    if (depth < 0) return;
    matchingOpener.set(index, stackIndices[depth]!);
    stack.length = depth;
    stackIndices.length = depth;
  };
  for (let i = 0; i < Math.min(endIndex, tokens.length); i++) {
    for (const closer of virtualClosers.get(i) ?? []) close(closer, -1);
    const type = tokens[i]!.tokenType;
    if (type === LCurly || type === LParen || type === LBracket) {
      stack.push(describeOpener(tokens, i, stack, matchingOpener));
      stackIndices.push(i);
      continue;
    }
    const closer = closerOf.get(type);
    if (closer !== undefined) close(closer, i);
  }
  return stack;
}

/**
 * The parser is recursive: thousands of nested brackets (or of `-` signs in a row) would exhaust the
 * JavaScript stack. Returns the first token at which nesting passes `limit`, far beyond any real
 * network, so that such input gets a diagnostic instead of a crash.
 */
export function excessiveNesting(tokens: readonly IToken[], limit: number): IToken | undefined {
  let depth = 0;
  let minusRun = 0;
  for (const token of tokens) {
    const type = token.tokenType;
    if (type === LCurly || type === LParen || type === LBracket) depth++;
    else if (closerOf.has(type)) depth = Math.max(0, depth - 1);
    minusRun = type === Minus ? minusRun + 1 : 0;
    if (depth > limit || minusRun > limit) return token;
  }
  return undefined;
}
