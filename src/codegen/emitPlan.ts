// emit-kernels: the kernel graph and its memory plan become a Plan for one batch: buffers (inputs,
// outputs, shared activation slots, parameters and derived parameters, one shared scratch region),
// each kernel's dispatches from its anchor's generator with its epilogue stages, and the programs,
// deduplicated by content: identical kernels (same anchor, shapes, schedule and epilogue) share one
// program, whose header lists every layer using it.
import { CnncUserError } from "../errors.js";
import { smallerBatchHint } from "../hostLimits.js";
import { formatInteger } from "../ir/format.js";
import { largestValueNode, paramFullName, shapeSize, type Graph } from "../ir/graph.js";
import { describeShape } from "../tensor.js";
import { kernelLabel } from "../kernels/analysis.js";
import type { KernelGraph, KernelNode } from "../kernels/kernelGraph.js";
import { valueBytes, type MemoryPlan } from "../kernels/memoryPlan.js";
import { summarizeGraph } from "../ir/summary.js";
import { emitAnchor } from "./emitAnchor.js";
import { epilogueStages } from "./kernelStages.js";
import { ParamBuffers, ScratchRegion } from "./planBuffers.js";
import type { KernelContext, KernelStep, Plan, PlanBuffer, PlanWeight } from "./plan.js";
import { dedupePrograms } from "./programs.js";
import { PLAIN_STORE } from "./store.js";
import { foldStepsOnDevice, StateBuffers, trainingSteps, uniqueName } from "./training/emitTraining.js";

const FLOAT_BYTES = 4;

/** Kernels index tensors with 32-bit unsigned integers (WGSL u32). */
export const MAX_KERNEL_ELEMENTS = 2 ** 32 - 1;

const KERNEL_INDICES = "cnnc's 32-bit kernel indices";

/**
 * Checks, before any kernel is generated, that every value at `batch` and every parameter fits the
 * kernels' indices (the largest value decides the largest batch that fits). Device limits are checked
 * when a plan is run (planLimits.ts).
 */
export function checkKernelIndices(graph: Graph, batch: number): void {
  for (const node of graph.nodes) {
    for (const param of node.params) {
      if (shapeSize(param.shape) > MAX_KERNEL_ELEMENTS) {
        throw new CnncUserError(
          `weight ${paramFullName(node, param)} ${describeShape(param.shape)} has ${formatInteger(shapeSize(param.shape))} values, ` +
            `more than ${KERNEL_INDICES} reach (${formatInteger(MAX_KERNEL_ELEMENTS)})`,
          { hint: `weights do not depend on the batch: give ${node.name} fewer channels or features, or a smaller input` },
        );
      }
    }
  }
  const largest = largestValueNode(graph);
  if (largest === undefined) return;
  const perSample = shapeSize(largest.shape);
  const elements = batch * perSample;
  if (elements > MAX_KERNEL_ELEMENTS) {
    const value = largest.attrs.op === "input" ? `input ${largest.name}` : `the output of layer ${largest.name}`;
    throw new CnncUserError(
      `${value} ${describeShape([batch, ...largest.shape])} has ${formatInteger(elements)} values at batch ${formatInteger(batch)}, ` +
        `more than ${KERNEL_INDICES} reach (${formatInteger(MAX_KERNEL_ELEMENTS)})`,
      { hint: smallerBatchHint(Math.floor(MAX_KERNEL_ELEMENTS / perSample), KERNEL_INDICES) },
    );
  }
}

/**
 * The plan of `graph` at `batch`. Sizes past what the kernels can index are a CnncUserError naming
 * the tensor; whether the buffers fit a device is checkPlanFits's question (planLimits.ts).
 */

/**
 * The Plan of `graph` laid out by `memory` (planMemory at the same batch). `fused` is recorded in the
 * plan (false for `--no-fuse`); `weights` lists every state_dict tensor of the network.
 */
export interface EmitOptions {
  /**
   * Compute folded batchnorm's scale and shift on the device, by kernels run first, from the parameter
   * buffers (an evaluation plan sharing a trainer's parameters), instead of on the CPU at upload.
   */
  deriveOnDevice?: boolean;
  /** Storage buffers one kernel may bind on the target (its maxStorageBuffersPerShaderStage). */
  maxStorageBindings: number;
}

export function emitPlan(graph: KernelGraph, memory: MemoryPlan, weights: PlanWeight[], fused: boolean, options: EmitOptions): Plan {
  const layers = graph.source.nodes;
  const batch = memory.batch;
  checkKernelIndices(graph.source, batch);
  const buffers: PlanBuffer[] = [];
  const addBuffer = (buffer: Omit<PlanBuffer, "id">): number => {
    buffers.push({ ...buffer, id: buffers.length, bytes: Math.max(buffer.bytes, FLOAT_BYTES) });
    return buffers.length - 1;
  };
  const fullShape = (value: number): number[] => [batch, ...graph.values[value]!.shape];
  // Inputs and outputs are the layer graph's: an output that is a view (a flatten) has its own shape.
  const endpoints = (layerIds: readonly number[], values: readonly number[]) =>
    layerIds.map((layer, index) => ({ layer, value: values[index]!, shape: [batch, ...layers[layer]!.shape] }));
  const inputEndpoints = endpoints(graph.source.inputs, graph.inputs);
  // A training step reads no output back (its loss and accuracy come through the metrics buffer).
  const outputEndpoints = graph.outputs.length === 0 ? [] : endpoints(graph.source.outputs, graph.outputs);
  const endpointBuffers = (list: ReturnType<typeof endpoints>, role: "input" | "output"): number[] =>
    list.map(({ layer, value, shape }) => addBuffer({ label: layers[layer]!.name, role, bytes: valueBytes(graph, value, batch), node: layer, shape }));
  const inputBuffers = endpointBuffers(inputEndpoints, "input");
  const outputBuffers = endpointBuffers(outputEndpoints, "output");
  const slotBuffers = memory.slots.map((slot) => {
    const largest = slot.values.reduce((found, value) => (valueBytes(graph, value, batch) > valueBytes(graph, found, batch) ? value : found));
    const layer = graph.values[largest]!.layer;
    return addBuffer({
      label: layers[layer]!.name,
      role: "activation",
      bytes: slot.bytes,
      node: layer,
      values: slot.values.map((value) => graph.values[value]!.layer),
      shape: fullShape(largest),
    });
  });
  const bufferOf = (value: number): number => {
    const placed = memory.placement.get(value);
    if (placed === undefined) throw new Error(`internal: the value of ${layers[graph.values[value]!.layer]!.name} has no buffer`);
    return placed.kind === "input" ? inputBuffers[placed.index]! : placed.kind === "output" ? outputBuffers[placed.index]! : slotBuffers[placed.slot]!;
  };

  const params = new ParamBuffers(addBuffer, graph.source.nodes, graph.derived);
  const scratch = new ScratchRegion(addBuffer, buffers);
  const steps: { step: KernelStep; kernel: KernelNode }[] = [];
  const stepNames = new Set<string>();
  const states = new StateBuffers(addBuffer, batch);
  const training = graph.kernels.some((kernel) => kernel.training !== undefined);
  for (const kernel of graph.kernels) {
    if (kernel.training !== undefined) {
      const resolve = {
        value: bufferOf,
        param: (name: string) => params.ref({ kind: "tensor", name }),
        state: (operand: Parameters<StateBuffers["get"]>[0]) => states.get(operand),
        scratch: scratch.requester(),
      };
      for (const step of trainingSteps(graph, kernel, batch, resolve)) {
        const name = uniqueName(step.name, stepNames);
        stepNames.add(name);
        steps.push({ step: { ...step, name }, kernel });
      }
      continue;
    }
    const anchor = { ...layers[kernel.anchorLayer]!, ...(kernel.schedule === undefined ? {} : { schedule: kernel.schedule }) };
    const output = graph.values[kernel.output]!;
    const context: KernelContext = {
      graph: graph.source,
      batch,
      inputBuffers: kernel.inputs.map(bufferOf),
      outputBuffer: bufferOf(kernel.output),
      outputStore:
        kernel.store.kind === "channel_slice"
          ? { kind: "channel_slice", channelOffset: kernel.store.channelOffset, totalChannels: kernel.store.totalChannels }
          : PLAIN_STORE,
      inPlace: memory.inPlace.has(kernel.id),
      maxStorageBindings: options.maxStorageBindings,
      paramBuffer: (name) => params.whole(anchor, name),
      paramSliceBuffer: (name, first, count) => params.slice(anchor, name, first, count),
      derivedBuffer: (name) => params.ref({ kind: "derived", name }),
      scratchBuffer: scratch.requester(),
      emit(step: KernelStep): void {
        if (stepNames.has(step.name)) throw new Error(`internal: two kernel steps are named ${step.name}`);
        stepNames.add(step.name);
        const phase = kernel.layers.length === 0 ? { phase: "backward" as const } : training ? { phase: "forward" as const } : {};
        steps.push({ step: { ...step, node: output.layer, layer: kernelLabel(graph, kernel), ...phase }, kernel });
      },
    };
    const stages = epilogueStages(kernel.epilogue, { param: (ref) => params.ref(ref), value: bufferOf });
    const before = steps.length;
    emitAnchor(graph, kernel, anchor, context, stages);
    // A generator that emits nothing would leave the kernel's output unwritten: never silently.
    if (steps.length === before) throw new Error(`internal: the generator of kernel k${kernel.id} (${kernelLabel(graph, kernel)}) emitted no step`);
  }
  if (options.deriveOnDevice === true) steps.unshift(...foldStepsOnDevice(graph, buffers, params));
  const programs = dedupePrograms(graph, steps);
  const nodeBuffers = new Map<number, number>();
  for (const [value] of memory.placement) nodeBuffers.set(graph.values[value]!.layer, bufferOf(value));
  for (const absorbed of graph.absorbed) if (memory.placement.has(absorbed.value)) nodeBuffers.set(absorbed.layer, bufferOf(absorbed.value));
  const endpoint = ({ layer, value, shape }: { layer: number; value: number; shape: number[] }) => ({ node: layer, name: layers[layer]!.name, buffer: bufferOf(value), shape });
  const bytesOf = (roles: readonly string[]): number => buffers.filter((buffer) => roles.includes(buffer.role)).reduce((total, buffer) => total + buffer.bytes, 0);
  const perValue = [...memory.placement.keys()].reduce((total, value) => total + valueBytes(graph, value, batch), 0);
  return {
    network: graph.source.name,
    batch,
    fused,
    buffers,
    programs: programs.programs,
    steps: programs.steps,
    weights,
    derived: options.deriveOnDevice === true ? [] : graph.derived.filter((derived) => params.usesDerived(derived.name)),
    memory: {
      plannedActivationBytes: bytesOf(["input", "output", "activation"]),
      perValueActivationBytes: perValue,
      summaryActivationBytes: summarizeGraph(graph.source, batch).memory.activationBytes,
      paramBytes: bytesOf(["param"]),
      scratchBytes: bytesOf(["scratch"]),
    },
    inputs: inputEndpoints.map(endpoint),
    outputs: outputEndpoints.map(endpoint),
    nodeBuffers,
  };
}
