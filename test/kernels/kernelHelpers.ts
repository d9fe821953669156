// Kernel graphs of example networks and of small sources, built with every verifier on.
import { compileSource } from "../../src/compile.js";
import type { Graph } from "../../src/ir/graph.js";
import type { KernelGraph } from "../../src/kernels/kernelGraph.js";
import { buildKernelGraph, type BuildPlanOptions } from "../../src/pipeline.js";
import { compileExample } from "../examples/exampleHelpers.js";

export function compileText(source: string): Graph {
  const result = compileSource(source, "test.cnn", { verify: true });
  if (result.graph === undefined) throw new Error(result.diagnostics.map((diagnostic) => diagnostic.message).join("\n"));
  return result.graph;
}

export function exampleKernels(name: string, options: BuildPlanOptions = {}): KernelGraph {
  return buildKernelGraph(compileExample(name), { verify: true, ...options });
}

export function kernelsOf(source: string, options: BuildPlanOptions = {}): KernelGraph {
  return buildKernelGraph(compileText(source), { verify: true, ...options });
}

/** Each kernel as `anchor[layer+layer+...]`, in order: what the count tests compare. */
export function kernelShapes(graph: KernelGraph): string[] {
  return graph.kernels.map((kernel) => `${kernel.anchor}[${kernel.layers.map((layer) => graph.source.nodes[layer]!.name).join("+")}]`);
}
