// Runs one node's kernels on the GPU through the shared executor: a Plan holding just that node (its
// input, output, params and scratch buffers), built by calling a generator the way buildPlan does, so a
// test can pass a custom epilogue. Plus the tolerance check used by the GPU-vs-reference tests.
import { expect } from "vitest";
import type { KernelContext, KernelStep, Plan, PlanBuffer } from "../../src/codegen/plan.js";
import { nodeParamBuffers } from "../../src/codegen/paramBuffers.js";
import { shapeSize, type ActivationAttrs, type Graph, type Node } from "../../src/ir/graph.js";
import type { Tensor, WeightMap } from "../../src/tensor.js";
import type { GpuContext } from "../../runtime/device.js";
import { createExecutor } from "../../runtime/executor.js";

/** A Plan computing `graph.nodes[nodeId]` from the graph's input `x` with `emit` (a generator). */
export function singleNodePlan(
  graph: Graph,
  nodeId: number,
  batch: number,
  emit: (node: Node, context: KernelContext) => void,
): Plan {
  const node = graph.nodes[nodeId]!;
  const inputNode = graph.nodes[node.inputs[0]!]!;
  const buffers: PlanBuffer[] = [];
  const add = (buffer: Omit<PlanBuffer, "id">): number => {
    buffers.push({ ...buffer, id: buffers.length, bytes: Math.max(4, buffer.bytes) });
    return buffers.length - 1;
  };
  const inputBuffer = add({ label: inputNode.name, role: "input", bytes: batch * shapeSize(inputNode.shape) * 4, node: inputNode.id });
  const outputBuffer = add({ label: node.name, role: "output", bytes: batch * shapeSize(node.shape) * 4, node: node.id });
  const params = nodeParamBuffers(node, add);
  const steps: KernelStep[] = [];
  const context: KernelContext = {
    graph,
    batch,
    inputBuffers: [inputBuffer],
    outputBuffer,
    paramBuffer: params.whole,
    paramSliceBuffer: params.slice,
    scratchBuffer: (label, bytes) => add({ label: `${node.name}.${label}`, role: "scratch", bytes, node: node.id }),
    emit: (step) => steps.push(step),
  };
  emit(node, context);
  params.addUnrequested();
  return {
    network: graph.name,
    batch,
    fused: false,
    buffers,
    programs: steps.map((step) => ({ key: step.program, wgsl: step.wgsl, entryPoint: step.entryPoint, bindings: [], layers: [step.layer] })),
    steps,
    weights: [],
    derived: [],
    memory: { plannedActivationBytes: 0, perValueActivationBytes: 0, summaryActivationBytes: 0, paramBytes: 0, scratchBytes: 0 },
    inputs: [{ node: inputNode.id, name: inputNode.name, buffer: inputBuffer, shape: [batch, ...inputNode.shape] }],
    outputs: [{ node: node.id, name: node.name, buffer: outputBuffer, shape: [batch, ...node.shape] }],
    nodeBuffers: new Map([
      [inputNode.id, inputBuffer],
      [node.id, outputBuffer],
    ]),
  };
}

/** Runs `plan` once with `weights` and the single input, returning its single output. */
export async function runPlan(gpu: GpuContext, plan: Plan, weights: WeightMap, input: Tensor): Promise<Tensor> {
  const executor = await createExecutor(gpu, plan, weights);
  try {
    const outputs = await executor.run(new Map([[plan.inputs[0]!.name, input]]));
    return outputs.get(plan.outputs[0]!.name)!;
  } finally {
    executor.destroy();
  }
}

/**
 * float32 tolerance for values that are sums of `terms` products of O(1) numbers: each product and
 * addition rounds at 2^-24 relative, and the error of a length-n sum grows at most like n (in practice
 * like sqrt(n)); we allow |gpu - ref| <= atol + rtol * |ref| with atol = 1e-4 * sqrt(n)-ish headroom.
 */
export function toleranceFor(terms: number): { atol: number; rtol: number } {
  return { atol: 1e-5 * Math.max(1, Math.sqrt(terms)) * 4, rtol: 1e-4 };
}

/** Elementwise |actual - expected| <= atol + rtol * |expected|, reporting the worst element. */
export function expectClose(actual: Tensor, expected: Tensor, tolerance: { atol: number; rtol: number }, what: string): void {
  expect(actual.shape, `${what}: shape`).toEqual(expected.shape);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.data.length; i++) {
    const a = actual.data[i]!;
    const e = expected.data[i]!;
    const allowed = tolerance.atol + tolerance.rtol * Math.abs(e);
    const excess = Number.isNaN(a) ? Infinity : Math.abs(a - e) - allowed;
    if (excess > worstExcess) {
      worstExcess = excess;
      worst = i;
    }
  }
  if (worst >= 0) {
    const message = `${what}: element ${worst} is ${actual.data[worst]} but the reference says ${expected.data[worst]} (atol ${tolerance.atol}, rtol ${tolerance.rtol})`;
    expect.fail(message);
  }
}

/** Each activation once, with a non-default alpha where it has one. */
export const EVERY_ACTIVATION: ActivationAttrs[] = [
  { op: "relu" },
  { op: "leaky_relu", alpha: 0.1 },
  { op: "elu", alpha: 1.5 },
  { op: "tanh" },
  { op: "sigmoid" },
];
