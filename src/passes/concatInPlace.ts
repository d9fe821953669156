// concat-in-place: the producers of a `concat` (inception branches) write straight into their channel
// slice of the concat's value, and the copy kernel goes away. All or nothing per concat: every operand
// must come from a kernel that can store into a slice, be read by nothing else, and not be a network
// input or output; otherwise the concat stays a copy kernel and `explain` says which operand kept it.
import { readersOf, writersOf } from "../kernels/analysis.js";
import type { FusionNote, KernelGraph, KernelNode } from "../kernels/kernelGraph.js";
import type { KernelAnchor } from "../ops/registry.js";
import type { KernelPass } from "./kernelPass.js";

/** Kernels whose code can store into a channel slice (src/codegen/store.ts). */
const SLICE_WRITERS: ReadonlySet<KernelAnchor> = new Set<KernelAnchor>(["conv", "pool", "elementwise"]);

function refusal(graph: KernelGraph, concat: KernelNode, readers: Map<number, number[]>, writers: Map<number, number[]>): string | undefined {
  const seen = new Set<number>();
  for (const value of concat.inputs) {
    const operand = graph.source.nodes[graph.values[value]!.layer]!.name;
    if (seen.has(value)) return `${operand} is concatenated twice`;
    seen.add(value);
    if (graph.inputs.includes(value)) return `${operand} is a network input, which no kernel writes`;
    if (graph.outputs.includes(value)) return `${operand} is a network output, so it must be stored on its own`;
    if ((readers.get(value) ?? []).length > 1) return `the value of ${operand} is also read by another kernel`;
    const producers = writers.get(value) ?? [];
    const producer = producers.length === 1 ? graph.kernels[producers[0]!]! : undefined;
    if (producer === undefined) return `${operand} is not written by exactly one kernel`;
    if (!SLICE_WRITERS.has(producer.anchor)) return `${operand} comes from a ${producer.anchor} kernel, which cannot store into a channel slice`;
    if (producer.store.kind !== "plain") return `${operand} is already stored into another concat`;
    if (producer.partialOf !== undefined) return `${operand} is summed in parts`;
    if (graph.values[value]!.shape.length < 2) return `${operand} has no spatial axes`;
  }
  return undefined;
}

export function concatInPlace(graph: KernelGraph): KernelGraph {
  const readers = readersOf(graph);
  const writers = writersOf(graph);
  const replaced = new Map<number, KernelNode>();
  const removed = new Set<number>();
  const absorbed = [...graph.absorbed];
  const notes: FusionNote[] = [];
  for (const concat of graph.kernels) {
    if (concat.anchor !== "concat") continue;
    const layer = concat.anchorLayer;
    const why = refusal(graph, concat, readers, writers);
    if (why !== undefined) {
      notes.push({ layer, pass: "concat-in-place", fused: false, text: `kept as a copy kernel: ${why}` });
      continue;
    }
    const totalChannels = graph.values[concat.output]!.shape[0]!;
    let channelOffset = 0;
    for (const value of concat.inputs) {
      const producer = graph.kernels[writers.get(value)![0]!]!;
      replaced.set(producer.id, { ...producer, output: concat.output, store: { kind: "channel_slice", concat: layer, channelOffset, totalChannels } });
      channelOffset += graph.values[value]!.shape[0]!;
    }
    removed.add(concat.id);
    absorbed.push({ layer, how: "concat_in_place", value: concat.output });
    notes.push({ layer, pass: "concat-in-place", fused: true, text: `its ${concat.inputs.length} producers write straight into their channel slices` });
  }
  const kernels = graph.kernels
    .filter((kernel) => !removed.has(kernel.id))
    .map((kernel, id) => ({ ...(replaced.get(kernel.id) ?? kernel), id }));
  return { ...graph, kernels, absorbed, notes: [...graph.notes, ...notes] };
}

export const concatInPlacePass: KernelPass = { name: "concat-in-place", run: concatInPlace };
