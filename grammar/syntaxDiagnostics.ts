// Parser errors → user-facing diagnostics. Chevrotain tells us which tokens it expected and where
// (see errorMessages.ts); the token stream tells us what came before and which brackets are open;
// syntaxMessages.ts words the message, and this file places it and adds what the parser left out.
import type { IRecognitionException, IToken } from "chevrotain";
import type { SourceSpan } from "./ast.js";
import { makeDiagnostic, type Diagnostic } from "./diagnostics.js";
import { decodeErrorMessage } from "./errorMessages.js";
import { countOf } from "./numberText.js";
import { BracketScanner, type Closer, type OpenBracket } from "./openBrackets.js";
import { joinSpans, pointAfter, startOfFile, tokenSpan } from "./spans.js";
import { closerOf, closerTokenNames, describe, isOneOf, missingCloser, topLevelStarters, type Anchor, type Description, type ErrorSite } from "./syntaxMessages.js";

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
    case "after-two-before": {
      const twoBefore = site.tokens[site.index - 2];
      return twoBefore === undefined ? tokenSpan(found, file) : pointAfter(twoBefore, file);
    }
  }
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

function syntaxDiagnostic(description: Description, site: ErrorSite, file: string): Diagnostic {
  const extra = description.hint === undefined ? {} : { hint: description.hint };
  return makeDiagnostic("syntax", description.message, anchorSpan(description.anchor, site, file), extra);
}

/**
 * Turns the parser's errors into diagnostics (`errors`), and reports each bracket still open at the
 * end of the file (`unclosed`). The parser reports only its first error at the end of the file, so
 * the unclosed brackets are found from the tokens, the ones recovery closed excepted.
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
  // The open brackets at each error, found in one pass in token order.
  const scanner = new BracketScanner(tokens, virtualClosers);
  const openAt = new Map<number, OpenBracket[]>();
  for (const index of [...new Set(located.map((error) => error.index))].sort((a, b) => a - b)) openAt.set(index, scanner.openBefore(index));
  const syntaxErrors: Diagnostic[] = [];
  for (const { facts, index, ruleStack } of located) {
    const site: ErrorSite = {
      facts,
      ruleStack,
      tokens,
      index,
      found: tokens[index],
      previous: tokens[index - 1],
      open: openAt.get(index) ?? [],
    };
    const description = describe(site);
    // A missing closer at the end of the file is reported with the other unclosed brackets below.
    if (site.found === undefined && description.isMissingCloser === true) continue;
    syntaxErrors.push(syntaxDiagnostic(description, site, file));
  }
  const unclosed: Diagnostic[] = [];
  if (errors.length > 0) {
    const endSite: ErrorSite = {
      facts: { kind: "mismatch", expected: [], rule: "" },
      ruleStack: [],
      tokens,
      index: tokens.length,
      found: undefined,
      previous: tokens[tokens.length - 1],
      open: [],
    };
    const open = scanner.openBefore(tokens.length).reverse();
    // Innermost first; with many, the innermost few and the outermost (usually the network) suffice,
    // and the outermost says how many were left out.
    const reported = open.length > 5 ? [...open.slice(0, 4), open[open.length - 1]!] : open;
    for (const bracket of reported) unclosed.push(syntaxDiagnostic(missingCloser(bracket), endSite, file));
    const omitted = open.length - reported.length;
    if (omitted > 0) unclosed[unclosed.length - 1]!.notes = [`${countOf(omitted, "more bracket")} ${omitted === 1 ? "is" : "are"} still open between this one and the ones above`];
  }
  return { errors: syntaxErrors, unclosed };
}
