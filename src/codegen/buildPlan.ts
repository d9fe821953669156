// Lowers a shape-checked graph to a Plan for one batch size: one buffer per value (views share their
// input's), one per parameter tensor (or per slice of one, when a kernel binds it in parts), the
// scratch buffers kernels ask for, and the kernel dispatches
// each node's generator emits, in topological order.
import { CnncUserError } from "../errors.js";
import { smallerBatchHint } from "../hostLimits.js";
import { formatInteger } from "../ir/format.js";
import { largestValueNode, paramFullName, shapeSize, type Graph, type Node } from "../ir/graph.js";
import { describeShape } from "../tensor.js";
import type { ScheduleConvsOptions } from "../passes/scheduleConvs.js";
import { KERNEL_GENERATORS, VIEW_OPS } from "./generators.js";
import { nodeParamBuffers } from "./paramBuffers.js";
import type { BufferRole, KernelContext, KernelStep, Plan, PlanBuffer, PlanProgram } from "./plan.js";
import { planWeights } from "./planWeights.js";
import { wgslStorageBindings } from "../planFile/wgslBindings.js";

const FLOAT_BYTES = 4;

/** Kernels index tensors with 32-bit unsigned integers (WGSL u32). */
export const MAX_KERNEL_ELEMENTS = 2 ** 32 - 1;

const KERNEL_INDICES = "cnnc's 32-bit kernel indices";

/**
 * Checks, before any kernel is generated, that every value at `batch` and every parameter fits the
 * kernels' indices (the largest value decides the largest batch that fits). Device limits are checked
 * when a plan is run (planLimits.ts).
 */
function checkKernelIndices(graph: Graph, batch: number): void {
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

/** A one-kernel-per-layer step's program bindings, as its WGSL declares them. */
function declaredBindings(step: KernelStep): PlanProgram["bindings"] {
  const declared = wgslStorageBindings(step.wgsl);
  if ("problem" in declared) throw new Error(`internal: kernel ${step.name}: ${declared.problem}`);
  return declared.bindings.map(({ name, access }) => ({ name, access }));
}

/**
 * The plan of `graph` at `batch`. Sizes past what the kernels can index are a CnncUserError naming
 * the tensor; whether the buffers fit a device is checkPlanFits's question (planLimits.ts).
 */
export interface BuildPlanOptions {
  /** Run the fusion passes (default true); false keeps one kernel per layer (`--no-fuse`). */
  fuse?: boolean;
  /** The choose-schedules pass's options (`--schedule`); default: the default rule everywhere. */
  schedule?: ScheduleConvsOptions;
}

export function buildPlan(graph: Graph, batch: number, _options: BuildPlanOptions = {}): Plan {
  if (!Number.isInteger(batch) || batch < 1) {
    throw new Error(`internal: buildPlan needs a positive integer batch, got ${batch}`);
  }
  checkKernelIndices(graph, batch);
  const buffers: PlanBuffer[] = [];
  const steps: KernelStep[] = [];
  const nodeBuffers = new Map<number, number>();
  const stepNames = new Set<string>();
  const outputIds = new Set(graph.outputs);

  const addBuffer = (buffer: Omit<PlanBuffer, "id">): number => {
    const id = buffers.length;
    // Zero-sized GPU bindings are invalid; a 1-element placeholder keeps degenerate shapes bindable.
    buffers.push({ ...buffer, id, bytes: Math.max(buffer.bytes, FLOAT_BYTES) });
    return id;
  };
  const valueBytes = (node: Node): number => batch * shapeSize(node.shape) * FLOAT_BYTES;

  for (const node of graph.nodes) {
    const op = node.attrs.op;
    if (op === "input") {
      nodeBuffers.set(node.id, addBuffer({ label: node.name, role: "input", bytes: valueBytes(node), node: node.id, shape: [batch, ...node.shape] }));
      continue;
    }
    const inputBuffers = node.inputs.map((inputId) => {
      const buffer = nodeBuffers.get(inputId);
      if (buffer === undefined) {
        throw new Error(`internal: ${node.name} reads node ${inputId}, which has no buffer (graph not topological?)`);
      }
      return buffer;
    });
    if (VIEW_OPS.has(op)) {
      const source = inputBuffers[0];
      if (source === undefined || inputBuffers.length !== 1) {
        throw new Error(`internal: view ${node.name} (${op}) must have exactly one input`);
      }
      const sourceNode = graph.nodes[node.inputs[0]!]!;
      if (shapeSize(sourceNode.shape) !== shapeSize(node.shape)) {
        throw new Error(`internal: view ${node.name} changes the element count of its input`);
      }
      nodeBuffers.set(node.id, source);
      if (outputIds.has(node.id) && buffers[source]!.role === "activation") buffers[source]!.role = "output";
      continue;
    }
    const generator = KERNEL_GENERATORS.get(op);
    if (generator === undefined) {
      throw new Error(`internal: no kernel generator for op "${op}" (layer ${node.name})`);
    }
    const role: BufferRole = outputIds.has(node.id) ? "output" : "activation";
    const outputBuffer = addBuffer({ label: node.name, role, bytes: valueBytes(node), node: node.id, shape: [batch, ...node.shape] });
    nodeBuffers.set(node.id, outputBuffer);

    const params = nodeParamBuffers(node, addBuffer);
    const context: KernelContext = {
      graph,
      batch,
      inputBuffers,
      outputBuffer,
      paramBuffer: params.whole,
      paramSliceBuffer: params.slice,
      scratchBuffer(label: string, bytes: number): number {
        return addBuffer({ label: `${node.name}.${label}`, role: "scratch", bytes, node: node.id });
      },
      emit(step: KernelStep): void {
        if (stepNames.has(step.name)) {
          throw new Error(`internal: two kernel steps are named ${step.name}`);
        }
        for (const binding of step.bindings) {
          if (buffers[binding.buffer] === undefined) {
            throw new Error(`internal: step ${step.name} binds unknown buffer ${binding.buffer}`);
          }
        }
        stepNames.add(step.name);
        steps.push(step);
      },
    };
    generator(node, context);
    params.addUnrequested();
  }

  const endpoint = (id: number): { node: number; name: string; buffer: number; shape: number[] } => {
    const node = graph.nodes[id];
    const buffer = nodeBuffers.get(id);
    if (node === undefined || buffer === undefined) {
      throw new Error(`internal: graph endpoint ${id} has no buffer`);
    }
    return { node: id, name: node.name, buffer, shape: [batch, ...node.shape] };
  };
  return {
    network: graph.name,
    batch,
    fused: false,
    buffers,
    programs: steps.map((step) => ({ key: step.name, wgsl: step.wgsl, entryPoint: step.entryPoint, bindings: declaredBindings(step), layers: [step.layer] })),
    steps,
    weights: planWeights(graph),
    derived: [],
    memory: { plannedActivationBytes: 0, perValueActivationBytes: 0, summaryActivationBytes: 0, paramBytes: 0, scratchBytes: 0 },
    inputs: graph.inputs.map(endpoint),
    outputs: graph.outputs.map(endpoint),
    nodeBuffers,
  };
}
