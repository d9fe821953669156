// Compiles the files in examples/ through the real file system, with the verifier on.
import { join } from "node:path";
import { formatDiagnostics } from "../../grammar/diagnostics.js";
import { compileFile } from "../../src/compile.js";
import type { Graph } from "../../src/ir/graph.js";

export const EXAMPLES_DIR = join(import.meta.dirname, "../../examples");

export function compileExample(name: string): Graph {
  const result = compileFile(join(EXAMPLES_DIR, name), { verify: true });
  if (result.graph === undefined || result.diagnostics.length > 0) {
    throw new Error(`${name} should compile cleanly:\n${formatDiagnostics(result.diagnostics, result.sources)}`);
  }
  return result.graph;
}

export function totalParams(graph: Graph): number {
  return graph.nodes.reduce((total, node) => total + node.paramCount, 0);
}

/** Output shapes of the nodes with the given op, in order. */
export function shapesOf(graph: Graph, op: string): number[][] {
  return graph.nodes.filter((node) => node.attrs.op === op).map((node) => node.shape);
}
