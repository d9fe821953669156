// Diagnostics about characters and tokens, before parsing: characters no token accepts, strings
// without a closing quote or with unknown escapes, and dims written with spaces (`3 x 3`), which
// are repaired into one Dims token so that the parser does not report a cascade of errors for them.
import { createTokenInstance, type ILexingError, type IToken } from "chevrotain";
import { makeDiagnostic, type Diagnostic } from "./diagnostics.js";
import { countOf } from "./numberText.js";
import type { SourceLines } from "./sourceText.js";
import { spanAtOffset, tokenSpan } from "./spans.js";
import { decodeString } from "./strings.js";
import { Dims, Equals, Identifier, NumberLiteral, StringLiteral } from "./tokens.js";

function describeCharacter(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  // Spaces, controls and format characters (bidi overrides, zero-width ones) are shown by code only.
  const visible = code > 0x20 && code < 0x7f ? char : code > 0xa0 && !/[\s\p{C}]/u.test(char) ? char : "";
  const unicode = `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
  if (char === "'") return `"'"`;
  return visible === "" ? unicode : code < 0x7f ? `'${visible}'` : `'${visible}' (${unicode})`;
}

function hintForCharacter(char: string): string {
  if (char === "'") return 'strings are written with double quotes: "..."';
  if (char === "×" || char === "✕") return "dims are written with a lowercase x, e.g. 3x3";
  if (char === "\\") return "a backslash may only appear inside a string";
  if (char === "—" || char === "–" || char === "→") return "write the arrow between layers as '->'";
  if (char === "“" || char === "”") return 'use plain double quotes: "..."';
  if (/\p{L}/u.test(char)) return "names may only use ASCII letters, digits and '_'";
  if (/\s/u.test(char)) return "remove it (an invisible whitespace character that is not a space, tab or newline)";
  return "remove it";
}

/** A run of stray characters is described by its first few; the caret shows the whole run. */
const MAX_DESCRIBED_CHARACTERS = 30;

export function lexErrorDiagnostics(lines: SourceLines, errors: readonly ILexingError[], file: string): Diagnostic[] {
  return errors.map((error) => {
    const skipped = lines.text.slice(error.offset, error.offset + error.length);
    const characters = [...skipped];
    const first = characters[0] ?? "";
    const printable = characters.every((char) => /^[\x21-\x7e]$/.test(char));
    const cut = characters.length > MAX_DESCRIBED_CHARACTERS;
    const shown = cut ? characters.slice(0, printable ? MAX_DESCRIBED_CHARACTERS : 6) : characters;
    const more = cut ? ` (${characters.length} in all)` : "";
    const message =
      characters.length === 1
        ? `unexpected character ${describeCharacter(first)}`
        : printable
          ? `unexpected characters '${shown.join("")}${cut ? "…" : ""}'${more}`
          : `unexpected characters ${shown.map(describeCharacter).join(" ")}${cut ? " …" : ""}${more}`;
    return makeDiagnostic("lex", message, spanAtOffset(lines, error.offset, error.length, file), { hint: hintForCharacter(first) });
  });
}

const MAX_ESCAPES_REPORTED = 5;

export function stringDiagnostics(tokens: readonly IToken[], file: string): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const token of tokens) {
    if (token.tokenType !== StringLiteral) continue;
    const decoded = decodeString(token.image);
    if (!decoded.terminated) {
      diagnostics.push(
        makeDiagnostic("lex", "unterminated string", tokenSpan(token, file), { hint: "add the closing '\"' before the end of the line" }),
      );
    }
    // A string full of backslashes gets its first few reported, the last of them saying how many more.
    const reported = decoded.unknownEscapes.slice(0, MAX_ESCAPES_REPORTED);
    const more = decoded.unknownEscapes.length - reported.length;
    reported.forEach((offset, index) => {
      const span = tokenSpan(token, file);
      const escape = token.image.slice(offset, offset + 2);
      const notes = more > 0 && index === reported.length - 1 ? [`${countOf(more, "more unknown escape")} in this string`] : [];
      diagnostics.push(
        makeDiagnostic(
          "lex",
          `unknown escape '${escape}' in a string`,
          { ...span, startOffset: span.startOffset + offset, endOffset: span.startOffset + offset + 1, startColumn: span.startColumn + offset, endColumn: span.startColumn + offset + 1, endLine: span.startLine },
          { hint: "the escapes are \\\" \\\\ \\n \\t \\r; write '/' in paths, or '\\\\' for a backslash", notes },
        ),
      );
    });
  }
  return diagnostics;
}

const wholeDims = /^\d+(?:x\d+)*$/;

/** The sizes a token contributes to a spaced-dims run: `3` → [3], `3x3` → [3,3], `x3`/`X3x2` → [3] / [3,2]. */
function sizesOf(token: IToken, position: "first" | "next"): string[] | undefined {
  if (position === "first") {
    if ((token.tokenType === NumberLiteral || token.tokenType === Dims) && wholeDims.test(token.image)) return token.image.split("x");
    return undefined;
  }
  if (token.tokenType === Identifier && /^[xX]\d+(?:[xX]\d+)*$/.test(token.image)) return token.image.slice(1).split(/[xX]/);
  return undefined;
}

function isSizeToken(token: IToken | undefined): token is IToken {
  return token !== undefined && sizesOf(token, "first") !== undefined;
}

/**
 * Finds dims written with spaces or a capital X on one line (`3 x 32 x 32`, `3 x3`, `5X5`) and
 * replaces each run by one Dims token, with a diagnostic. Without this the parser would read
 * `3 x 3` as the number 3 followed by a new statement `x`.
 */
export function repairSpacedDims(tokens: readonly IToken[], file: string): { tokens: IToken[]; diagnostics: Diagnostic[] } {
  const repaired: IToken[] = [];
  const diagnostics: Diagnostic[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const first = tokens[i]!;
    const sizes = sizesOf(first, "first");
    let last = i;
    if (sizes !== undefined) {
      for (;;) {
        const next = tokens[last + 1];
        if (next === undefined || next.startLine !== first.startLine) break;
        const attached = sizesOf(next, "next");
        if (attached !== undefined) {
          for (const size of attached) sizes.push(size);
          last += 1;
          continue;
        }
        const after = tokens[last + 2];
        if (next.tokenType === Identifier && /^[xX]$/.test(next.image) && isSizeToken(after) && after.startLine === first.startLine) {
          for (const size of after.image.split("x")) sizes.push(size);
          last += 2;
          continue;
        }
        break;
      }
    }
    // `[relu] * 2 x3 = fc(10)` on one line is a statement named x3, not dims.
    if (last === i || tokens[last + 1]?.tokenType === Equals) {
      repaired.push(first);
      continue;
    }
    const end = tokens[last]!;
    const image = sizes!.join("x");
    repaired.push(
      createTokenInstance(Dims, image, first.startOffset, end.endOffset ?? end.startOffset, first.startLine ?? 1, end.endLine ?? 1, first.startColumn ?? 1, end.endColumn ?? 1),
    );
    const written = tokens.slice(i, last + 1).map((token) => token.image);
    const hasSpaces = (end.endOffset ?? end.startOffset) - first.startOffset + 1 > written.join("").length;
    const message = hasSpaces ? "dims are written without spaces" : "dims are written with a lowercase 'x'";
    const span = { ...tokenSpan(first, file), endOffset: end.endOffset ?? end.startOffset, endLine: end.endLine ?? 1, endColumn: end.endColumn ?? 1 };
    diagnostics.push(makeDiagnostic("lex", message, span, { hint: `write ${image}` }));
    i = last;
  }
  return { tokens: repaired, diagnostics };
}
