// Prints a compilation's diagnostics to stderr and says whether it produced a graph.
import { formatDiagnostics } from "../../grammar/diagnostics.js";
import { displayText } from "../../grammar/displayText.js";
import type { CompileResult } from "../compile.js";
import type { Graph } from "../ir/graph.js";
import type { CliContext } from "./io.js";

export function reportCompilation(file: string, result: CompileResult, context: CliContext): Graph | undefined {
  const { diagnostics } = result;
  if (diagnostics.length > 0) context.io.stderr(`${formatDiagnostics(diagnostics, result.sources)}\n\n`);
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  if (result.graph === undefined || errors > 0) {
    const warnings = diagnostics.length - errors;
    const counts = [plural(errors, "error"), ...(warnings > 0 ? [plural(warnings, "warning")] : [])].join(", ");
    context.io.stderr(`error: ${displayText(file)} does not compile (${counts})\n`);
    context.setExitCode(1);
    return undefined;
  }
  return result.graph;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}
