// Memory planning for one batch: liveness over the final kernel order, and values whose lifetimes do
// not overlap sharing one activation buffer (a "slot"). Network inputs and outputs keep buffers of
// their own (inputs are uploaded before the run, outputs read after it). An elementwise kernel whose
// first operand dies at it writes over that operand (in place); codegen then emits the single-binding
// variant, since Dawn refuses one buffer bound both read-only and read_write in one dispatch.
// `validateMemoryPlan` re-derives lifetimes on its own and proves no two live values overlap.
import { shapeSize } from "../ir/graph.js";
import { valuesRead } from "./analysis.js";
import { NO_VALUE, type KernelGraph, type KernelNode } from "./kernelGraph.js";

export type ValuePlacement = { kind: "input"; index: number } | { kind: "output"; index: number } | { kind: "slot"; slot: number };

export interface MemorySlot {
  id: number;
  /** The largest value it holds. */
  bytes: number;
  /** The values it holds over the run, in the order they are written. */
  values: number[];
}

export interface MemoryPlan {
  batch: number;
  slots: MemorySlot[];
  /** Where every value that exists at run time lives (values fused away have no placement). */
  placement: Map<number, ValuePlacement>;
  /** Kernel ids that write their output over their first operand. */
  inPlace: Set<number>;
}

const FLOAT_BYTES = 4;

/** Bytes of a value at `batch` (at least 4: a zero-sized binding is invalid). */
export function valueBytes(graph: KernelGraph, value: number, batch: number): number {
  return Math.max(FLOAT_BYTES, batch * shapeSize(graph.values[value]!.shape) * FLOAT_BYTES);
}

/** Lifetimes in kernel positions: written at `first` (-1 for inputs), last read at `last` (>= first). */
export function lifetimes(graph: KernelGraph): Map<number, { first: number; last: number }> {
  const spans = new Map<number, { first: number; last: number }>();
  for (const value of graph.inputs) spans.set(value, { first: -1, last: -1 });
  graph.kernels.forEach((kernel, position) => {
    const written = kernel.output === NO_VALUE ? true : spans.get(kernel.output);
    if (written === undefined) spans.set(kernel.output, { first: position, last: position });
    for (const value of valuesRead(kernel)) {
      const span = spans.get(value);
      if (span === undefined) throw new Error(`internal: kernel ${kernel.id} reads value ${value} before it is written`);
      span.last = Math.max(span.last, position);
    }
  });
  // Outputs are read back after the last kernel.
  for (const value of graph.outputs) spans.get(value)!.last = graph.kernels.length;
  return spans;
}

/** Whether `kernel` may write over its first operand `value` (dying at `position`). */
function canRunInPlace(graph: KernelGraph, kernel: KernelNode, position: number, spans: Map<number, { first: number; last: number }>, placement: Map<number, ValuePlacement>, batch: number): boolean {
  const operand = kernel.inputs[0];
  if (kernel.anchor !== "elementwise" || kernel.store.kind !== "plain" || operand === undefined) return false;
  if (placement.get(operand)?.kind !== "slot" || spans.get(operand)!.last !== position) return false;
  if (valuesRead(kernel).filter((value) => value === operand).length !== 1) return false;
  return valueBytes(graph, operand, batch) === valueBytes(graph, kernel.output, batch);
}

export function planMemory(graph: KernelGraph, batch: number): MemoryPlan {
  const spans = lifetimes(graph);
  const placement = new Map<number, ValuePlacement>();
  graph.inputs.forEach((value, index) => placement.set(value, { kind: "input", index }));
  graph.outputs.forEach((value, index) => {
    if (!placement.has(value)) placement.set(value, { kind: "output", index });
  });
  const slots: MemorySlot[] = [];
  const holder = new Map<number, number>(); // slot -> the value living in it now
  const inPlace = new Set<number>();

  graph.kernels.forEach((kernel, position) => {
    // Slots whose value was last read before this kernel are free again.
    for (const [slot, value] of holder) if (spans.get(value)!.last < position) holder.delete(slot);
    const output = kernel.output;
    if (output === NO_VALUE || placement.has(output)) return; // an input/output buffer, or a concat already placed by an earlier producer
    const bytes = valueBytes(graph, output, batch);
    let slot: number | undefined;
    if (canRunInPlace(graph, kernel, position, spans, placement, batch)) {
      const operand = placement.get(kernel.inputs[0]!)!;
      if (operand.kind === "slot") slot = operand.slot;
      inPlace.add(kernel.id);
    } else {
      const free = slots.filter((candidate) => !holder.has(candidate.id));
      const fitting = free.filter((candidate) => candidate.bytes >= bytes).sort((a, b) => a.bytes - b.bytes || a.id - b.id)[0];
      const largest = [...free].sort((a, b) => b.bytes - a.bytes || a.id - b.id)[0];
      slot = (fitting ?? largest)?.id;
    }
    if (slot === undefined) {
      slot = slots.length;
      slots.push({ id: slot, bytes, values: [] });
    }
    const chosen = slots[slot]!;
    chosen.bytes = Math.max(chosen.bytes, bytes);
    chosen.values.push(output);
    holder.set(slot, output);
    placement.set(output, { kind: "slot", slot });
  });
  return { batch, slots, placement, inPlace };
}

/**
 * Proves the plan sound from the kernel graph alone: every value a kernel touches is placed, slots
 * are large enough, values sharing a slot are never live at once (except an in-place kernel's
 * operand handing its slot to the output at that kernel), and no kernel's output shares a buffer with
 * what it reads unless it runs in place on its first operand.
 */
export function validateMemoryPlan(graph: KernelGraph, plan: MemoryPlan): string[] {
  const problems: string[] = [];
  const spans = lifetimes(graph);
  const name = (value: number): string => graph.source.nodes[graph.values[value]!.layer]!.name;
  const sameBuffer = (a: ValuePlacement | undefined, b: ValuePlacement | undefined): boolean =>
    a !== undefined && b !== undefined && a.kind === b.kind && (a.kind === "slot" ? a.slot === (b as { slot: number }).slot : a.index === (b as { index: number }).index);
  for (const value of spans.keys()) if (!plan.placement.has(value)) problems.push(`value of ${name(value)} has no buffer`);
  for (const slot of plan.slots) {
    for (const value of slot.values) {
      if (valueBytes(graph, value, plan.batch) > slot.bytes) problems.push(`slot ${slot.id} (${slot.bytes} bytes) is smaller than the value of ${name(value)}`);
    }
    for (let i = 0; i < slot.values.length; i++) {
      for (let j = i + 1; j < slot.values.length; j++) {
        const a = spans.get(slot.values[i]!)!;
        const b = spans.get(slot.values[j]!)!;
        const [early, late] = a.first <= b.first ? [slot.values[i]!, slot.values[j]!] : [slot.values[j]!, slot.values[i]!];
        const earlySpan = spans.get(early)!;
        const lateSpan = spans.get(late)!;
        if (earlySpan.last < lateSpan.first) continue;
        const handoff = graph.kernels[lateSpan.first];
        const legal = earlySpan.last === lateSpan.first && handoff !== undefined && plan.inPlace.has(handoff.id) && handoff.inputs[0] === early && handoff.output === late;
        if (!legal) problems.push(`slot ${slot.id}: the values of ${name(early)} and ${name(late)} are live at the same time`);
      }
    }
  }
  for (const kernel of graph.kernels) {
    const output = plan.placement.get(kernel.output);
    valuesRead(kernel).forEach((value, position) => {
      if (!sameBuffer(output, plan.placement.get(value))) return;
      if (!(position === 0 && plan.inPlace.has(kernel.id))) problems.push(`kernel ${kernel.id} writes over ${name(value)}, which it reads, without running in place`);
    });
  }
  return problems;
}
