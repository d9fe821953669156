// `cnnc explain`'s report: for every source layer, the kernel it ended in and what fused with it, the
// kernel's schedule and why, and for what did not fuse, why not. Built from the kernel graph's notes
// (each fusion pass records its decisions) and the plan's dispatches and memory figures.
import type { Plan } from "../codegen/plan.js";
import { formatBytes } from "../ir/format.js";
import { opLabel } from "../ir/opLabel.js";
import { readersOf, writersOf } from "./analysis.js";
import { calibrationLine, candidateLines, type ExplainScheduleOptions } from "./explainCandidates.js";
import type { KernelGraph, KernelNode } from "./kernelGraph.js";

function kernelTitle(graph: KernelGraph, kernel: KernelNode): string {
  return `k${kernel.id} ${kernel.anchor} [${kernel.layers.map((layer) => graph.source.nodes[layer]!.name).join(" + ")}]`;
}

/** Who reads and writes each value, computed once per report. */
interface ValueUses {
  readers: Map<number, number[]>;
  writers: Map<number, number[]>;
}

/** Why an elementwise kernel with no recorded refusal stands alone: what produces its input. */
function standaloneReason(graph: KernelGraph, kernel: KernelNode, uses: ValueUses): string | undefined {
  if (kernel.anchor !== "elementwise") return undefined;
  const input = kernel.inputs[0]!;
  if (graph.inputs.includes(input)) return "its input is a network input, which no kernel computes";
  const writer = uses.writers.get(input)?.[0];
  const producer = writer === undefined ? undefined : graph.kernels[writer];
  if (producer === undefined) return undefined;
  if ((uses.readers.get(input) ?? []).length > 1) return `the value it reads is also read by another kernel`;
  return `its input comes from a ${producer.anchor} kernel, which takes no epilogue stages`;
}

/** The report; with `options`, each scheduled kernel also lists its candidate schedules (explainCandidates.ts). */
export function explainKernels(graph: KernelGraph, plan: Plan, options?: ExplainScheduleOptions): string {
  const layers = graph.source.nodes;
  const kernelOf = new Map<number, KernelNode>();
  for (const kernel of graph.kernels) for (const layer of kernel.layers) if (kernel.partialOf === undefined) kernelOf.set(layer, kernel);
  const absorbedOf = new Map(graph.absorbed.map((absorbed) => [absorbed.layer, absorbed]));
  const uses: ValueUses = { readers: readersOf(graph), writers: writersOf(graph) };
  const notesOf = new Map<number, string[]>();
  for (const note of graph.notes) {
    if (note.fused) continue;
    const list = notesOf.get(note.layer) ?? [];
    if (!list.includes(note.text)) list.push(note.text);
    notesOf.set(note.layer, list);
  }
  const fusedNoteOf = new Map<number, string>();
  for (const note of graph.notes) if (note.fused) fusedNoteOf.set(note.layer, note.text);

  const width = Math.min(24, Math.max(...layers.map((node) => node.name.length)));
  // The op column fits the longest op label (`conv_transpose`), 14 at least; continuation lines indent past it.
  const opWidth = Math.max(14, ...layers.map((node) => opLabel(node.attrs).length + 1));
  const indent = width + opWidth + 2;
  const lines = [
    `${graph.source.name} at batch ${plan.batch}${plan.fused ? "" : " (--no-fuse)"}: ${layers.length} layers in ${graph.kernels.length} kernels, ` +
      `${plan.steps.length} dispatches, ${plan.programs.length} distinct programs`,
    `activations: ${formatBytes(plan.memory.plannedActivationBytes)} planned, ${formatBytes(plan.memory.perValueActivationBytes)} as one buffer per value, ` +
      `${formatBytes(plan.memory.summaryActivationBytes)} in the summary; parameters ${formatBytes(plan.memory.paramBytes)}, scratch ${formatBytes(plan.memory.scratchBytes)}`,
    ...(options === undefined ? [] : [calibrationLine(options)]),
    "",
  ];
  for (const node of layers) {
    const head = `${node.name.padEnd(width)}  ${opLabel(node.attrs).padEnd(opWidth)}`;
    const absorbed = absorbedOf.get(node.id);
    if (absorbed !== undefined) {
      const value = layers[graph.values[absorbed.value]!.layer]!.name;
      const text =
        absorbed.how === "input"
          ? "network input: uploaded before the run"
          : absorbed.how === "view"
            ? `no kernel: a view of ${value}'s value (same buffer)`
            : `no kernel: ${fusedNoteOf.get(node.id) ?? "its producers write straight into their channel slices"}`;
      lines.push(`${head}${text}`);
      for (const refusal of notesOf.get(node.id) ?? []) lines.push(`${" ".repeat(indent)}${refusal}`);
      continue;
    }
    const kernel = kernelOf.get(node.id);
    if (kernel === undefined) throw new Error(`internal: layer ${node.name} is in no kernel`);
    if (kernel.anchorLayer === node.id) {
      const fused = kernel.layers.length > 1 ? `, fused with ${kernel.layers.filter((layer) => layer !== node.id).map((layer) => layers[layer]!.name).join(", ")}` : "";
      lines.push(`${head}${kernelTitle(graph, kernel)}: its anchor${fused}`);
      if (kernel.scheduleReason !== undefined) lines.push(`${" ".repeat(indent)}schedule ${kernel.scheduleReason}`);
      if (options !== undefined) for (const line of candidateLines(graph, kernel, plan.batch, options)) lines.push(`${" ".repeat(indent + 2)}${line}`);
      const refusals = notesOf.get(node.id) ?? [];
      const alone = refusals.length === 0 && kernel.layers.length === 1 ? standaloneReason(graph, kernel, uses) : undefined;
      for (const text of alone === undefined ? refusals : [...refusals, `a kernel of its own: ${alone}`]) lines.push(`${" ".repeat(indent)}${text}`);
    } else {
      lines.push(`${head}${kernelTitle(graph, kernel)}: ${fusedNoteOf.get(node.id) ?? "fused"}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
