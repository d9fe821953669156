// `compile(source)` for library users: the .cnn text to a shape-checked graph ready for createSession,
// or a CnncUserError whose message holds every diagnostic, formatted with source lines (warnings are
// returned alongside the graph rather than thrown).
import { hasErrors, type Diagnostic } from "../grammar/diagnostics.js";
import { compileSource, type CompileOptions } from "../src/compile.js";
import { describeCompileFailure, formatDiagnosticReport } from "../src/diagnosticReport.js";
import { CnncUserError } from "../src/errors.js";
import type { Graph } from "../src/ir/graph.js";

export interface CompileNetworkOptions extends CompileOptions {
  /** The name diagnostics use for the source, and the directory `use` paths are relative to. */
  file?: string;
}

export interface CompiledNetwork {
  graph: Graph;
  /** Warnings (an unused named value, ...); errors are thrown instead. */
  warnings: Diagnostic[];
}

/** Compiles .cnn source text; throws a CnncUserError listing the diagnostics when it has errors. */
export function compileNetwork(source: string, options: CompileNetworkOptions = {}): CompiledNetwork {
  const file = options.file ?? "<source>.cnn";
  const result = compileSource(source, file, options);
  if (hasErrors(result.diagnostics) || result.graph === undefined) {
    throw new CnncUserError(`${describeCompileFailure(file, result.diagnostics)}:\n${formatDiagnosticReport(result.diagnostics, result.sources).trimEnd()}`);
  }
  return { graph: result.graph, warnings: result.diagnostics };
}

/** The graph of .cnn source text (see compileNetwork for the warnings). */
export function compile(source: string, options: CompileNetworkOptions = {}): Graph {
  return compileNetwork(source, options).graph;
}
