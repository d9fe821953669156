// Prints a compilation's diagnostics to stderr and says whether it produced a graph.
import type { Diagnostic } from "../../grammar/diagnostics.js";
import { formatDiagnostics } from "../../grammar/diagnostics.js";
import { displayText } from "../../grammar/displayText.js";
import type { CompileResult } from "../compile.js";
import type { Graph } from "../ir/graph.js";
import { countOf } from "../ir/format.js";
import type { CliContext } from "./io.js";

/**
 * At most this many diagnostics are printed, in source order: past a first few dozen, more are noise
 * (a pasted binary makes thousands). The rest are counted, never dropped silently.
 */
export const MAX_DIAGNOSTICS_SHOWN = 50;

/** `2 errors, 1 warning`; with `adjective`: `2 more errors, 1 more warning`. */
function severityCounts(diagnostics: readonly Diagnostic[], adjective = ""): string {
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  return [...(errors > 0 || warnings === 0 ? [countOf(errors, `${adjective}error`)] : []), ...(warnings > 0 ? [countOf(warnings, `${adjective}warning`)] : [])].join(", ");
}

export function reportCompilation(file: string, result: CompileResult, context: CliContext): Graph | undefined {
  const { diagnostics } = result;
  const shown = diagnostics.slice(0, MAX_DIAGNOSTICS_SHOWN);
  const hidden = diagnostics.slice(MAX_DIAGNOSTICS_SHOWN);
  if (shown.length > 0) context.io.stderr(`${formatDiagnostics(shown, result.sources)}\n\n`);
  if (hidden.length > 0) context.io.stderr(`... and ${severityCounts(hidden, "more ")} not shown (the first ${MAX_DIAGNOSTICS_SHOWN} are above)\n`);
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  if (result.graph === undefined || errors > 0) {
    context.io.stderr(`error: ${displayText(file)} does not compile (${severityCounts(diagnostics)})\n`);
    context.setExitCode(1);
    return undefined;
  }
  return result.graph;
}
