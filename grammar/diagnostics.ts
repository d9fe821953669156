// Diagnostics are data: every stage returns them, only the CLI prints them and sets the exit code.
import type { SourceSpan } from "./ast.js";
import { displayText, escapeUnsafe } from "./displayText.js";
import { quoteSourceLine } from "./sourceQuote.js";
import { SourceLines } from "./sourceText.js";

export type Severity = "error" | "warning";

export interface Diagnostic {
  severity: Severity;
  /** Stable kebab-case identifier, e.g. `syntax`, `unknown-layer`, `shape-not-integer`. */
  code: string;
  /** What is wrong, one sentence, no trailing period needed. */
  message: string;
  span: SourceSpan;
  /** How to fix it. */
  hint?: string;
  /** Extra explanation lines (the arithmetic of a shape error, the candidates that would fit...). */
  notes?: string[];
}

export function makeDiagnostic(
  code: string,
  message: string,
  span: SourceSpan,
  extra: { hint?: string; notes?: string[]; severity?: Severity } = {},
): Diagnostic {
  const diagnostic: Diagnostic = { severity: extra.severity ?? "error", code, message, span };
  if (extra.hint !== undefined) diagnostic.hint = extra.hint;
  if (extra.notes !== undefined && extra.notes.length > 0) diagnostic.notes = extra.notes;
  return diagnostic;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/**
 * Renders one diagnostic the way compilers do:
 *
 *   examples/bad.cnn:4:7: error[shape-not-integer]: conv output width is not a whole number
 *      4 |   c1 = conv(6, kernel=3, stride=3)
 *        |        ^^^^^^^^^^^^^^^^^^^^^^^^^^
 *     = note: (7 - 3 + 2*0)/3 + 1 = 2.33 is not a whole number
 *     = help: use stride=2 or pad=1
 *
 * `sources` maps file names to their text so the offending line can be quoted. Everything printed is
 * made safe for a terminal (control characters escaped, long words and lines shortened; see
 * displayText.ts and sourceQuote.ts).
 */
export function formatDiagnostic(diagnostic: Diagnostic, sources: ReadonlyMap<string, string>): string {
  return formatWithLines(diagnostic, (file) => {
    const text = sources.get(file);
    return text === undefined ? undefined : new SourceLines(text);
  });
}

function formatWithLines(diagnostic: Diagnostic, linesOf: (file: string) => SourceLines | undefined): string {
  const { span } = diagnostic;
  // The path whole (escaped only): editors jump to `file:line:col`.
  const header = `${escapeUnsafe(span.file)}:${span.startLine}:${span.startColumn}: ${diagnostic.severity}[${diagnostic.code}]: ${displayText(diagnostic.message)}`;
  const lines = [header];
  const line = linesOf(span.file)?.line(span.startLine);
  if (line !== undefined) {
    const gutter = String(span.startLine).length;
    const endColumn = span.endLine === span.startLine ? span.endColumn : line.length;
    const quoted = quoteSourceLine(line, span.startColumn, endColumn);
    lines.push(`${" ".repeat(gutter + 2)}|`);
    lines.push(` ${span.startLine} | ${quoted.text}`);
    lines.push(`${" ".repeat(gutter + 2)}| ${quoted.caret}`);
  }
  for (const note of diagnostic.notes ?? []) lines.push(`  = note: ${displayText(note)}`);
  if (diagnostic.hint !== undefined) lines.push(`  = help: ${displayText(diagnostic.hint)}`);
  return lines.join("\n");
}

export function formatDiagnostics(diagnostics: readonly Diagnostic[], sources: ReadonlyMap<string, string>): string {
  // Each file is split into lines once, however many diagnostics quote it.
  const split = new Map<string, SourceLines | undefined>();
  const linesOf = (file: string): SourceLines | undefined => {
    if (!split.has(file)) {
      const text = sources.get(file);
      split.set(file, text === undefined ? undefined : new SourceLines(text));
    }
    return split.get(file);
  };
  return diagnostics.map((d) => formatWithLines(d, linesOf)).join("\n\n");
}

/**
 * What "did you mean" hints may cost: each candidate looked at takes one unit, and comparing it takes
 * one unit per cell of the edit-distance table. One budget is shared by all the hints of a compilation
 * (the elaboration's Reporter holds it), so that thousands of undefined names in a scope of thousands
 * cost a bounded time; once it is spent, hints say what to write instead of naming a match.
 */
export interface SuggestionBudget {
  left: number;
}

/** The budget of one compilation's hints: about a tenth of a second, far beyond the hints of real files. */
export const SUGGESTION_BUDGET = 20_000_000;

/**
 * Closest candidate by edit distance (ignoring case), for "did you mean ...?" hints; undefined when none
 * is close (within a third of the word's length) or when `budget` runs out before one is found. Without
 * a budget a call may spend SUGGESTION_BUDGET on its own.
 */
export function closestMatch(word: string, candidates: Iterable<string>, budget: SuggestionBudget = { left: SUGGESTION_BUDGET }): string | undefined {
  const limit = Math.max(1, Math.floor(word.length / 3));
  const lowered = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    if (budget.left <= 0 || bestDistance === 0) break;
    budget.left -= 1;
    // Only a strictly closer candidate replaces the best; the distance is at least the difference in length.
    const within = bestDistance - 1;
    if (Math.abs(word.length - candidate.length) > within) continue;
    const cells = lowered.length * (2 * within + 1);
    if (cells > budget.left) continue;
    budget.left -= cells;
    const distance = editDistanceWithin(lowered, candidate.toLowerCase(), within);
    if (distance <= within) {
      bestDistance = distance;
      best = candidate;
    }
  }
  return best;
}

/**
 * The edit distance of `a` and `b` when it is at most `max`, else max + 1. Only the diagonal band of
 * width 2 * max + 1 is computed (a path outside it costs more than max), and the computation stops at a
 * row whose every cell is past max.
 */
function editDistanceWithin(a: string, b: string, max: number): number {
  const over = max + 1;
  let previous = scratchRow(0, b.length);
  let current = scratchRow(1, b.length);
  for (let j = 0; j <= b.length; j++) previous[j] = Math.min(j, over);
  for (let i = 1; i <= a.length; i++) {
    const from = Math.max(1, i - max);
    const to = Math.min(b.length, i + max);
    current[from - 1] = from === 1 ? Math.min(i, over) : over;
    let rowMinimum = current[from - 1]!;
    const char = a.charCodeAt(i - 1);
    for (let j = from; j <= to; j++) {
      const substitution = previous[j - 1]! + (char === b.charCodeAt(j - 1) ? 0 : 1);
      const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution, over);
      current[j] = value;
      if (value < rowMinimum) rowMinimum = value;
    }
    if (to < b.length) current[to + 1] = over;
    if (rowMinimum >= over) return over;
    [previous, current] = [current, previous];
  }
  return previous[b.length]!;
}

/** The two rows of the edit-distance table, reused from call to call (hints compare many short names). */
const rows: [Int32Array, Int32Array] = [new Int32Array(256), new Int32Array(256)];

function scratchRow(index: 0 | 1, length: number): Int32Array {
  return length < rows[index].length ? rows[index] : new Int32Array(length + 1);
}
