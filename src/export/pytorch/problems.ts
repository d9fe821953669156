// Why a network cannot be exported: a problem at one layer, turned into a diagnostic at its source.
import { type Diagnostic, makeDiagnostic } from "../../../grammar/diagnostics.js";
import type { Node } from "../../ir/graph.js";

export interface ExportProblem {
  node: Node;
  /** Stable kebab-case code, `export-...`. */
  code: string;
  message: string;
  hint: string;
}


export function problemDiagnostic(problem: ExportProblem): Diagnostic {
  return makeDiagnostic(problem.code, problem.message, problem.node.span, { hint: problem.hint });
}
