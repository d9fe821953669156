// Collects diagnostics during elaboration. While a block is being expanded, every diagnostic gets a note
// saying which instance it came from; the same problem in several instances of a block is reported once.
import type { SourceSpan } from "../../grammar/ast.js";
import { type Diagnostic, SUGGESTION_BUDGET, type SuggestionBudget, closestMatch, makeDiagnostic } from "../../grammar/diagnostics.js";

export interface DiagnosticExtra {
  /** A function is called only when the diagnostic is kept (not a repeat): for hints that take work. */
  hint?: string | (() => string);
  notes?: string[];
}

export function formatLocation(span: SourceSpan): string {
  return `${span.file}:${span.startLine}:${span.startColumn}`;
}

/** Block instances a diagnostic names, innermost first: deep nesting keeps the innermost and outermost few. */
const MAX_CONTEXT_NOTES = 6;

function contextNotes(context: readonly string[]): string[] {
  if (context.length <= MAX_CONTEXT_NOTES) return [...context];
  const omitted = context.length - (MAX_CONTEXT_NOTES - 1);
  return [...context.slice(0, 3), `… ${omitted} more enclosing block instances …`, ...context.slice(-2)];
}

export class Reporter {
  readonly diagnostics: Diagnostic[] = [];
  private readonly seen = new Set<string>();
  private readonly context: string[] = [];
  private errorCount = 0;
  /** Shared by every "did you mean" hint of the elaboration (see SuggestionBudget). */
  private readonly suggestions: SuggestionBudget = { left: SUGGESTION_BUDGET };

  error(code: string, message: string, span: SourceSpan, extra: DiagnosticExtra = {}): void {
    this.add("error", code, message, span, extra);
  }

  warning(code: string, message: string, span: SourceSpan, extra: DiagnosticExtra = {}): void {
    this.add("warning", code, message, span, extra);
  }

  get errors(): number {
    return this.errorCount;
  }

  /**
   * The closest name to `word` for a "did you mean" hint, looking through `candidates` in order (lazily:
   * pass iterators, not copies), within the budget all hints share; undefined when none is close.
   */
  closestName(word: string, ...candidates: Iterable<string>[]): string | undefined {
    return closestMatch(word, concatenated(candidates), this.suggestions);
  }

  /** Runs `body` with `note` added to every diagnostic it reports (innermost context first). */
  within<T>(note: string, body: () => T): T {
    this.context.unshift(note);
    try {
      return body();
    } finally {
      this.context.shift();
    }
  }

  private add(severity: "error" | "warning", code: string, message: string, span: SourceSpan, extra: DiagnosticExtra): void {
    const key = `${code}|${span.file}|${span.startOffset}|${span.endOffset}|${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    if (severity === "error") this.errorCount += 1;
    const notes = [...(extra.notes ?? []), ...contextNotes(this.context)];
    const options: { hint?: string; notes?: string[]; severity: "error" | "warning" } = { severity, notes };
    if (extra.hint !== undefined) options.hint = typeof extra.hint === "string" ? extra.hint : extra.hint();
    this.diagnostics.push(makeDiagnostic(code, message, span, options));
  }
}

function* concatenated(lists: readonly Iterable<string>[]): Iterable<string> {
  for (const list of lists) yield* list;
}
