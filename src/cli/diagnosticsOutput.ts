// Prints a compilation's diagnostics to stderr and says whether it produced a graph.
import { describeCompileFailure, formatDiagnosticReport } from "../diagnosticReport.js";
import type { CompileResult } from "../compile.js";
import type { Graph } from "../ir/graph.js";
import type { CliContext } from "./io.js";

export function reportCompilation(file: string, result: CompileResult, context: CliContext): Graph | undefined {
  const { diagnostics } = result;
  const report = formatDiagnosticReport(diagnostics, result.sources);
  if (report !== "") context.io.stderr(`${report}\n`);
  if (result.graph === undefined || diagnostics.some((d) => d.severity === "error")) {
    context.io.stderr(`error: ${describeCompileFailure(file, diagnostics)}\n`);
    context.setExitCode(1);
    return undefined;
  }
  return result.graph;
}
