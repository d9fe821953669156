// The kernel-graph verifier: the invariants every kernel pass must keep, returned as problems (empty =
// valid). Tests run it after lowering and after every pass, so a pass that breaks one fails there.
import { storageBindingsOf, valuesRead } from "./analysis.js";
import { NO_VALUE, type KernelGraph, type KernelNode } from "./kernelGraph.js";

export interface KernelVerifyOptions {
  /** Storage buffers one kernel may bind (the device's maxStorageBuffersPerShaderStage, or the build default). */
  maxStorageBindings: number;
}

export function verifyKernelGraph(graph: KernelGraph, options: KernelVerifyOptions): string[] {
  const problems: string[] = [];
  const layers = graph.source.nodes;
  const name = (layer: number): string => layers[layer]?.name ?? `#${layer}`;
  const describe = (kernel: KernelNode): string => `kernel ${kernel.id} (${kernel.anchor}: ${kernel.layers.map(name).join("+")})`;

  // Every source layer is implemented exactly once: by one kernel, or absorbed (an input, a view, a concat written in place).
  const coverage = layers.map(() => 0);
  for (const kernel of graph.kernels) if (kernel.partialOf === undefined) for (const layer of kernel.layers) coverage[layer]! += 1;
  for (const absorbed of graph.absorbed) coverage[absorbed.layer]! += 1;
  coverage.forEach((count, layer) => {
    if (count !== 1) problems.push(`layer ${name(layer)} is implemented ${count} times (must be exactly once)`);
  });

  // Values are written before they are read; several writers only for a concat's channel slices.
  const written = new Set<number>(graph.inputs);
  const slices = new Map<number, { offset: number; channels: number }[]>();
  graph.kernels.forEach((kernel, position) => {
    const where = describe(kernel);
    if (kernel.id !== position) problems.push(`${where}: id ${kernel.id} at position ${position}`);
    // A kernel implementing no layer is part of a training step's backward (a gradient, a sum of gradients).
    const backward = kernel.layers.length === 0;
    if (kernel.anchor === "training" && kernel.training === undefined) problems.push(`${where}: a training kernel without its work`);
    if (!backward && !kernel.layers.includes(kernel.anchorLayer)) problems.push(`${where}: its anchor layer ${name(kernel.anchorLayer)} is not among its layers`);
    for (const value of valuesRead(kernel)) {
      if (graph.values[value] === undefined) problems.push(`${where}: reads value ${value}, which does not exist`);
      else if (!written.has(value)) problems.push(`${where}: reads the value of ${name(graph.values[value]!.layer)} before any kernel writes it`);
    }
    const bindings = storageBindingsOf(kernel);
    if (bindings > options.maxStorageBindings) problems.push(`${where}: binds ${bindings} storage buffers; the target allows ${options.maxStorageBindings}`);
    // A backward or update kernel may write only buffers living across steps (a parameter's gradient).
    if (kernel.output === NO_VALUE) {
      if (kernel.anchor !== "training") problems.push(`${where}: writes no value`);
      return;
    }
    // Dawn refuses one buffer bound both read-only and read_write: a residual (or input) is never the output.
    if (valuesRead(kernel).includes(kernel.output)) problems.push(`${where}: reads its own output value (a residual input must never be the output buffer)`);
    const output = graph.values[kernel.output];
    if (output === undefined) {
      problems.push(`${where}: writes value ${kernel.output}, which does not exist`);
      return;
    }
    if (kernel.store.kind === "channel_slice") {
      const concat = layers[kernel.store.concat];
      if (concat?.attrs.op !== "concat" || output.layer !== kernel.store.concat) {
        problems.push(`${where}: stores into a channel slice of ${name(kernel.store.concat)}, which is not the concat whose value it writes`);
      } else {
        const list = slices.get(kernel.output) ?? [];
        list.push({ offset: kernel.store.channelOffset, channels: layers[kernel.layers[kernel.layers.length - 1]!]!.shape[0]! });
        slices.set(kernel.output, list);
        if (kernel.store.totalChannels !== output.shape[0]) problems.push(`${where}: slice of ${kernel.store.totalChannels} channels, but the concat has ${output.shape[0]}`);
      }
    } else if (written.has(kernel.output)) {
      problems.push(`${where}: writes the value of ${name(output.layer)}, which another kernel already wrote`);
    }
    if (kernel.pool !== undefined) {
      if (kernel.anchor !== "conv") problems.push(`${where}: only a conv kernel computes a pooled output`);
      if (layers[kernel.pool]?.attrs.op !== "pool" || !kernel.layers.includes(kernel.pool)) problems.push(`${where}: pooled by ${name(kernel.pool)}, which is not one of its pool layers`);
    }
    written.add(kernel.output);
  });

  // A concat written in place is tiled exactly by its producers' channel slices.
  for (const [value, list] of slices) {
    const channels = graph.values[value]!.shape[0]!;
    const sorted = [...list].sort((a, b) => a.offset - b.offset);
    let next = 0;
    for (const slice of sorted) {
      if (slice.offset !== next) problems.push(`concat ${name(graph.values[value]!.layer)}: its channels ${next}..${slice.offset - 1} are written by no kernel, or twice`);
      next = slice.offset + slice.channels;
    }
    if (next !== channels) problems.push(`concat ${name(graph.values[value]!.layer)}: slices cover ${next} of its ${channels} channels`);
  }
  for (const value of graph.outputs) {
    if (!written.has(value)) problems.push(`network output ${name(graph.values[value]?.layer ?? -1)} is never written`);
  }
  return problems;
}
