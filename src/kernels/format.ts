// The kernel graph as text, one kernel per line (`cnnc explain --dump-ir=PASS`): its anchor and layers,
// the values it reads and writes with their shapes, its epilogue stages, how it stores, its schedule.
import { describeSchedule } from "../codegen/schedule.js";
import { opLabel } from "../ir/opLabel.js";
import { describeShape } from "../tensor.js";
import { NO_VALUE, type EpilogueStageSpec, type KernelGraph, type KernelNode } from "./kernelGraph.js";

function valueText(graph: KernelGraph, value: number): string {
  const entry = graph.values[value]!;
  return `%${value} ${graph.source.nodes[entry.layer]!.name}${describeShape(entry.shape)}`;
}

function stageText(graph: KernelGraph, stage: EpilogueStageSpec): string {
  const layer = graph.source.nodes[stage.layer]!.name;
  switch (stage.kind) {
    case "bias":
      return `bias(${stage.param.name})`;
    case "batchnorm":
      return `batchnorm(${layer})`;
    case "scale_shift":
      return `scale_shift(${stage.scale.name}, ${stage.shift.name})`;
    case "activation":
      return `${opLabel(stage.attrs)}(${layer})`;
    case "add":
      return `add(${layer}: + ${valueText(graph, stage.value)})`;
    case "mul":
      return `mul(${layer}: * ${valueText(graph, stage.value)}${stage.elementsPerGate === 1 ? "" : ` per ${stage.elementsPerGate} elements`})`;
  }
}

export function formatKernel(graph: KernelGraph, kernel: KernelNode): string {
  const layers = kernel.layers.map((layer) => graph.source.nodes[layer]!.name).join(" + ");
  const parts = [`k${kernel.id} ${kernel.anchor} [${layers}]`, `(${kernel.inputs.map((value) => valueText(graph, value)).join(", ")}) -> ${kernel.output === NO_VALUE ? "(no value)" : valueText(graph, kernel.output)}`];
  if (kernel.epilogue.length > 0) parts.push(`epilogue: ${kernel.epilogue.map((stage) => stageText(graph, stage)).join(" -> ")}`);
  if (kernel.pool !== undefined) parts.push(`pooled by ${graph.source.nodes[kernel.pool]!.name}`);
  if (kernel.store.kind === "channel_slice") {
    parts.push(`store: channels ${kernel.store.channelOffset}.. of ${kernel.store.totalChannels} of ${graph.source.nodes[kernel.store.concat]!.name}`);
  }
  if (kernel.partialOf !== undefined) parts.push(`partial sum of ${graph.source.nodes[kernel.partialOf]!.name}`);
  if (kernel.training !== undefined) parts.push(`${kernel.training.phase}: ${kernel.training.work.kind}`);
  if (kernel.schedule !== undefined) parts.push(`schedule: ${describeSchedule(kernel.schedule)}`);
  return parts.join("  ");
}

export function formatKernelGraph(graph: KernelGraph, after: string): string {
  const lines = [`kernel graph of ${graph.source.name} after ${after}: ${graph.kernels.length} kernels`];
  for (const kernel of graph.kernels) lines.push(`  ${formatKernel(graph, kernel)}`);
  for (const absorbed of graph.absorbed) {
    if (absorbed.how === "input") continue;
    const how = absorbed.how === "view" ? "a view of" : "written in place by its producers as";
    lines.push(`  ${graph.source.nodes[absorbed.layer]!.name}: no kernel, ${how} ${valueText(graph, absorbed.value)}`);
  }
  for (const derived of graph.derived) {
    const extra = derived.transform === "winograd_filter" ? `variant=${derived.variant}` : `eps=${derived.eps}`;
    lines.push(`  derived ${derived.name} = ${derived.transform}(${Object.values(derived.from).join(", ")}, ${extra})`);
  }
  return `${lines.join("\n")}\n`;
}
