// The public entry point of the grammar: text → AST + diagnostics. It never throws: bad input only
// produces diagnostics, and an exception from our own code becomes an `internal` diagnostic (a bug).
import type { Program } from "./ast.js";
import { makeDiagnostic, type Diagnostic } from "./diagnostics.js";
import { lexErrorDiagnostics, repairSpacedDims, stringDiagnostics } from "./lexicalDiagnostics.js";
import { MAX_NESTING, tooDeep } from "./limits.js";
import { excessiveNesting } from "./openBrackets.js";
import { createParser } from "./parser.js";
import { startOfFile, tokenSpan } from "./spans.js";
import { SourceLines } from "./sourceText.js";
import { parseErrorDiagnostics } from "./syntaxDiagnostics.js";
import { cnnLexer } from "./tokens.js";
import { AstBuilder } from "./visitor.js";

export interface ParseResult {
  program: Program;
  diagnostics: Diagnostic[];
}

/** A UTF-8 byte-order mark at the start of `text` is skipped: spans count from after it. */
export function parseProgram(text: string, file: string): ParseResult {
  try {
    return parseUnchecked(text, file);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    const diagnostic = makeDiagnostic("internal", `internal error in the parser: ${detail}`, startOfFile(file), {
      hint: "this is a bug in cnnc; please report it with the file that triggered it",
    });
    return { program: { file, items: [] }, diagnostics: [diagnostic] };
  }
}

function parseUnchecked(source: string, file: string): ParseResult {
  const lines = new SourceLines(source);
  const lexed = cnnLexer.tokenize(lines.text);
  const { tokens, diagnostics: dimsDiagnostics } = repairSpacedDims(lexed.tokens, file);
  // Spread into an array literal, never into push(...): the lists can hold millions of diagnostics.
  const lexical = [...lexErrorDiagnostics(lines, lexed.errors, file), ...stringDiagnostics(lexed.tokens, file), ...dimsDiagnostics];

  const deepest = excessiveNesting(tokens, MAX_NESTING);
  if (deepest !== undefined) {
    return { program: { file, items: [] }, diagnostics: [...lexical, tooDeep(tokenSpan(deepest, file))].sort(byPosition) };
  }

  const parser = createParser();
  parser.input = tokens;
  const cst = parser.program();
  const syntax = parseErrorDiagnostics(parser.errors, tokens, file);

  const builder = new AstBuilder(file);
  const built: unknown = builder.visit(cst, cst.location);
  const program = built as Program;
  const selected = selectDiagnostics(lexical, [...syntax.errors, ...builder.diagnostics]);
  return { program, diagnostics: [...selected, ...syntax.unclosed].sort(byPosition) };
}

function byPosition(a: Diagnostic, b: Diagnostic): number {
  return a.span.startOffset - b.span.startOffset || a.span.endOffset - b.span.endOffset;
}

/**
 * Keeps every lexical diagnostic, but at most one syntax diagnostic per line, and none on a line
 * after a lexical one there: after a first error, error recovery often reports a cascade on the
 * same line that only restates it. Diagnostics at the very same place and text are said once.
 */
function selectDiagnostics(lexical: Diagnostic[], syntax: Diagnostic[]): Diagnostic[] {
  const kept = [...lexical].sort(byPosition);
  const linesWithErrors = new Map<number, number>(); // line → offset of its first kept diagnostic
  for (const diagnostic of kept) {
    const earlier = linesWithErrors.get(diagnostic.span.startLine);
    if (earlier === undefined || diagnostic.span.startOffset < earlier) linesWithErrors.set(diagnostic.span.startLine, diagnostic.span.startOffset);
  }
  const seen = new Set<string>();
  for (const diagnostic of [...syntax].sort(byPosition)) {
    const key = `${diagnostic.span.startOffset}:${diagnostic.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const earlier = linesWithErrors.get(diagnostic.span.startLine);
    if (earlier !== undefined && earlier <= diagnostic.span.startOffset) continue;
    kept.push(diagnostic);
    if (earlier === undefined) linesWithErrors.set(diagnostic.span.startLine, diagnostic.span.startOffset);
  }
  return kept.sort(byPosition);
}
