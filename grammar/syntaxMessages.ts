// The message catalogue of syntax errors: from what the parser expected, the token it found, the
// token before, and the brackets open at that point, say what is wrong in the user's terms and how
// to fix it. syntaxDiagnostics.ts turns these descriptions into diagnostics with spans.
import type { IToken, TokenType } from "chevrotain";
import { closestMatch } from "./diagnostics.js";
import type { ParseErrorFacts } from "./errorMessages.js";
import type { Closer, OpenBracket } from "./openBrackets.js";
import * as t from "./tokens.js";

/**
 * Where the caret goes: on the token found; just after the previous token when the found token is on
 * a later line (where a missing `)` belongs); on the previous token; over both; or just after the
 * token two back (a dangling `->`).
 */
export type Anchor = "found" | "after-previous" | "previous" | "previous-and-found" | "after-two-before";

export interface Description {
  message: string;
  hint?: string;
  anchor: Anchor;
  /** Says that a `)`, `]` or `}` is missing (at the end of the file these join the unclosed-bracket report). */
  isMissingCloser?: boolean;
}

export interface ErrorSite {
  facts: ParseErrorFacts;
  tokens: readonly IToken[];
  index: number;
  /** The token the parser stopped at; undefined at the end of the file. */
  found: IToken | undefined;
  previous: IToken | undefined;
  open: OpenBracket[];
  /** The grammar rules being parsed, outermost first (`program`, `networkDecl`, `body`...). */
  ruleStack: readonly string[];
}

const topLevelKeywords = ["network", "block", "const", "use", "train"];
export const topLevelStarters: readonly TokenType[] = [t.Network, t.Block, t.Use, t.Train];
const expressionStarters: readonly TokenType[] = [t.NumberLiteral, t.Dims, t.StringLiteral, t.Identifier, t.In, t.LParen, t.LBracket, t.Minus];
const expressionEnders: readonly TokenType[] = [t.NumberLiteral, t.Dims, t.StringLiteral, t.Identifier, t.In, t.RParen, t.RBracket];
export const closerTokenNames: Readonly<Record<string, Closer>> = { RParen: ")", RBracket: "]", RCurly: "}" };

export function closerOf(token: IToken | undefined): Closer | undefined {
  return token === undefined ? undefined : closerTokenNames[token.tokenType.name];
}

function labelOf(tokenTypeName: string): string {
  if (tokenTypeName === "EOF") return "the end of the file";
  const type = t.allTokens.find((candidate) => candidate.name === tokenTypeName);
  return type?.LABEL ?? tokenTypeName;
}

function describeFound(token: IToken | undefined): string {
  if (token === undefined) return "the end of the file";
  const chars = Array.from(token.image);
  const image = chars.length > 24 ? `${chars.slice(0, 21).join("")}...` : token.image;
  return t.keywordTokens.includes(token.tokenType) ? `the keyword '${image}'` : `'${image}'`;
}

export function isOneOf(token: IToken | undefined, types: readonly TokenType[]): boolean {
  return token !== undefined && types.includes(token.tokenType);
}

function openedAt(bracket: OpenBracket): string {
  return `${bracket.start.startLine ?? 1}:${bracket.start.startColumn ?? 1}`;
}

export function missingCloser(bracket: OpenBracket): Description {
  const where = bracket.isBody ? " after the last statement" : bracket.isTrain ? " after the last setting" : "";
  return {
    message: `missing '${bracket.closer}' to close ${bracket.description} opened at ${openedAt(bracket)}`,
    hint: `add '${bracket.closer}'${where}`,
    anchor: "after-previous",
    isMissingCloser: true,
  };
}

/** `name` after the keyword that introduces it, for messages like "expected the network's name". */
const namedThings: Readonly<Record<string, { what: string; example: string }>> = {
  networkDecl: { what: "the network's name after 'network'", example: "network LeNet5 { ... }" },
  blockDecl: { what: "the block's name after 'block'", example: "block basic(ch, stride=1) { ... }" },
  constDecl: { what: "the constant's name after 'const'", example: "const WIDTH = 64" },
  inputStmt: { what: "the input's name after 'input'", example: "input image: 1x28x28" },
  outputsStmt: { what: "a value's name after 'outputs'", example: "outputs boxes, scores" },
  blockParam: { what: "a parameter name", example: "block basic(ch, stride=1) { ... }" },
  aliasPath: { what: "a layer name after 'as'", example: "conv(64, 3) as conv1" },
};

function describeMismatch(site: ErrorSite): Description {
  const { facts, found, previous, tokens, index, open } = site;
  const expected = facts.kind === "not-all-input" ? "EOF" : (facts.expected[0] ?? "");
  const foundText = describeFound(found);
  const innermost = open[open.length - 1];

  if (expected === "EOF") {
    const suggestion = found?.tokenType === t.Identifier ? closestMatch(found.image, topLevelKeywords) : undefined;
    return {
      message: `unexpected ${foundText} at the top level`,
      hint: suggestion !== undefined ? `did you mean '${suggestion}'?` : "a file holds `use`, `const`, `block`, `network` and `train` declarations",
      anchor: "found",
    };
  }

  const closer = closerTokenNames[expected];
  if (closer !== undefined) {
    const matching = innermost?.closer === closer ? innermost : undefined;
    if (matching === undefined) return { message: `expected '${closer}', found ${foundText}`, hint: `add '${closer}'`, anchor: "after-previous" };
    if (found === undefined || isOneOf(found, topLevelStarters)) return missingCloser(matching);
    if (matching.isBody) {
      const statementStart = tokens[index - 2];
      if (found.tokenType === t.Equals && previous?.tokenType === t.Identifier && statementStart?.tokenType === t.Arrow) {
        // `c5 = fc(120) ->` followed by `f6 = ...`: the dangling arrow swallowed the next statement's name.
        return {
          message: "expected a layer after '->'",
          hint: `remove the '->' at the end of the chain, or add the layer it leads to before '${previous.image} ='`,
          anchor: "after-two-before",
        };
      }
      if (found.tokenType === t.Colon && previous?.tokenType === t.Identifier && statementStart?.tokenType === t.Identifier) {
        // `inptu image: 1x28x28`: a misspelt `input` reads as two one-word statements.
        return {
          message: `unexpected ':' after '${statementStart.image} ${previous.image}'`,
          hint: `inputs are declared as 'input ${previous.image}: DIMS'`,
          anchor: "found",
        };
      }
      return {
        message: `expected '->' or a new statement, found ${foundText}`,
        hint: "connect layers with '->' (conv(6, 5) -> relu), or start a new statement (name = layer(...))",
        anchor: "found",
      };
    }
    if (matching.isTrain) {
      return { message: `expected a setting or '}' in the train section, found ${foundText}`, hint: "settings look like `lr = 0.01`", anchor: "found" };
    }
    const argumentStart = tokens[index - 2];
    // On a new line, the line before most likely lacks its closer; on the same line, a separator.
    const sameLineAsPrevious = previous !== undefined && found.startLine === previous.endLine;
    if (
      sameLineAsPrevious &&
      matching.isArguments &&
      previous?.tokenType === t.Identifier &&
      isOneOf(argumentStart, [t.LParen, t.Comma]) &&
      isOneOf(found, expressionStarters)
    ) {
      return {
        message: `missing '=' between the argument name '${previous.image}' and its value`,
        hint: `write ${previous.image}=${isOneOf(found, [t.NumberLiteral, t.Dims, t.Identifier, t.StringLiteral]) ? found.image : "..."}`,
        anchor: "previous-and-found",
      };
    }
    if (
      sameLineAsPrevious &&
      (matching.isArguments || matching.description === "the list") &&
      isOneOf(previous, expressionEnders) &&
      isOneOf(found, expressionStarters)
    ) {
      const between = matching.isArguments ? "arguments" : "list items";
      return { message: `missing ',' between ${between}`, hint: `separate ${between} with ','`, anchor: "found" };
    }
    const caretLine = sameLineAsPrevious ? found.startLine : previous?.endLine;
    const openerVisible = caretLine === matching.start.startLine;
    return {
      message: `expected '${closer}' to close ${matching.description}${openerVisible ? "" : ` opened at ${openedAt(matching)}`}`,
      hint: sameLineAsPrevious ? `add '${closer}' before ${foundText}` : `add '${closer}' at the end of line ${previous?.endLine ?? 1}`,
      anchor: "after-previous",
      isMissingCloser: true,
    };
  }

  if (expected === "Identifier") {
    const thing = namedThings[facts.rule];
    const reserved = found !== undefined && t.keywordTokens.includes(found.tokenType);
    return {
      message: `expected ${thing?.what ?? "a name"}, found ${foundText}`,
      hint: reserved ? `'${found.image}' is a reserved word; choose another name` : thing !== undefined ? `e.g. ${thing.example}` : undefined,
      anchor: reserved ? "found" : "after-previous",
    };
  }
  if (expected === "Colon") {
    const name = previous?.tokenType === t.Identifier ? previous.image : "image";
    const dims = found?.tokenType === t.Dims ? found.image : "1x28x28";
    return { message: `expected ':' after the input name, found ${foundText}`, hint: `write input ${name}: ${dims}`, anchor: "after-previous" };
  }
  if (expected === "Equals") {
    const name = previous?.image ?? "name";
    const example = facts.rule === "constDecl" ? `const ${name} = ...` : `${name} = ...`;
    return { message: `expected '=' after '${name}', found ${foundText}`, hint: `write ${example}`, anchor: "after-previous" };
  }
  if (expected === "LCurly") {
    const owner = facts.rule === "trainDecl" ? "the train section" : site.ruleStack.includes("blockDecl") ? "the block's body" : "the network's body";
    return { message: `expected '{' to open ${owner}, found ${foundText}`, hint: "add '{'", anchor: "after-previous" };
  }
  if (expected === "Star") {
    return { message: `expected '*' and a repeat count after the repetition's ']', found ${foundText}`, hint: "write [ ... ] * 2 to repeat a chain twice", anchor: "after-previous" };
  }
  if (expected === "StringLiteral") {
    return { message: `expected a quoted file path after 'use', found ${foundText}`, hint: 'e.g. use "blocks/resnet.cnn"', anchor: "after-previous" };
  }
  return { message: `expected ${labelOf(expected)}, found ${foundText}`, anchor: "after-previous" };
}

function describeNoAlternative(site: ErrorSite): Description {
  const { facts, found, previous, tokens, index, open } = site;
  const foundText = describeFound(found);
  const innermost = open[open.length - 1];
  if (facts.rule === "unary" || facts.rule === "atom" || facts.rule === "expression" || facts.rule === "multiplicative") {
    if (found?.tokenType === t.Equals && isOneOf(previous, [t.LParen, t.Comma])) {
      return { message: "expected an argument name before '='", hint: "named arguments are written name=value, e.g. kernel=3", anchor: "found" };
    }
    if (previous?.tokenType === t.Comma && found !== undefined) {
      const trailing = isOneOf(found, [t.RParen, t.RBracket]);
      const extra = found.tokenType === t.Comma;
      const hint = trailing ? "remove the trailing ','" : extra ? "remove the extra ','" : undefined;
      return { message: `expected a value after ',', found ${foundText}`, hint, anchor: trailing ? "previous" : "found" };
    }
    if (previous?.tokenType === t.Equals && innermost?.isArguments === true) {
      const name = tokens[index - 2]?.image ?? "";
      return { message: `expected a value after '${name}=', found ${foundText}`, hint: `give ${name} a value, or remove the argument`, anchor: "after-previous" };
    }
    if (previous?.tokenType === t.Star && innermost?.description !== "the list" && innermost?.isArguments !== true) {
      return { message: `expected the repeat count after '*', found ${foundText}`, hint: "e.g. [conv(64, 3, pad=1) -> relu] * 2", anchor: "after-previous" };
    }
    if (previous?.tokenType === t.Colon) {
      return { message: `expected the input's dims after ':', found ${foundText}`, hint: "e.g. input image: 1x28x28 (channels x height x width)", anchor: "after-previous" };
    }
    const reserved = found !== undefined && t.keywordTokens.includes(found.tokenType);
    return {
      message: `expected a value, found ${foundText}`,
      hint: reserved ? `'${found.image}' is a reserved word and cannot be used as a value` : "a value is a number, dims like 3x3, a name, a list [a, b] or a string",
      anchor: "found",
    };
  }
  if (facts.rule === "step" || facts.rule === "chain") {
    if (previous?.tokenType === t.Arrow) {
      return {
        message: `expected a layer after '->', found ${foundText}`,
        hint: found?.tokenType === t.Arrow ? "remove the extra '->'" : "e.g. conv(6, 5) -> relu",
        anchor: found?.tokenType === t.Arrow ? "found" : "after-previous",
      };
    }
    return { message: `expected a layer, a value name or a repetition [ ... ] * N, found ${foundText}`, anchor: "found" };
  }
  if (facts.rule === "trainSetting") {
    return { message: `expected a value after '${tokens[index - 2]?.image ?? ""} =', found ${foundText}`, hint: "e.g. lr = 0.01 or optimizer = sgd(momentum=0.9)", anchor: "after-previous" };
  }
  if (facts.rule === "aliasPath") {
    return { message: `expected a name or a whole number after '.', found ${foundText}`, hint: "e.g. as layer1.0.conv1", anchor: "after-previous" };
  }
  return { message: `unexpected ${foundText}`, anchor: "found" };
}

export function describe(site: ErrorSite): Description {
  const { found, tokens, index } = site;
  const adjacentSlash = (token: IToken | undefined): boolean =>
    found !== undefined && token?.tokenType === t.Slash && Math.abs(token.startOffset - found.startOffset) === 1;
  if (found?.tokenType === t.Slash && (adjacentSlash(tokens[index + 1]) || adjacentSlash(tokens[index - 1]))) {
    return { message: "comments start with '#', not '//'", hint: "write # before the comment", anchor: "found" };
  }
  const isKeyword = (token: IToken | undefined): token is IToken => token !== undefined && t.keywordTokens.includes(token.tokenType);
  // `in = conv(3)`, `train = relu`: a keyword where a statement name belongs.
  const misusedKeyword = isKeyword(found) && tokens[index + 1]?.tokenType === t.Equals ? found : found?.tokenType === t.Equals && isKeyword(site.previous) ? site.previous : undefined;
  if (misusedKeyword !== undefined && misusedKeyword.tokenType !== t.As) {
    return {
      message: `'${misusedKeyword.image}' is a reserved word and cannot be used as a name`,
      hint: misusedKeyword.tokenType === t.Input ? "choose another name; inputs are declared as 'input NAME: DIMS'" : "choose another name",
      anchor: misusedKeyword === found ? "found" : "previous",
    };
  }
  const strayCloser = closerOf(found);
  if (strayCloser !== undefined && !site.open.some((bracket) => bracket.closer === strayCloser)) {
    return { message: `unmatched '${strayCloser}'`, hint: "remove it, or check the bracket it was meant to close", anchor: "found" };
  }
  if (site.facts.kind === "mismatch" || site.facts.kind === "not-all-input") return describeMismatch(site);
  return describeNoAlternative(site);
}
