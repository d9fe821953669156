// KernelStep.loopIterations against llvmpipe's real limit (65535 loop passes per invocation, after
// which every loop of the invocation silently ends). For each family of kernels (direct conv, im2col
// GEMM, fc with vec4 and with scalar loads, softmax, windowed pool) the largest shape whose counted
// passes are within the limit runs and matches the float64 reference, the smallest shape counted past
// it is refused before it runs, and with the check bypassed a shape counted 1% past it gives wrong
// numbers on llvmpipe. So the count is never short, and at most 1% loose: it is an upper bound, since
// llvmpipe unrolls some short leaf loops (a channel tail, a store's 4 lanes), which then take no passes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { limitsLoopIterations, openDevice, type GpuContext } from "../../runtime/device.js";
import { createExecutor } from "../../runtime/executor.js";
import { checkLoopLimit, LLVMPIPE_MAX_LOOP_ITERATIONS, loopPasses } from "../../src/codegen/loopLimit.js";
import type { Plan } from "../../src/codegen/plan.js";
import { compileSource } from "../../src/compile.js";
import { CnncUserError } from "../../src/errors.js";
import type { Graph } from "../../src/ir/graph.js";
import type { ScheduleConvsOptions } from "../../src/passes/scheduleOptions.js";
import { buildPlan } from "../../src/pipeline.js";
import { runReference } from "../../src/reference/interpret.js";
import type { Tensor, WeightMap } from "../../src/tensor.js";
import { randomTensor, randomWeights, seededRandom } from "../reference/graphBuilders.js";
import { userError } from "../support/userError.js";
import { compareTensors } from "./gpuHarness.js";
import { toleranceFor } from "./kernelHarness.js";

const LIMIT = LLVMPIPE_MAX_LOOP_ITERATIONS;

let gpu: GpuContext;
beforeAll(async () => {
  gpu = await openDevice();
});
afterAll(() => gpu?.destroy());

/** Kernels whose loop passes grow with `size`: the network, and the length of each output's sum. */
interface Family {
  name: string;
  source(size: number): string;
  schedule?: ScheduleConvsOptions;
  terms(size: number): number;
  /** A size whose plan is well past the limit (and still within the kernels' index range). */
  maxSize: number;
}

const FAMILIES: Family[] = [
  {
    // 8 output pixels: both 4-lane store loops run full.
    name: "direct conv, C/groups a multiple of 4",
    source: (size) => `network D {\n input x: ${4 * size}x3x10\n conv(2, 3) as c\n}\n`,
    schedule: { all: "direct" },
    terms: (size) => 36 * size,
    maxSize: 2 ** 14,
  },
  {
    name: "direct conv, 3 channels left after the unrolled loop",
    source: (size) => `network D {\n input x: ${4 * size + 3}x2x9\n conv(2, 2) as c\n}\n`,
    schedule: { all: "direct" },
    terms: (size) => 4 * (4 * size + 3),
    maxSize: 2 ** 15,
  },
  {
    // 4x4 outputs: 16 columns, so each of the GEMM's 4 store loops runs 4 lanes.
    name: "im2col GEMM",
    source: (size) => `network G {\n input x: ${4 * size}x6x6\n conv(8, 3) as c\n}\n`,
    schedule: { all: "im2col" },
    terms: (size) => 36 * size,
    maxSize: 2 ** 13,
  },
  {
    name: "implicit GEMM",
    source: (size) => `network G {\n input x: ${4 * size}x6x6\n conv(8, 3) as c\n}\n`,
    schedule: { all: "implicit_gemm" },
    terms: (size) => 36 * size,
    maxSize: 2 ** 13,
  },
  { name: "fc, vec4 loads", source: (size) => `network F {\n input x: ${4 * size}\n fc(4)\n}\n`, terms: (size) => 4 * size, maxSize: 2 ** 17 },
  { name: "fc, scalar loads", source: (size) => `network F {\n input x: ${4 * size + 3}\n fc(4)\n}\n`, terms: (size) => 4 * size + 3, maxSize: 2 ** 17 },
  { name: "softmax", source: (size) => `network S {\n input x: ${4 * size}\n softmax\n}\n`, terms: () => 1, maxSize: 2 ** 16 },
  // l2: a cut-short window changes the sum of squares, where an avg or max would hide it.
  {
    name: "l2 pool",
    source: (size) => `network P {\n input x: 1x128x${size}\n l2pool(128x${size})\n}\n`,
    terms: (size) => 128 * size,
    maxSize: 2 ** 11,
  },
];

function graphOf(source: string): Graph {
  const compiled = compileSource(source, "loops.cnn");
  if (compiled.graph === undefined) throw new Error(compiled.diagnostics.map((diagnostic) => diagnostic.message).join("\n"));
  return compiled.graph;
}

function planOf(family: Family, size: number): { graph: Graph; plan: Plan } {
  const graph = graphOf(family.source(size));
  return { graph, plan: buildPlan(graph, 1, family.schedule === undefined ? {} : { schedule: family.schedule }) };
}

function mostLoopPasses(plan: Plan): number {
  return Math.max(...plan.steps.map((step) => step.loopIterations));
}

/** The smallest size in [1, family.maxSize] whose plan passes `bound` (the families grow monotonically). */
function smallestSizeOver(family: Family, bound: number): number {
  let low = 1;
  let high = family.maxSize;
  if (mostLoopPasses(planOf(family, high).plan) <= bound) throw new Error(`${family.name}: size ${high} is not past ${bound} loop passes`);
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (mostLoopPasses(planOf(family, middle).plan) > bound) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** Runs `plan` (its check included) on random inputs and weights; the GPU's and the reference's output. */
async function runBoth(graph: Graph, plan: Plan): Promise<{ gpu: Tensor; reference: Tensor }> {
  const random = seededRandom(5);
  const weights: WeightMap = randomWeights(graph, random);
  const input = plan.inputs[0]!;
  const inputs = new Map([[input.name, randomTensor(input.shape, random)]]);
  const executor = await createExecutor(gpu, plan, weights);
  try {
    const outputs = await executor.run(inputs);
    const name = plan.outputs[0]!.name;
    return { gpu: outputs.get(name)!, reference: runReference(graph, inputs, weights).outputs.get(name)! };
  } finally {
    executor.destroy();
  }
}

describe("loop passes per invocation against llvmpipe's limit", () => {
  for (const family of FAMILIES) {
    it(`${family.name}: right at the limit, refused past it, wrong 1% past it when the check is bypassed`, { timeout: 60_000 }, async () => {
      const fitting = smallestSizeOver(family, LIMIT) - 1;
      const within = planOf(family, fitting);
      expect(mostLoopPasses(within.plan)).toBeLessThanOrEqual(LIMIT);
      expect(mostLoopPasses(within.plan)).toBeGreaterThan(LIMIT - 200);
      const right = await runBoth(within.graph, within.plan);
      const tolerance = toleranceFor(family.terms(fitting));
      expect(compareTensors(right.gpu, right.reference, tolerance).firstBad, `${family.name} at size ${fitting}`).toBeUndefined();

      const past = planOf(family, smallestSizeOver(family, LIMIT + 1));
      expect(() => checkLoopLimit(past.plan)).toThrow(CnncUserError);
      if (!limitsLoopIterations(gpu.adapterDetails)) {
        // No limit on this device: the same plan runs and is right.
        const result = await runBoth(past.graph, past.plan);
        expect(compareTensors(result.gpu, result.reference, tolerance).firstBad).toBeUndefined();
        return;
      }
      await expect(createExecutor(gpu, past.plan, randomWeights(past.graph, seededRandom(1)))).rejects.toThrow(/more than llvmpipe's limit of 65,535/);
      const wellPast = planOf(family, smallestSizeOver(family, Math.ceil(LIMIT * 1.01)));
      const unchecked: Plan = { ...wellPast.plan, steps: wellPast.plan.steps.map((step) => ({ ...step, loopIterations: 0 })) };
      const wrong = await runBoth(wellPast.graph, unchecked);
      expect(compareTensors(wrong.gpu, wrong.reference, tolerance).firstBad, `${family.name}: llvmpipe should cut the loops short`).toBeDefined();
    });
  }

  it("the 8192-channel 3x3 direct conv (once silently wrong) counts 18,548 passes and matches the reference", { timeout: 60_000 }, async () => {
    const graph = graphOf(`network T {\n input x: 8192x3x3\n conv(8, 3, pad=1) as c\n}\n`);
    const plan = buildPlan(graph, 1, { schedule: { all: "direct" } });
    // kh (3 + 1) + kw 3 x (3 + 1) + 9 taps x (2048 quads of channels + 1) + 2 store loops x (4 lanes + 1)
    // + the epilogue's (the bias) loop: 8 channels + 1, each running 8 pixels + 1.
    expect(plan.steps.map((step) => step.loopIterations)).toEqual([4 + 3 * (4 + 3 * 2049) + 2 * 5 + (8 + 1 + 8 * (8 + 1))]);
    const { gpu: result, reference } = await runBoth(graph, plan);
    expect(compareTensors(result, reference, toleranceFor(9 * 8192)).firstBad).toBeUndefined();
  });
});

describe("loopIterations of each generator, by hand", () => {
  const passesOf = (source: string, schedule?: ScheduleConvsOptions): Record<string, number> =>
    Object.fromEntries(buildPlan(graphOf(source), 2, schedule === undefined ? {} : { schedule }).steps.map((step) => [step.name, step.loopIterations]));

  it("conv: direct (with and without a channel tail, pooled) and im2col + GEMM", () => {
    // 6 channels: one unrolled pass of 4, a tail of 2; 8 pixels of 25 per block, so 2 store loops,
    // then the epilogue's (the bias) loop over the block's 4 channels x 8 pixels.
    expect(passesOf(`network A {\n input x: 6x7x7\n conv(4, 3) as c\n}\n`, { all: "direct" })).toEqual({
      "c.conv_direct": loopPasses(3, loopPasses(3, loopPasses(1) + loopPasses(2))) + 2 * loopPasses(4) + loopPasses(4, loopPasses(8)),
    });
    // Pooled: the block's pooled pixels are stored (the schedule gives 2 of them: one store loop of 2 lanes).
    const pooled = passesOf(`network B {\n input x: 8x8x8\n conv(8, 3, pad=1) as c -> maxpool(2)\n}\n`, { all: "direct" });
    expect(pooled).toEqual({ "c.conv_direct": loopPasses(3, loopPasses(3, loopPasses(2))) + loopPasses(2) });
    // R = 5 * 3 * 3 = 45: 11 unrolled passes and a tail of 1, then the GEMM core's rolled store loop
    // (with the epilogue, the bias) over the 8 x 16 tile. im2col has no loop.
    expect(passesOf(`network C {\n input x: 5x6x6\n conv(8, 3) as c\n}\n`, { all: "im2col" })).toEqual({
      "c.im2col": 0,
      "c.gemm": loopPasses(11) + loopPasses(1) + loopPasses(8, loopPasses(16)),
    });
    // implicit_gemm: the same reduction over 2 * 4 * 4 = 32 pixels, its default 8 x 8 tile.
    expect(passesOf(`network C {\n input x: 5x6x6\n conv(8, 3) as c\n}\n`, { all: "implicit_gemm" })).toEqual({
      "c.implicit_gemm": loopPasses(11) + loopPasses(1) + loopPasses(8, loopPasses(8)),
    });
  });

  it("fc, pools, softmax, lrn and the loop-free kernels", () => {
    // The reduction in quads and a tail, then the store loop over the 4 features x 2 samples (batch 2) tile.
    expect(passesOf(`network F {\n input x: 400\n fc(10) as f\n}\n`)).toEqual({ "f.fc": loopPasses(100) + loopPasses(0) + loopPasses(4, loopPasses(2)) });
    expect(passesOf(`network F {\n input x: 401\n fc(10) as f\n}\n`)).toEqual({ "f.fc": loopPasses(100) + loopPasses(1) + loopPasses(4, loopPasses(2)) });
    expect(passesOf(`network P {\n input x: 3x9x9\n maxpool(3, stride=2) as p\n}\n`)).toEqual({ "p.maxpool": loopPasses(3, loopPasses(3)) });
    // 1000 positions: lane 0 runs 4 unrolled passes (from 0, 256, 512, 768), then up to 3 left; 6 tree steps.
    expect(passesOf(`network G {\n input x: 2x40x25\n global_avgpool as g\n}\n`)).toEqual({ "g.global_avgpool": loopPasses(4) + loopPasses(3) + loopPasses(6) });
    // 10 channels: the max loop over 9 (2 quads, 1 left), the exp and scale loops over 10 (2 quads, 2 left).
    expect(passesOf(`network S {\n input x: 10\n softmax as s\n}\n`)).toEqual({ "s.softmax": loopPasses(2) + loopPasses(1) + 2 * (loopPasses(2) + loopPasses(2)) });
    expect(passesOf(`network L {\n input x: 3x4x4\n lrn(size=5) as l\n}\n`)).toEqual({ "l.lrn": loopPasses(3) });
    const loopFree = passesOf(`network E {\n input x: 3x4x4\n a = relu\n b = x -> tanh\n concat(a, b) as j\n}\n`, undefined);
    expect(Object.values(loopFree)).toEqual(Object.values(loopFree).map(() => 0));
  });

  it("the check names the kernel, its layers, the count, the limit and the fix", () => {
    const plan = buildPlan(graphOf(`network F {\n input x: 300001\n fc(4) as f\n}\n`), 1);
    const error = userError(() => checkLoopLimit(plan));
    expect(error.message).toBe(
      "kernel f.fc (layers f) runs 75,016 loop iterations per invocation, more than llvmpipe's limit of 65,535: " +
        "past it, llvmpipe silently ends every loop of the kernel and its results would be wrong",
    );
    expect(error.hint).toBe("give f fewer input features (pool or stride before it); or run on a hardware GPU (`--backend vulkan`), which has no such limit");
    const conv = buildPlan(graphOf(`network T {\n input x: 40000x3x3\n conv(8, 3, pad=1) as c\n}\n`), 1, { schedule: { all: "direct" } });
    expect(userError(() => checkLoopLimit(conv)).hint).toMatch(/^give c fewer input channels per group or a smaller kernel window; .*`--schedule c=im2col`/);
  });
});
