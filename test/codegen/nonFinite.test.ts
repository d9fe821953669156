// NaN and +-Inf through every kernel, GPU against the CPU reference (which follows PyTorch: NaN is never
// dropped, see test/reference/nonFinite.test.ts). Inputs are random values with NaN, +Inf and -Inf at
// random positions; a result must be NaN exactly where the reference's is, the same infinity where the
// reference's is infinite, and within FLOAT32_TOLERANCE elsewhere. WGSL compilers may assume floats are
// never NaN (llvmpipe's max(NaN, 0) is 0), so this is what keeps the kernels' explicit NaN tests honest.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { emitConv } from "../../src/codegen/conv/conv.js";
import { activationStage, biasStage, type EpilogueStage } from "../../src/codegen/epilogue.js";
import { emitFc } from "../../src/codegen/fc.js";
import { chosenSchedule } from "../schedule/chosenSchedule.js";
import type { ActivationAttrs, OpAttrs, Shape } from "../../src/ir/graph.js";
import { runReference } from "../../src/reference/interpret.js";
import type { Tensor } from "../../src/tensor.js";
import { openDevice, type GpuContext } from "../../runtime/device.js";
import { chainGraph, conv2d, pool1d, pool2d, randomTensor, randomWeights, seededRandom, singleOpGraph, tensorOf } from "../reference/graphBuilders.js";
import { compareTensors, expectGpuMatchesReference, FLOAT32_TOLERANCE } from "./gpuHarness.js";
import { EVERY_ACTIVATION, runPlan, singleNodePlan } from "./kernelHarness.js";

const random = seededRandom(606);
const NON_FINITE = [Number.NaN, Infinity, -Infinity];

/** `tensor` with about `fraction` of its elements replaced by NaN, +Inf or -Inf (at least one of each). */
function sprinkleNonFinite(tensor: Tensor, fraction: number): Tensor {
  const data = tensor.data.slice();
  for (const value of NON_FINITE) data[Math.floor(random() * data.length)] = value;
  for (let i = 0; i < data.length; i++) {
    if (random() < fraction) data[i] = NON_FINITE[Math.floor(random() * NON_FINITE.length)]!;
  }
  return { shape: [...tensor.shape], data };
}

async function checkWithNonFinite(attrs: OpAttrs, shapes: Shape[], batch: number, fraction = 0.1): Promise<void> {
  const graph = singleOpGraph(attrs, shapes.length === 1 ? shapes[0]! : shapes);
  const names = shapes.length === 1 ? ["x"] : shapes.map((_, i) => `x${i}`);
  const inputs = new Map(names.map((name, i) => [name, sprinkleNonFinite(randomTensor([batch, ...shapes[i]!], random), fraction)]));
  await expectGpuMatchesReference(graph, inputs, randomWeights(graph, random), `${JSON.stringify(attrs)} on ${JSON.stringify(shapes)} x${batch} with NaN/Inf`);
}


describe("activation kernels keep NaN and give PyTorch's limits at +-Inf", () => {
  it.each(EVERY_ACTIVATION.map((attrs) => [attrs.op, attrs] as const))("%s", async (_name, attrs) => {
    await checkWithNonFinite(attrs, [[4, 5, 6]], 2);
  });

  it("relu(NaN) is NaN, relu(-Inf) is 0, relu(+Inf) is +Inf on the GPU", async () => {
    const graph = singleOpGraph({ op: "relu" }, [4]);
    const input = tensorOf([1, 4], [Number.NaN, -Infinity, Infinity, -2]);
    await expectGpuMatchesReference(graph, new Map([["x", input]]), new Map(), "relu of [NaN, -Inf, +Inf, -2]");
    expect(Array.from(runReference(graph, new Map([["x", input]]), new Map()).outputs.get("layer")!.data)).toEqual([Number.NaN, 0, Infinity, 0]);
  });
});

describe("pooling kernels keep NaN", () => {
  it.each(["max", "avg", "l2"] as const)("%s pooling, 2-D and 1-D, with padding and ceil rounding", async (kind) => {
    await checkWithNonFinite(pool2d({ kind, window: 3, stride: 2, padding: 1, rounding: "ceil" }), [[3, 9, 8]], 2);
    await checkWithNonFinite(pool2d({ kind, window: [2, 3], stride: [2, 1], countPadding: false, padding: [1, 0, 1, 1] }), [[2, 7, 7]], 1);
    await checkWithNonFinite(pool1d({ kind, window: 4, stride: 3, padding: 2 }), [[3, 20]], 2);
  });

  it("max pooling of a window of -Inf is -Inf, not -FLT_MAX", async () => {
    const graph = singleOpGraph(pool2d({ kind: "max", window: 2 }), [1, 2, 4]);
    const input = tensorOf([1, 1, 2, 4], [-Infinity, -Infinity, 1, Number.NaN, -Infinity, -Infinity, 2, 3]);
    await expectGpuMatchesReference(graph, new Map([["x", input]]), new Map(), "max pool of [-Inf x4], [1, NaN, 2, 3]");
  });

  it.each(["max", "avg"] as const)("global %s pooling, planes smaller and larger than a workgroup", async (kind) => {
    await checkWithNonFinite({ op: "global_pool", kind }, [[6, 3, 3]], 2, 0.05);
    await checkWithNonFinite({ op: "global_pool", kind }, [[4, 17, 13]], 2, 0.002);
    // One plane all -Inf: its max is -Inf.
    const graph = singleOpGraph({ op: "global_pool", kind }, [2, 70]);
    const input = randomTensor([1, 2, 70], random);
    input.data.fill(-Infinity, 0, 70);
    await expectGpuMatchesReference(graph, new Map([["x", input]]), new Map(), `global ${kind} pool of a -Inf plane`);
  });
});

describe("softmax, normalization and structural kernels keep NaN", () => {
  it("softmax: a NaN or +Inf among the channels makes them all NaN, a -Inf gives 0", async () => {
    await checkWithNonFinite({ op: "softmax" }, [[10]], 6, 0.05);
    await checkWithNonFinite({ op: "softmax" }, [[5, 3, 4]], 2, 0.05);
    const graph = singleOpGraph({ op: "softmax" }, [3]);
    const input = tensorOf([4, 3], [-Infinity, 1, 2, -Infinity, -Infinity, -Infinity, Infinity, 0, 1, Number.NaN, 0, 1]);
    await expectGpuMatchesReference(graph, new Map([["x", input]]), new Map(), "softmax rows with -Inf, all -Inf, +Inf, NaN");
  });

  it("lrn, batchnorm, add and concat", async () => {
    await checkWithNonFinite({ op: "lrn", size: 3, alpha: 0.5, beta: 0.75, k: 2 }, [[6, 3, 4]], 2, 0.03);
    await checkWithNonFinite({ op: "batchnorm", eps: 1e-5, momentum: 0.1 }, [[5, 3, 4]], 2);
    await checkWithNonFinite({ op: "add" }, [[3, 4, 4], [3, 4, 4], [3, 4, 4], [3, 4, 4]], 2);
    await checkWithNonFinite({ op: "concat" }, [[2, 3, 3], [4, 3, 3]], 2);
  });
});

describe("conv and fc kernels, with activations fused into their epilogue, keep NaN", () => {
  let gpu: GpuContext;
  beforeAll(async () => {
    gpu = await openDevice();
  });
  afterAll(() => gpu?.destroy());

  /** Runs `first` (node l0) with bias and `activation` fused; the reference runs l0 -> l1. */
  async function checkFused(inputShape: Shape, first: OpAttrs, activation: ActivationAttrs, kind?: "direct" | "im2col"): Promise<void> {
    const graph = chainGraph(inputShape, [first, activation]);
    const node = graph.nodes[1]!;
    if (first.op === "conv" || first.op === "fc") node.schedule = chosenSchedule(graph, node, kind);
    const weights = randomWeights(graph, random);
    const input = sprinkleNonFinite(randomTensor([2, ...inputShape], random), 0.01);
    const expected = runReference(graph, new Map([["x", input]]), weights).outputs.get("l1")!;
    const plan = singleNodePlan(graph, node.id, 2, (n, context) => {
      const stages: EpilogueStage[] = [biasStage(context.paramBuffer("bias")), activationStage(activation)];
      if (first.op === "fc") emitFc(n, context, stages);
      else emitConv(n, context, stages);
    });
    const actual = await runPlan(gpu, plan, weights, input);
    expect(expected.data.some((value) => Number.isNaN(value)), "the test input makes some NaN").toBe(true);
    const { firstBad } = compareTensors(actual, expected, { ...FLOAT32_TOLERANCE, atol: 1e-4 });
    expect(firstBad, `${first.op}${kind === undefined ? "" : ` ${kind}`} + ${activation.op}`).toBeUndefined();
  }

  it.each(EVERY_ACTIVATION.map((attrs) => [attrs.op, attrs] as const))("bias -> %s", async (_name, activation) => {
    const conv = conv2d({ out: 4, kernel: 3, padding: 1 });
    await checkFused([3, 8, 7], conv, activation, "direct");
    await checkFused([3, 8, 7], conv, activation, "im2col");
    await checkFused([40], { op: "fc", outFeatures: 9, bias: true }, activation);
  });
});
