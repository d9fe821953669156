// Source text as the lexer and the diagnostics formatter both see it: without a leading UTF-8
// byte-order mark (editors on Windows write one), split into lines at "\n" (a "\r" before it is
// dropped, as the lexer does: its positions count only "\n").

const BYTE_ORDER_MARK = "\ufeff";

/**
 * The text without a byte-order mark at its start. Offsets, lines and columns in spans count from
 * after the mark, so line 1's first character is column 1.
 */
export function withoutByteOrderMark(text: string): string {
  return text.startsWith(BYTE_ORDER_MARK) ? text.slice(BYTE_ORDER_MARK.length) : text;
}

/**
 * Finds lines by number and the line and column of an offset; the line starts are computed once per
 * text, so that each look-up is a binary search (a file with 100,000 errors is not scanned for each).
 */
export class SourceLines {
  /** The text without its byte-order mark: what offsets count in. */
  readonly text: string;
  private readonly starts: number[] = [0];

  constructor(text: string) {
    this.text = withoutByteOrderMark(text);
    for (let i = this.text.indexOf("\n"); i >= 0; i = this.text.indexOf("\n", i + 1)) this.starts.push(i + 1);
  }

  /** Line `number` (1-based) without its line break; undefined past the end. */
  line(number: number): string | undefined {
    const start = this.starts[number - 1];
    if (start === undefined) return undefined;
    const next = this.starts[number];
    const end = next === undefined ? this.text.length : next - 1;
    const line = this.text.slice(start, end);
    return line.endsWith("\r") && next !== undefined ? line.slice(0, -1) : line;
  }

  /** The 1-based line and column of `offset` (past the end: on the last line). */
  position(offset: number): { line: number; column: number } {
    let low = 0;
    let high = this.starts.length - 1;
    // The last line start at or before the offset.
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.starts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - this.starts[low]! + 1 };
  }
}
