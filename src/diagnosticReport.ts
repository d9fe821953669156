// A compilation's diagnostics as one report, the same for the CLI (stderr) and the library (the
// message of the CnncUserError `compile` throws): at most MAX_DIAGNOSTICS_SHOWN of them in source
// order, then a count of the rest, and the line that names the file and the counts.
import { escapeUnsafe } from "../grammar/displayText.js";
import { formatDiagnostics, type Diagnostic } from "../grammar/diagnostics.js";
import { countOf } from "./ir/format.js";

/** Past a first few dozen diagnostics, more are noise (a pasted binary makes thousands): they are counted. */
export const MAX_DIAGNOSTICS_SHOWN = 50;

/** `2 errors, 1 warning`; with `adjective`: `2 more errors, 1 more warning`. */
export function severityCounts(diagnostics: readonly Diagnostic[], adjective = ""): string {
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  const parts = [...(errors > 0 || warnings === 0 ? [countOf(errors, `${adjective}error`)] : []), ...(warnings > 0 ? [countOf(warnings, `${adjective}warning`)] : [])];
  return parts.join(", ");
}

/** The shown diagnostics, formatted with their source lines, and a line counting the others; "" for none. */
export function formatDiagnosticReport(diagnostics: readonly Diagnostic[], sources: ReadonlyMap<string, string>): string {
  if (diagnostics.length === 0) return "";
  const shown = formatDiagnostics(diagnostics.slice(0, MAX_DIAGNOSTICS_SHOWN), sources);
  const hidden = diagnostics.slice(MAX_DIAGNOSTICS_SHOWN);
  if (hidden.length === 0) return `${shown}\n`;
  return `${shown}\n\n... and ${severityCounts(hidden, "more ")} not shown (the first ${MAX_DIAGNOSTICS_SHOWN} are above)\n`;
}

/** `net.cnn does not compile (2 errors, 1 warning)`. */
export function describeCompileFailure(file: string, diagnostics: readonly Diagnostic[]): string {
  return `${escapeUnsafe(file)} does not compile (${severityCounts(diagnostics)})`;
}
