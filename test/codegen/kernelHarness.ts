// Runs kernels on the GPU through the shared executor: a Plan holding just one node (its input, output,
// params and scratch buffers), or one a test lays out by hand (TestPlan), built by calling generators
// the way the plan builder does, so a test can pass a custom epilogue, output store or in-place run.
// Plus the tolerance check used by the GPU-vs-reference tests.
import { expect } from "vitest";
import type { KernelContext, KernelStep, Plan, PlanBuffer } from "../../src/codegen/plan.js";
import { ParamBuffers } from "../../src/codegen/planBuffers.js";
import { shapeSize, type ActivationAttrs, type Graph, type Node } from "../../src/ir/graph.js";
import type { Tensor, WeightMap } from "../../src/tensor.js";
import type { GpuContext } from "../../runtime/device.js";
import { createExecutor } from "../../runtime/executor.js";
import { PORTABLE_TARGET } from "../../src/schedule/types.js";

/**
 * A Plan a test lays out by hand: any number of uploaded inputs, read-back outputs (possibly sharing a
 * buffer with an input, or with each other) and data buffers, and kernels emitted by generators with
 * a context the test fills in (several inputs, an output store, in place), for kernels a single-node
 * plan cannot express: stage operands, two producers of one buffer, in-place runs.
 */
export class TestPlan {
  private readonly buffers: PlanBuffer[] = [];
  private readonly steps: KernelStep[] = [];
  private readonly inputs: Plan["inputs"] = [];
  private readonly outputs: Plan["outputs"] = [];
  private readonly inputTensors = new Map<string, Tensor>();
  /** Every tensor the plan's param buffers are uploaded from, by name. */
  readonly weights: WeightMap = new Map();

  constructor(
    readonly graph: Graph,
    readonly batch: number,
  ) {}

  private add(buffer: Omit<PlanBuffer, "id">): number {
    this.buffers.push({ ...buffer, id: this.buffers.length, bytes: Math.max(4, buffer.bytes) });
    return this.buffers.length - 1;
  }

  /** A buffer uploaded from `tensor` ([N, ...]) before the run, as plan input `name`. */
  input(name: string, tensor: Tensor, node = 0): number {
    const buffer = this.add({ label: name, role: "input", bytes: tensor.data.length * 4, node });
    this.inputs.push({ node, name, buffer, shape: [...tensor.shape] });
    this.inputTensors.set(name, tensor);
    return buffer;
  }

  /** A buffer read back after the run as output `name` of `shape` ([N, ...]); `existing` reads one already made. */
  output(name: string, shape: number[], node = 0, existing?: number): number {
    const buffer = existing ?? this.add({ label: name, role: "output", bytes: shapeSize(shape) * 4, node });
    this.outputs.push({ node, name, buffer, shape });
    return buffer;
  }

  /** A read-only buffer holding `tensor`, uploaded as the weight `name` (an epilogue stage's operand). */
  data(name: string, tensor: Tensor): number {
    this.weights.set(name, tensor);
    return this.add({ label: name, role: "param", bytes: tensor.data.length * 4, paramName: name });
  }

  /**
   * Emits `node`'s kernels with `emit`, its params filled from `weights` (by state_dict name), its
   * other context fields from `fields` (`graph`: the graph holding `node`, when not the plan's).
   */
  emit(
    node: Node,
    weights: WeightMap,
    fields: Pick<KernelContext, "inputBuffers" | "outputBuffer" | "outputStore" | "inPlace"> & { graph?: Graph },
    emit: (node: Node, context: KernelContext) => void,
  ): void {
    for (const [name, tensor] of weights) this.weights.set(name, tensor);
    const params = new ParamBuffers((buffer) => this.add(buffer), [node], []);
    const context: KernelContext = {
      graph: this.graph,
      batch: this.batch,
      maxStorageBindings: PORTABLE_TARGET.limits.maxStorageBuffersPerShaderStage,
      ...fields,
      paramBuffer: (name) => params.whole(node, name),
      paramSliceBuffer: (name, first, count) => params.slice(node, name, first, count),
      derivedBuffer: (name) => params.ref({ kind: "derived", name }),
      scratchBuffer: (label, bytes) => this.add({ label: `${node.name}.${label}`, role: "scratch", bytes, node: node.id }),
      emit: (step) => this.steps.push(step),
    };
    emit(node, context);
  }

  /** Appends a step the test built itself (its bindings name buffers of this plan). */
  step(step: KernelStep): void {
    this.steps.push(step);
  }

  plan(): Plan {
    return {
      network: this.graph.name,
      batch: this.batch,
      fused: false,
      buffers: this.buffers,
      programs: this.steps.map((step) => ({ key: step.program, wgsl: step.wgsl, entryPoint: step.entryPoint, bindings: [], layers: [step.layer] })),
      steps: this.steps,
      weights: [],
      derived: [],
      memory: { plannedActivationBytes: 0, perValueActivationBytes: 0, summaryActivationBytes: 0, paramBytes: 0, scratchBytes: 0 },
      inputs: this.inputs,
      outputs: this.outputs,
      nodeBuffers: new Map([...this.inputs, ...this.outputs].map((endpoint) => [endpoint.node, endpoint.buffer])),
    };
  }

  /** The WGSL of every kernel emitted so far. */
  shaders(): string[] {
    return this.steps.map((step) => step.wgsl);
  }

  /** Runs the plan once and returns its outputs by name. */
  async run(gpu: GpuContext): Promise<Map<string, Tensor>> {
    const executor = await createExecutor(gpu, this.plan(), this.weights);
    try {
      return await executor.run(this.inputTensors);
    } finally {
      executor.destroy();
    }
  }
}

/** A Plan computing `graph.nodes[nodeId]` from the graph's input `x` with `emit` (a generator). */
export function singleNodePlan(
  graph: Graph,
  nodeId: number,
  batch: number,
  emit: (node: Node, context: KernelContext) => void,
): Plan {
  const node = graph.nodes[nodeId]!;
  const inputNode = graph.nodes[node.inputs[0]!]!;
  const test = new TestPlan(graph, batch);
  const inputBuffer = test.input(inputNode.name, { shape: [batch, ...inputNode.shape], data: new Float32Array(batch * shapeSize(inputNode.shape)) }, inputNode.id);
  const outputBuffer = test.output(node.name, [batch, ...node.shape], node.id);
  test.emit(node, new Map(), { inputBuffers: [inputBuffer], outputBuffer }, emit);
  return test.plan();
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
  { op: "relu6" },
  { op: "hardsigmoid" },
  { op: "hardswish" },
  { op: "silu" },
];
