// The TextMate grammar of .cnn for editors (editors/cnn.tmLanguage.json), generated from the lexer's
// own token list so that highlighting cannot drift from what the compiler reads: one match rule per
// token, in the lexer's order (TextMate, like Chevrotain, takes the first rule that matches where the
// scan stands), each token's regular expression as the lexer has it. Keywords get word boundaries,
// which the lexer gets from `longer_alt` (so `inputs` stays a name). Run `npm run textmate` to rewrite
// the file; a test checks that the committed one is up to date.
import type { TokenType } from "chevrotain";
import { allTokens, keywordTokens, WhiteSpace } from "./tokens.js";

/** The scope of every token the lexer has, by token name; the generator refuses a token without one. */
export const TOKEN_SCOPES: Readonly<Record<string, string>> = {
  Comment: "comment.line.number-sign.cnn",
  StringLiteral: "string.quoted.double.cnn",
  Dims: "constant.numeric.dims.cnn",
  NumberLiteral: "constant.numeric.cnn",
  Arrow: "keyword.operator.arrow.cnn",
  Network: "storage.type.network.cnn",
  Block: "storage.type.block.cnn",
  Input: "keyword.other.input.cnn",
  In: "variable.language.in.cnn",
  Const: "storage.type.const.cnn",
  Use: "keyword.control.import.cnn",
  Train: "storage.type.train.cnn",
  As: "keyword.other.as.cnn",
  Outputs: "keyword.other.outputs.cnn",
  Identifier: "variable.other.cnn",
  LCurly: "punctuation.section.braces.begin.cnn",
  RCurly: "punctuation.section.braces.end.cnn",
  LParen: "punctuation.section.parens.begin.cnn",
  RParen: "punctuation.section.parens.end.cnn",
  LBracket: "punctuation.section.brackets.begin.cnn",
  RBracket: "punctuation.section.brackets.end.cnn",
  Comma: "punctuation.separator.comma.cnn",
  Equals: "keyword.operator.assignment.cnn",
  Colon: "punctuation.separator.colon.cnn",
  Semicolon: "punctuation.terminator.statement.cnn",
  Dot: "punctuation.accessor.dot.cnn",
  Plus: "keyword.operator.arithmetic.cnn",
  Minus: "keyword.operator.arithmetic.cnn",
  Star: "keyword.operator.arithmetic.cnn",
  Slash: "keyword.operator.arithmetic.cnn",
  Percent: "keyword.operator.arithmetic.cnn",
  At: "keyword.operator.schedule.cnn",
};

export interface TextMateRule {
  name: string;
  match: string;
}

export interface TextMateGrammar {
  $schema: string;
  name: string;
  scopeName: string;
  fileTypes: string[];
  patterns: TextMateRule[];
}

function patternOf(token: TokenType): string {
  const pattern = token.PATTERN;
  if (!(pattern instanceof RegExp)) throw new Error(`internal: token ${token.name} has no regular expression`);
  return keywordTokens.includes(token) ? `\\b${pattern.source}\\b` : pattern.source;
}

export function textMateGrammar(): TextMateGrammar {
  const patterns = allTokens
    .filter((token) => token !== WhiteSpace)
    .map((token) => {
      const name = TOKEN_SCOPES[token.name];
      if (name === undefined) throw new Error(`token ${token.name} has no TextMate scope: add one to TOKEN_SCOPES in grammar/textMateGrammar.ts`);
      return { name, match: patternOf(token) };
    });
  return {
    $schema: "https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json",
    name: "cnn",
    scopeName: "source.cnn",
    fileTypes: ["cnn"],
    patterns,
  };
}

/** The file as `npm run textmate` writes it. */
export function textMateJson(): string {
  return `${JSON.stringify(textMateGrammar(), null, 2)}\n`;
}
