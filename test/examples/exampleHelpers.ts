// Compiles the files in examples/ through the real file system, with the verifier on.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { formatDiagnostics, hasErrors } from "../../grammar/diagnostics.js";
import { compileFile, compileSource } from "../../src/compile.js";
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

/** Multiply-accumulates per sample above which an example runs at a reduced input size in tests. */
export const MACS_BUDGET = 60e6;

const INPUT_LINE = /^(\s*input\s+\w+\s*:\s*)(\d+)x(\d+)x(\d+)/m;

function compileText(text: string, file: string): Graph | undefined {
  const result = compileSource(text, file);
  return hasErrors(result.diagnostics) ? undefined : result.graph;
}

function totalMacs(graph: Graph): number {
  return graph.nodes.reduce((sum, node) => sum + node.macs, 0);
}

/**
 * The example's graph at full size when its multiply-accumulates per sample are within `macsBudget`, or
 * else at the smallest square input of the same size mod 32 that compiles (so stride-2 stages still
 * divide): the same layers, only smaller activations and fc input widths. `input` says which.
 */
export function exampleGraph(file: string, macsBudget: number): { graph: Graph; input: string } {
  const text = readFileSync(file, "utf8");
  const full = compileText(text, file);
  if (full === undefined) throw new Error(`${file} does not compile`);
  const match = INPUT_LINE.exec(text);
  const fullInput = match === null ? "as written" : `${match[2]}x${match[3]}x${match[4]}`;
  if (totalMacs(full) <= macsBudget || match === null) return { graph: full, input: fullInput };
  const size = Number(match[3]);
  for (let candidate = (size % 32) + 32; candidate < size; candidate += 32) {
    const reduced = text.replace(INPUT_LINE, `$1$2x${candidate}x${candidate}`);
    const graph = compileText(reduced, file);
    if (graph !== undefined) return { graph, input: `${match[2]}x${candidate}x${candidate} (reduced from ${fullInput})` };
  }
  return { graph: full, input: fullInput };
}
