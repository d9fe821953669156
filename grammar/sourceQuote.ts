// The quoted source line of a diagnostic and the caret line under it. The line is rendered for a
// terminal: unsafe characters escaped (displayText.ts), tabs expanded to tab stops, wide characters
// counted as two cells; the caret line is computed in the same cells, so it stays under the span. A
// line too long to print is cut to a window around the caret, with `…` where text is left out.

import { cellWidth, escapeCharacter, isUnsafeCharacter } from "./displayText.js";

/** Lines up to this many cells are quoted whole. */
export const MAX_QUOTED_CELLS = 100;
/** Cells of context kept before the caret when a long line is cut. */
const CONTEXT_BEFORE_CARET = 40;
const TAB_STOP = 4;
const ELLIPSIS = "…";

export interface QuotedLine {
  /** The line as printed (after the gutter). */
  text: string;
  /** The caret line (after the gutter): spaces, then `^`s under the span. */
  caret: string;
}

interface Piece {
  text: string;
  width: number;
}

/** How one character prints when it starts at cell `cell`. */
function pieceOf(char: string, cell: number): Piece {
  if (char === "\t") {
    const width = TAB_STOP - (cell % TAB_STOP);
    return { text: " ".repeat(width), width };
  }
  if (isUnsafeCharacter(char)) {
    const text = escapeCharacter(char);
    return { text, width: text.length };
  }
  return { text: char, width: cellWidth(char) };
}

/** Calls `visit` with each character of `line`, its UTF-16 index and the cell it starts at; returns the line's width. */
function walk(line: string, visit: (piece: Piece, index: number, cell: number) => void): number {
  let cell = 0;
  let index = 0;
  for (const char of line) {
    const piece = pieceOf(char, cell);
    visit(piece, index, cell);
    cell += piece.width;
    index += char.length;
  }
  return cell;
}

/**
 * Quotes `line` with a caret under columns `startColumn`..`endColumn` (1-based UTF-16 columns,
 * inclusive; columns past the end of the line point just after it).
 */
export function quoteSourceLine(line: string, startColumn: number, endColumn: number): QuotedLine {
  const startIndex = Math.max(0, startColumn - 1);
  const endIndex = Math.max(startIndex, endColumn - 1);
  let startCell: number | undefined;
  let endCell: number | undefined;
  const width = walk(line, (_piece, index, cell) => {
    if (startCell === undefined && index >= startIndex) startCell = cell;
    if (endCell === undefined && index > endIndex) endCell = cell;
  });
  const caretStart = startCell ?? width + (startIndex - line.length);
  const caretEnd = Math.max(caretStart + 1, endCell ?? width + Math.max(0, endIndex + 1 - line.length));

  if (width <= MAX_QUOTED_CELLS) {
    let text = "";
    walk(line, (piece) => (text += piece.text));
    return { text, caret: " ".repeat(caretStart) + "^".repeat(caretEnd - caretStart) };
  }

  const windowStart = Math.min(Math.max(0, caretStart - CONTEXT_BEFORE_CARET), Math.max(0, width - MAX_QUOTED_CELLS));
  const windowEnd = Math.min(width, windowStart + MAX_QUOTED_CELLS);
  let text = windowStart > 0 ? ELLIPSIS : "";
  walk(line, (piece, _index, cell) => {
    const end = cell + piece.width;
    if (end <= windowStart || cell >= windowEnd) return;
    // A tab or wide character cut by the window's edge: blanks keep the caret aligned.
    text += cell >= windowStart && end <= windowEnd ? piece.text : " ".repeat(Math.min(end, windowEnd) - Math.max(cell, windowStart));
  });
  if (windowEnd < width) text += ELLIPSIS;
  const lead = windowStart > 0 ? " " : "";
  // A span running past the window is shown up to its edge, then `…`.
  const visibleEnd = Math.max(caretStart + 1, Math.min(caretEnd, windowEnd));
  const cut = caretEnd > visibleEnd ? ELLIPSIS : "";
  return { text, caret: lead + " ".repeat(caretStart - windowStart) + "^".repeat(visibleEnd - caretStart) + cut };
}
