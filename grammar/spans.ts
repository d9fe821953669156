// Source spans from tokens and CST node locations. Tokens that error recovery inserted (and the EOF
// token) carry NaN positions; the helpers here never turn those into spans.
import type { CstNodeLocation, IToken } from "chevrotain";
import type { SourceSpan } from "./ast.js";
import type { SourceLines } from "./sourceText.js";

/** A token that came from the source text (not EOF, not inserted by error recovery). */
export function isRealToken(token: IToken | undefined): token is IToken {
  return token !== undefined && token.isInsertedInRecovery !== true && Number.isFinite(token.startOffset);
}

export function tokenSpan(token: IToken, file: string): SourceSpan {
  return {
    file,
    startOffset: token.startOffset,
    endOffset: token.endOffset ?? token.startOffset + token.image.length - 1,
    startLine: token.startLine ?? 1,
    startColumn: token.startColumn ?? 1,
    endLine: token.endLine ?? token.startLine ?? 1,
    endColumn: token.endColumn ?? (token.startColumn ?? 1) + token.image.length - 1,
  };
}

/** The span of a CST node, or undefined when the node holds no real token (all inserted by recovery). */
export function locationSpan(location: CstNodeLocation | undefined, file: string): SourceSpan | undefined {
  if (location === undefined) return undefined;
  const { startOffset, endOffset, startLine, startColumn, endLine, endColumn } = location;
  const values = [startOffset, endOffset, startLine, startColumn, endLine, endColumn];
  if (!values.every((value): value is number => typeof value === "number" && Number.isFinite(value))) return undefined;
  return {
    file,
    startOffset,
    endOffset: endOffset as number,
    startLine: startLine as number,
    startColumn: startColumn as number,
    endLine: endLine as number,
    endColumn: endColumn as number,
  };
}

/** The first position of a file: where problems about the file as a whole (unreadable, empty) point. */
export function startOfFile(file: string): SourceSpan {
  return { file, startOffset: 0, endOffset: 0, startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 };
}

/** From the start of `first` to the end of `last`. */
export function joinSpans(first: SourceSpan, last: SourceSpan): SourceSpan {
  return {
    file: first.file,
    startOffset: first.startOffset,
    endOffset: last.endOffset,
    startLine: first.startLine,
    startColumn: first.startColumn,
    endLine: last.endLine,
    endColumn: last.endColumn,
  };
}

/** A one-character span just past the end of `token`: where a missing `)` or `}` belongs. */
export function pointAfter(token: IToken, file: string): SourceSpan {
  const span = tokenSpan(token, file);
  return {
    file,
    startOffset: span.endOffset + 1,
    endOffset: span.endOffset + 1,
    startLine: span.endLine,
    startColumn: span.endColumn + 1,
    endLine: span.endLine,
    endColumn: span.endColumn + 1,
  };
}

/** The span of `length` characters at `offset`, with lines and columns looked up in `lines`. */
export function spanAtOffset(lines: SourceLines, offset: number, length: number, file: string): SourceSpan {
  const start = lines.position(offset);
  const endOffset = offset + Math.max(1, length) - 1;
  const end = lines.position(endOffset);
  return { file, startOffset: offset, endOffset, startLine: start.line, startColumn: start.column, endLine: end.line, endColumn: end.column };
}
