// Parser errors → user-facing diagnostics. Chevrotain tells us which tokens it expected and where
// (see errorMessages.ts); the token stream tells us what came before and which brackets are open.
// From both we say what is wrong in the user's terms and how to fix it.
import type { IRecognitionException, IToken, TokenType } from "chevrotain";
import type { SourceSpan } from "./ast.js";
import { closestMatch, makeDiagnostic, type Diagnostic } from "./diagnostics.js";
import { decodeErrorMessage, type ParseErrorFacts } from "./errorMessages.js";
import { openBracketsBefore, type Closer, type OpenBracket } from "./openBrackets.js";
import { joinSpans, pointAfter, tokenSpan } from "./spans.js";
import * as t from "./tokens.js";

/** A diagnostic about a missing closer, with the opener it is about (to avoid saying it twice). */
interface SyntaxDiagnostic {
  diagnostic: Diagnostic;
  closesOpener?: IToken;
}

/** Where the caret goes: on the token found, just after the previous token, or over both. */
type Anchor = "found" | "after-previous" | "previous" | "previous-and-found";

interface Description {
  message: string;
  hint?: string;
  anchor: Anchor;
  closesOpener?: IToken;
}

interface ErrorSite {
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
const topLevelStarters: readonly TokenType[] = [t.Network, t.Block, t.Use, t.Train];
const expressionStarters: readonly TokenType[] = [t.NumberLiteral, t.Dims, t.StringLiteral, t.Identifier, t.In, t.LParen, t.LBracket, t.Minus];
const expressionEnders: readonly TokenType[] = [t.NumberLiteral, t.Dims, t.StringLiteral, t.Identifier, t.In, t.RParen, t.RBracket];
const closerTokenNames: Readonly<Record<string, Closer>> = { RParen: ")", RBracket: "]", RCurly: "}" };

function closerOf(token: IToken | undefined): Closer | undefined {
  return token === undefined ? undefined : closerTokenNames[token.tokenType.name];
}

function labelOf(tokenTypeName: string): string {
  if (tokenTypeName === "EOF") return "the end of the file";
  const type = t.allTokens.find((candidate) => candidate.name === tokenTypeName);
  return type?.LABEL ?? tokenTypeName;
}

function describeFound(token: IToken | undefined): string {
  if (token === undefined) return "the end of the file";
  const image = token.image.length > 24 ? `${token.image.slice(0, 21)}...` : token.image;
  return t.keywordTokens.includes(token.tokenType) ? `the keyword '${image}'` : `'${image}'`;
}

function isOneOf(token: IToken | undefined, types: readonly TokenType[]): boolean {
  return token !== undefined && types.includes(token.tokenType);
}

function openedAt(bracket: OpenBracket): string {
  return `${bracket.start.startLine ?? 1}:${bracket.start.startColumn ?? 1}`;
}

function missingCloser(bracket: OpenBracket): Description {
  const where = bracket.isBody ? " after the last statement" : bracket.isTrain ? " after the last setting" : "";
  return {
    message: `missing '${bracket.closer}' to close ${bracket.description} opened at ${openedAt(bracket)}`,
    hint: `add '${bracket.closer}'${where}`,
    anchor: "after-previous",
    closesOpener: bracket.token,
  };
}

/** `name` after the keyword that introduces it, for messages like "expected the network's name". */
const namedThings: Readonly<Record<string, { what: string; example: string }>> = {
  networkDecl: { what: "the network's name after 'network'", example: "network LeNet5 { ... }" },
  blockDecl: { what: "the block's name after 'block'", example: "block basic(ch, stride=1) { ... }" },
  constDecl: { what: "the constant's name after 'const'", example: "const WIDTH = 64" },
  inputStmt: { what: "the input's name after 'input'", example: "input image: 1x28x28" },
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
    if (
      matching.isArguments &&
      previous?.tokenType === t.Identifier &&
      isOneOf(argumentStart, [t.LParen, t.Comma]) &&
      isOneOf(found, expressionStarters)
    ) {
      return {
        message: `missing '=' between the argument name '${previous.image}' and its value`,
        hint: `write ${previous.image}=${found.image}`,
        anchor: "previous-and-found",
      };
    }
    if ((matching.isArguments || matching.description === "the list") && isOneOf(previous, expressionEnders) && isOneOf(found, expressionStarters)) {
      const between = matching.isArguments ? "arguments" : "list items";
      return { message: `missing ',' between ${between}`, hint: `separate ${between} with ','`, anchor: "found" };
    }
    const sameLine = found.startLine === matching.token.startLine;
    return {
      message: `expected '${closer}' to close ${matching.description}${sameLine ? "" : ` opened at ${openedAt(matching)}`}`,
      hint: `add '${closer}' before ${foundText}`,
      anchor: "found",
      closesOpener: matching.token,
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
    const example = facts.rule === "constDecl" ? `const ${name} = 64` : `${name} = 0.01`;
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
    if (previous?.tokenType === t.Comma && isOneOf(found, [t.RParen, t.RBracket])) {
      return { message: "expected a value after ','", hint: "remove the trailing ','", anchor: "previous" };
    }
    if (previous?.tokenType === t.Equals && innermost?.isArguments === true) {
      const name = tokens[index - 2]?.image ?? "";
      return { message: `expected a value after '${name}=', found ${foundText}`, hint: `e.g. ${name}=1`, anchor: "after-previous" };
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

function describe(site: ErrorSite): Description {
  const { found, tokens, index } = site;
  const next = tokens[index + 1];
  if (found?.tokenType === t.Slash && next?.tokenType === t.Slash && next.startOffset === found.startOffset + 1) {
    return { message: "comments start with '#', not '//'", hint: "write # before the comment", anchor: "found" };
  }
  const strayCloser = closerOf(found);
  if (strayCloser !== undefined && !site.open.some((bracket) => bracket.closer === strayCloser)) {
    return { message: `unmatched '${strayCloser}'`, hint: "remove it, or check the bracket it was meant to close", anchor: "found" };
  }
  if (site.facts.kind === "mismatch" || site.facts.kind === "not-all-input") return describeMismatch(site);
  return describeNoAlternative(site);
}

function anchorSpan(anchor: Anchor, site: ErrorSite, file: string): SourceSpan {
  const { found, previous } = site;
  if (found === undefined) return previous === undefined ? startOfFile(file) : pointAfter(previous, file);
  if (previous === undefined) return tokenSpan(found, file);
  switch (anchor) {
    case "found":
      return tokenSpan(found, file);
    case "previous":
      return tokenSpan(previous, file);
    case "previous-and-found":
      return joinSpans(tokenSpan(previous, file), tokenSpan(found, file));
    case "after-previous":
      return found.startLine === previous.endLine ? tokenSpan(found, file) : pointAfter(previous, file);
  }
}

function startOfFile(file: string): SourceSpan {
  return { file, startOffset: 0, endOffset: 0, startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 };
}

/** Index of `token` in `tokens` (by offset); tokens.length for EOF or a token not in the stream. */
function indexOf(tokens: readonly IToken[], token: IToken): number {
  if (!Number.isFinite(token.startOffset)) return tokens.length;
  let low = 0;
  let high = tokens.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const offset = tokens[middle]!.startOffset;
    if (offset === token.startOffset) return middle;
    if (offset < token.startOffset) low = middle + 1;
    else high = middle - 1;
  }
  return tokens.length;
}

function syntaxDiagnostic(site: ErrorSite, file: string): SyntaxDiagnostic {
  const description = describe(site);
  const extra = description.hint === undefined ? {} : { hint: description.hint };
  const diagnostic = makeDiagnostic("syntax", description.message, anchorSpan(description.anchor, site, file), extra);
  return description.closesOpener === undefined ? { diagnostic } : { diagnostic, closesOpener: description.closesOpener };
}

/**
 * Turns the parser's errors into diagnostics (`errors`), and reports each bracket still open at the
 * end of the file that no error has mentioned yet (`unclosed`): the parser stops reporting after its
 * first error at the end of the file.
 */
export function parseErrorDiagnostics(
  errors: readonly IRecognitionException[],
  tokens: readonly IToken[],
  file: string,
): { errors: Diagnostic[]; unclosed: Diagnostic[] } {
  const located = errors.map((error) => ({
    facts: decodeErrorMessage(error.message),
    index: indexOf(tokens, error.token),
    ruleStack: error.context?.ruleStack ?? [],
  }));
  const virtualClosers = new Map<number, Closer[]>();
  for (const { facts, index } of located) {
    const closer = facts.kind === "mismatch" ? closerTokenNames[facts.expected[0] ?? ""] : undefined;
    // When the closer follows the bad token, recovery deletes that token and the real closer counts.
    if (closer === undefined || closerOf(tokens[index + 1]) === closer) continue;
    // A stray token in a body or train section is skipped and the section goes on, unless the next
    // declaration starts: then the parser acts as if the `}` were there.
    if (closer === "}" && !isOneOf(tokens[index], topLevelStarters)) continue;
    virtualClosers.set(index, [...(virtualClosers.get(index) ?? []), closer]);
  }
  const results: SyntaxDiagnostic[] = located.map(({ facts, index, ruleStack }) => {
    const site: ErrorSite = {
      facts,
      ruleStack,
      tokens,
      index,
      found: tokens[index],
      previous: tokens[index - 1],
      open: openBracketsBefore(tokens, index, virtualClosers),
    };
    return syntaxDiagnostic(site, file);
  });
  const unclosedDiagnostics: Diagnostic[] = [];
  if (errors.length > 0) {
    const mentioned = new Set(results.flatMap((result) => (result.closesOpener === undefined ? [] : [result.closesOpener.startOffset])));
    const unclosed = openBracketsBefore(tokens, tokens.length, virtualClosers).reverse();
    for (const bracket of unclosed) {
      if (mentioned.has(bracket.token.startOffset)) continue;
      const site: ErrorSite = { facts: { kind: "mismatch", expected: [], rule: "" }, ruleStack: [], tokens, index: tokens.length, found: undefined, previous: tokens[tokens.length - 1], open: [] };
      const description = missingCloser(bracket);
      unclosedDiagnostics.push(makeDiagnostic("syntax", description.message, anchorSpan("after-previous", site, file), { hint: description.hint ?? "" }));
    }
  }
  return { errors: results.map((result) => result.diagnostic), unclosed: unclosedDiagnostics };
}
