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

/** Closest candidate by edit distance, for "did you mean ...?" hints; undefined when none is close. */
export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    // The distance is at least the difference in length: no need to compute it (a 1 MB name stays cheap).
    if (Math.abs(word.length - candidate.length) > limit) continue;
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      bestDistance = distance;
      best = candidate;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      previous[j] = Math.min(above + 1, previous[j - 1]! + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return previous[b.length]!;
}
