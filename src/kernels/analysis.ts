// Questions the passes, the verifier and the memory planner ask of a kernel graph: who reads a value,
// who writes it, how many storage buffers a kernel binds.
import { NO_VALUE, type EpilogueStageSpec, type KernelGraph, type KernelNode } from "./kernelGraph.js";

/** The values a kernel reads: its inputs, then its epilogue's operands. */
export function valuesRead(kernel: KernelNode): number[] {
  return [...kernel.inputs, ...kernel.epilogue.flatMap((stage) => (stage.kind === "add" || stage.kind === "mul" ? [stage.value] : []))];
}

/** For each value, the positions (in `kernels`) of the kernels reading it, ascending. */
export function readersOf(graph: KernelGraph): Map<number, number[]> {
  const readers = new Map<number, number[]>();
  graph.kernels.forEach((kernel, position) => {
    for (const value of new Set(valuesRead(kernel))) {
      const list = readers.get(value) ?? [];
      list.push(position);
      readers.set(value, list);
    }
  });
  return readers;
}

/** For each value, the positions of the kernels writing it (several for a concat written in place). */
export function writersOf(graph: KernelGraph): Map<number, number[]> {
  const writers = new Map<number, number[]>();
  graph.kernels.forEach((kernel, position) => {
    if (kernel.output === NO_VALUE) return;
    const list = writers.get(kernel.output) ?? [];
    list.push(position);
    writers.set(kernel.output, list);
  });
  return writers;
}

/** Storage buffers a stage adds to its kernel. */
function stageBindings(stage: EpilogueStageSpec): number {
  switch (stage.kind) {
    case "bias":
    case "add":
    case "mul":
      return 1;
    case "scale_shift":
      return 2;
    case "batchnorm":
      return 4;
    case "activation":
      return 0;
  }
}

/**
 * The most storage buffers the kernel's dispatches bind (an im2col conv's GEMM: columns, weight,
 * output and a chunk counter; an elementwise kernel: its operands and output), epilogue included.
 */
export function storageBindingsOf(kernel: KernelNode): number {
  const own = (() => {
    switch (kernel.anchor) {
      case "conv":
        // The im2col GEMM binds a chunk counter too; fusion runs before the schedule is chosen, so count it always.
        return 4;
      case "conv_transpose":
      case "fc":
        return 3;
      case "elementwise":
        return kernel.inputs.length + 1;
      case "training":
        return Object.keys(kernel.training?.operands ?? {}).length;
      default:
        return 2;
    }
  })();
  return own + kernel.epilogue.reduce((total, stage) => total + stageBindings(stage), 0);
}

/** `c1+r1+p1`: a kernel's layers by name, for messages. */
export function kernelLabel(graph: KernelGraph, kernel: KernelNode): string {
  // A backward or update kernel implements no layer: it is named after the layer it differentiates.
  if (kernel.layers.length === 0) return graph.source.nodes[kernel.anchorLayer]!.name;
  return kernel.layers.map((layer) => graph.source.nodes[layer]!.name).join("+");
}
