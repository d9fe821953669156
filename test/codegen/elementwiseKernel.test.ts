// The one elementwise kernel (sum of the inputs, then the epilogue) on the GPU: several inputs with
// stages, the in-place variant (input 0 bound once, read_write, and overwritten), and its limits.
// Oracles: the float64 reference for batchnorm and activations (run on the float64 sum of the
// inputs). Tolerance: rtol 1e-4, atol 1e-5 (FLOAT32_TOLERANCE), values O(1).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { activationStage, batchnormStage, scaleShiftStage, type EpilogueStage } from "../../src/codegen/epilogue.js";
import { emitElementwise } from "../../src/codegen/elementwise.js";
import { generateSoftmax } from "../../src/codegen/softmax.js";
import type { ActivationAttrs, Graph, OpAttrs, Shape } from "../../src/ir/graph.js";
import { runReference } from "../../src/reference/interpret.js";
import type { Tensor, WeightMap } from "../../src/tensor.js";
import { openDevice, type GpuContext } from "../../runtime/device.js";
import { chainGraph, randomTensor, randomWeights, seededRandom } from "../reference/graphBuilders.js";
import { FLOAT32_TOLERANCE } from "./gpuHarness.js";
import { expectClose, TestPlan } from "./kernelHarness.js";
import { foldBatchnorm, zipTensors } from "./stageOperands.js";

let gpu: GpuContext;
beforeAll(async () => {
  gpu = await openDevice();
});
afterAll(() => gpu?.destroy());

const EPS = 1e-3;

/** The reference of `ops` (batchnorm `l0` first when present) applied to the sum of `inputs`. */
function expectedOf(graph: Graph, inputs: Tensor[], weights: WeightMap): Tensor {
  const sum = inputs.slice(1).reduce((total, input) => zipTensors(total, input, (a, b) => a + b), inputs[0]!);
  return runReference(graph, new Map([["x", sum]]), weights).outputs.get(graph.nodes[graph.outputs[0]!]!.name)!;
}

interface ElementwiseCase {
  shape: Shape;
  inputs: number;
  batch: number;
  /** folded: scale_shift from the batchnorm; unfolded: the batchnorm stage; none: no batchnorm. */
  batchnorm: "folded" | "unfolded" | "none";
  activation: ActivationAttrs;
  inPlace: boolean;
}

async function checkElementwise(testCase: ElementwiseCase, seed: number): Promise<TestPlan> {
  const ops: OpAttrs[] = testCase.batchnorm === "none" ? [testCase.activation] : [{ op: "batchnorm", eps: EPS, momentum: 0.1 }, testCase.activation];
  const graph = chainGraph(testCase.shape, ops);
  const random = seededRandom(seed);
  const weights = randomWeights(graph, random);
  const tensors = Array.from({ length: testCase.inputs }, () => randomTensor([testCase.batch, ...testCase.shape], random));
  const test = new TestPlan(graph, testCase.batch);
  const buffers = tensors.map((tensor, i) => test.input(`x${i}`, tensor));
  const output = testCase.inPlace ? test.output("y", [testCase.batch, ...testCase.shape], 0, buffers[0]) : test.output("y", [testCase.batch, ...testCase.shape]);
  const stages: EpilogueStage[] = [];
  if (testCase.batchnorm === "folded") {
    const { scale, shift } = foldBatchnorm(weights, "l0", EPS);
    stages.push(scaleShiftStage(test.data("l0:scale", scale), test.data("l0:shift", shift), "0"));
  }
  const node = graph.nodes[graph.nodes.length - 1]!;
  const batchnormNode = graph.nodes[1]!;
  test.emit(batchnormNode.attrs.op === "batchnorm" ? batchnormNode : node, weights, { inputBuffers: buffers, outputBuffer: output, inPlace: testCase.inPlace }, (emitted, context) => {
    if (testCase.batchnorm === "unfolded") {
      const buffers = { weight: context.paramBuffer("weight"), bias: context.paramBuffer("bias"), runningMean: context.paramBuffer("running_mean"), runningVar: context.paramBuffer("running_var") };
      stages.push(batchnormStage(buffers, EPS, "0"));
    }
    emitElementwise(emitted, context, [...stages, activationStage(testCase.activation)]);
  });
  const actual = (await test.run(gpu)).get("y")!;
  expectClose(actual, expectedOf(graph, tensors, weights), FLOAT32_TOLERANCE, JSON.stringify(testCase));
  return test;
}

describe("the elementwise kernel", () => {
  it("sums 3 inputs and applies relu", async () => {
    await checkElementwise({ shape: [4, 5, 3], inputs: 3, batch: 2, batchnorm: "none", activation: { op: "relu" }, inPlace: false }, 1);
  });

  it("applies a folded (scale_shift) and an unfolded batchnorm per channel and per feature", async () => {
    const shapes: Shape[] = [[6, 3, 5], [3, 7], [11]];
    for (const [index, shape] of shapes.entries()) {
      for (const batchnorm of ["folded", "unfolded"] as const) {
        await checkElementwise({ shape, inputs: 2, batch: 3, batchnorm, activation: { op: "leaky_relu", alpha: 0.1 }, inPlace: false }, 10 + index);
      }
    }
  });

  it("runs in place: input 0 is bound once, read_write, and holds the result", async () => {
    const test = await checkElementwise({ shape: [5, 4, 4], inputs: 2, batch: 2, batchnorm: "unfolded", activation: { op: "sigmoid" }, inPlace: true }, 20);
    const step = test.plan().steps[0]!;
    expect(step.bindings.map((binding) => binding.access)).toEqual(["read_write", "read", "read", "read", "read", "read"]);
    expect(step.bindings[0]!.buffer).toBe(test.plan().outputs[0]!.buffer);
    expect(step.wgsl).toContain("x0[index] = apply_epilogue(x0[index] + x1[index], channel, index);");
    await checkElementwise({ shape: [7], inputs: 1, batch: 4, batchnorm: "none", activation: { op: "tanh" }, inPlace: true }, 21);
  });

  it("refuses more storage buffers than a kernel may bind, naming the count (internal: lowering splits large adds)", () => {
    const graph = chainGraph([4], [{ op: "relu" }]);
    const test = new TestPlan(graph, 1);
    const emit = (inputs: number, stages: EpilogueStage[]): void =>
      test.emit(graph.nodes[1]!, new Map(), { inputBuffers: Array.from({ length: inputs }, (_, i) => i), outputBuffer: 99 }, (node, context) => emitElementwise(node, context, stages));
    expect(() => emit(7, [])).not.toThrow();
    expect(() => emit(8, [])).toThrow(/internal: l0: elementwise kernel needs 9 storage buffers, more than the 8 a kernel may bind/);
    expect(() => emit(6, [scaleShiftStage(50, 51, "0")])).toThrow(/needs 9 storage buffers/);
  });

  it("refuses an in-place run whose output is not input 0, or that also reads input 0 as another input", () => {
    const graph = chainGraph([4], [{ op: "relu" }]);
    const test = new TestPlan(graph, 1);
    const emit = (inputBuffers: number[], outputBuffer: number): void =>
      test.emit(graph.nodes[1]!, new Map(), { inputBuffers, outputBuffer, inPlace: true }, (node, context) => emitElementwise(node, context, []));
    expect(() => emit([1, 2], 3)).toThrow(/runs in place but its output is not its first input's buffer/);
    expect(() => emit([1, 1], 1)).toThrow(/runs in place over a buffer it also reads as another input/);
  });
});

describe("softmax in place", () => {
  it("overwrites its input through one read_write binding", async () => {
    const graph = chainGraph([6, 3, 4], [{ op: "softmax" }]);
    const input = randomTensor([2, 6, 3, 4], seededRandom(30), -5, 5);
    const test = new TestPlan(graph, 2);
    const buffer = test.input("x", input);
    test.output("y", [2, 6, 3, 4], 0, buffer);
    test.emit(graph.nodes[1]!, new Map(), { inputBuffers: [buffer], outputBuffer: buffer, inPlace: true }, generateSoftmax);
    expect(test.plan().steps[0]!.bindings).toEqual([{ buffer, access: "read_write" }]);
    const expected = runReference(graph, new Map([["x", input]]), new Map()).outputs.get("l0")!;
    expectClose((await test.run(gpu)).get("y")!, expected, FLOAT32_TOLERANCE, "softmax in place");
  });
});
