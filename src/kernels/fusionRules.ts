// A small rule table for fusion rewrites (after tinygrad's PatternMatcher): a rule names which
// producer and consumer kernels it joins, may refuse with a reason, and says how the two become one.
// `fuseByRules` does the bookkeeping every fusion shares: it finds each kernel's only reader, checks
// the conditions under which any two kernels may become one, applies the first matching rule, and
// records for `cnnc explain` what fused and, where a rule matched but could not apply, why not.
import { readersOf, storageBindingsOf, valuesRead, writersOf } from "./analysis.js";
import type { FusionNote, KernelGraph, KernelNode } from "./kernelGraph.js";

export interface FusionContext {
  graph: KernelGraph;
  /** Position of the kernel writing each value (values written by several kernels are not fusable). */
  writerPosition: ReadonlyMap<number, number>;
  /** Storage buffers one kernel may bind. */
  maxStorageBindings: number;
  layerName(layer: number): string;
}

export interface FusionRule {
  name: string;
  /** Whether the rule is about this producer/consumer pair at all. */
  matches(producer: KernelNode, consumer: KernelNode, context: FusionContext): boolean;
  /** Why this pair may not fuse, or undefined when it may. */
  refuse?(producer: KernelNode, consumer: KernelNode, context: FusionContext): string | undefined;
  /** The one kernel doing both (placed where the producer was). */
  merge(producer: KernelNode, consumer: KernelNode, context: FusionContext): KernelNode;
  /** The note for the consumer's layers when it fused: `fused into the epilogue of conv c1`. */
  fusedNote(producer: KernelNode, context: FusionContext): string;
}

/** The refusals every fusion shares: why `consumer` cannot absorb `producer`'s output. */
function commonRefusal(producer: KernelNode, consumer: KernelNode, readers: number, context: FusionContext, producerPosition: number): string | undefined {
  const graph = context.graph;
  const value = producer.output;
  const producerName = context.layerName(producer.layers[producer.layers.length - 1]!);
  if (graph.outputs.includes(value)) return `the value of ${producerName} is a network output, so it must be stored`;
  if (readers > 1) return `the value of ${producerName} is also read by another kernel, so it must be stored`;
  if (producer.store.kind !== "plain") return `${producerName} writes into a concat's channel slice`;
  if (consumer.partialOf !== undefined || producer.partialOf !== undefined) {
    return `an add of more operands than one kernel binds is summed in parts, which do not fuse`;
  }
  if (valuesRead(consumer).filter((input) => input === value).length > 1) return `the value of ${producerName} is used twice by the layer`;
  // A mul's gate is read by its stage, at the gate's own (per-channel) indices: the kernel producing
  // it computes other elements than the mul's, so only the multiplied value's producer hosts a mul.
  if (!consumer.inputs.includes(value)) return `the value of ${producerName} is the second operand (the gate) of ${context.layerName(consumer.anchorLayer)}`;
  for (const other of valuesRead(consumer)) {
    if (other === value) continue;
    const writer = context.writerPosition.get(other);
    if (writer !== undefined && writer > producerPosition) {
      return `its other operand ${context.layerName(graph.values[other]!.layer)} is computed after ${producerName}`;
    }
  }
  return undefined;
}

/**
 * Applies `rules` until no producer/consumer pair fuses: each kernel whose value has exactly one
 * reader is offered to the rules, in kernel order; a merged kernel is offered again (chains fuse).
 */
export function fuseByRules(graph: KernelGraph, pass: string, rules: readonly FusionRule[], maxStorageBindings: number): KernelGraph {
  const kernels: (KernelNode | undefined)[] = graph.kernels.map((kernel) => ({ ...kernel, layers: kernel.layers.slice(), epilogue: kernel.epilogue.slice() }));
  const readers = readersOf(graph);
  const writers = writersOf(graph);
  // The last writer of each value; values written by several kernels (a concat in place) never fuse.
  const writerPosition = new Map([...writers].map(([value, positions]) => [value, positions[positions.length - 1]!]));
  const multiplyWritten = new Set([...writers].filter(([, positions]) => positions.length > 1).map(([value]) => value));
  const notes: FusionNote[] = [];
  const context: FusionContext = {
    graph,
    writerPosition,
    maxStorageBindings,
    layerName: (layer) => graph.source.nodes[layer]!.name,
  };
  const note = (kernel: KernelNode, fused: boolean, text: string): void => {
    for (const layer of kernel.layers) {
      // A layer that fuses after all (an add hosted by its later operand) keeps only that note.
      if (fused) removeWhere(notes, (earlier) => earlier.layer === layer && !earlier.fused);
      notes.push({ layer, pass, fused, text });
    }
  };

  for (let position = 0; position < kernels.length; position++) {
    for (;;) {
      const producer = kernels[position];
      if (producer === undefined || multiplyWritten.has(producer.output)) break;
      const readerPositions = [...(readers.get(producer.output) ?? [])];
      if (readerPositions.length > 1) {
        // Several readers: none may absorb the value; say so to each a rule would otherwise have fused.
        for (const reader of readerPositions) {
          const consumer = kernels[reader]!;
          const rule = rules.find((candidate) => candidate.matches(producer, consumer, context));
          const refusal = rule === undefined ? undefined : commonRefusal(producer, consumer, readerPositions.length, context, position);
          if (rule !== undefined && refusal !== undefined) note(consumer, false, `not fused (${rule.name}): ${refusal}`);
        }
        break;
      }
      const consumerPosition = readerPositions[0];
      if (consumerPosition === undefined) break;
      const consumer = kernels[consumerPosition]!;
      const rule = rules.find((candidate) => candidate.matches(producer, consumer, context));
      if (rule === undefined) break;
      const merged = rule.merge(producer, consumer, context);
      const bindings = storageBindingsOf(merged);
      const refusal =
        commonRefusal(producer, consumer, readerPositions.length, context, position) ??
        rule.refuse?.(producer, consumer, context) ??
        (bindings > maxStorageBindings ? `the fused kernel would bind ${bindings} storage buffers; a kernel may bind ${maxStorageBindings}` : undefined);
      if (refusal !== undefined) {
        note(consumer, false, `not fused (${rule.name}): ${refusal}`);
        break;
      }
      note(consumer, true, rule.fusedNote(producer, context));
      // The consumer's reads become the merged kernel's; its output is now written here.
      for (const value of valuesRead(consumer)) {
        const list = (readers.get(value) ?? []).filter((reader) => reader !== consumerPosition);
        if (value !== producer.output) list.push(position);
        readers.set(value, [...new Set(list)].sort((a, b) => a - b));
      }
      readers.delete(producer.output);
      writerPosition.delete(producer.output);
      writerPosition.set(merged.output, position);
      kernels[position] = merged;
      kernels[consumerPosition] = undefined;
    }
  }
  const remaining = kernels.filter((kernel): kernel is KernelNode => kernel !== undefined).map((kernel, id) => ({ ...kernel, id }));
  return { ...graph, kernels: remaining, notes: [...graph.notes, ...notes] };
}

/**
 * The usual merge: the consumer's operands other than the producer's value become `add` stages, then
 * its own stages follow the producer's; the merged kernel writes the consumer's value, as it stores it.
 */
export function appendConsumerStages(producer: KernelNode, consumer: KernelNode): KernelNode {
  const others = consumer.inputs.filter((input) => input !== producer.output);
  return {
    ...producer,
    layers: [...producer.layers, ...consumer.layers],
    epilogue: [...producer.epilogue, ...others.map((value) => ({ kind: "add" as const, layer: consumer.anchorLayer, value })), ...consumer.epilogue],
    output: consumer.output,
    store: consumer.store,
  };
}

function removeWhere<T>(list: T[], predicate: (item: T) => boolean): void {
  let kept = 0;
  for (const item of list) if (!predicate(item)) list[kept++] = item;
  list.length = kept;
}
