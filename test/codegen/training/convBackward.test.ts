// The conv backward kernels on the GPU against the float64 reference gradient (convGradient): dx,
// dweight and dbias on the hand-picked forward conv cases (stride, dilation, asymmetric and `same`
// padding, odd sizes, groups, depthwise, batches, every padding mode, conv1d), seeded random ones and
// the FashionCNN training convs, each case under its kinds' defaults and under one other knob setting
// (register blocks that do not divide the sizes, workgroup sizes, reduction splits), varied across cases.
// Tolerance: toleranceFor(terms in each sum) (kernelHarness.ts); values are uniform in [-1, 1].
import { beforeAll, describe, expect, it } from "vitest";
import { convBackwardBias, convBackwardData, convBackwardFilter, type ConvGradientSpec } from "../../../src/codegen/training/convBackward.js";
import type { DataGemmSchedule } from "../../../src/schedule/kinds/dataGemm.js";
import type { FilterGemmSchedule } from "../../../src/schedule/kinds/filterGemm.js";
import type { TrainingKernels } from "../../../src/codegen/training/trainingKernel.js";
import { LLVMPIPE_MAX_LOOP_ITERATIONS } from "../../../src/codegen/loopLimit.js";
import type { ConvAttrs, Shape } from "../../../src/ir/graph.js";
import { convGradient } from "../../../src/reference/gradients/conv.js";
import type { GpuContext } from "../../../runtime/device.js";
import { conv2d, randomWeights, seededRandom, singleOpGraph } from "../../reference/graphBuilders.js";
import { HAND_PICKED_CASES, randomCases, type ConvCase } from "../convCases.js";
import { testGpu } from "../gpuHarness.js";
import { expectClose, toleranceFor } from "../kernelHarness.js";
import { DATA_SCHEDULES, defaultDataSchedule, defaultFilterSchedule, FILTER_SCHEDULES } from "./backwardSchedules.js";
import { runTrainingKernels } from "./trainingHarness.js";

let gpu: GpuContext;
beforeAll(async () => {
  gpu = await testGpu();
});

/** The schedules of variant `variant`: 0 the kinds' defaults, else one of the other knob settings each. */
function schedulesOf(spec: ConvGradientSpec, variant: number): { data: DataGemmSchedule; filter: FilterGemmSchedule } {
  if (variant === 0) return { data: defaultDataSchedule(spec), filter: defaultFilterSchedule(spec) };
  return { data: DATA_SCHEDULES[(variant - 1) % DATA_SCHEDULES.length]!, filter: FILTER_SCHEDULES[(variant - 1) % FILTER_SCHEDULES.length]! };
}

function randomFloat32(length: number, random: () => number): Float32Array {
  return Float32Array.from({ length }, () => random() * 2 - 1);
}

const size = (shape: Shape): number => shape.reduce((a, b) => a * b, 1);

/** Runs the three generators on one conv and compares each gradient with the reference. */
async function checkConvBackward(testCase: ConvCase, variant: number, seed: number): Promise<string[]> {
  const { attrs, input, batch } = testCase;
  const graph = singleOpGraph(attrs, input);
  const node = graph.nodes[1]!;
  const spec: ConvGradientSpec = { batch, attrs, inputShape: input, outputShape: node.shape };
  const random = seededRandom(seed);
  const weights = randomWeights(graph, random);
  const weight = weights.get("layer.weight")!.data;
  const x = randomFloat32(batch * size(input), random);
  const dy = randomFloat32(batch * size(node.shape), random);
  const expected = convGradient(node, attrs, { batch, shape: input, data: Float64Array.from(x) }, weights, { batch, shape: node.shape, data: Float64Array.from(dy) });

  const schedules = schedulesOf(spec, variant);
  const data = convBackwardData(spec, schedules.data);
  const filter = convBackwardFilter(spec, schedules.filter);
  const bias = convBackwardBias(spec, variant % 2 === 1 ? 5 : undefined);
  // One run of all three (their operands and scratch are distinct names). Outputs start as NaN: each
  // generator must overwrite every element.
  const generators = attrs.bias ? [data, filter, bias] : [data, filter];
  const all: TrainingKernels = { kernels: generators.flatMap((generated) => generated.kernels), scratch: generators.flatMap((generated) => generated.scratch) };
  const poisoned = (length: number): Float32Array => new Float32Array(length).fill(Number.NaN);
  const outputs = await runTrainingKernels(gpu, all, { dy, weight, x, dx: poisoned(x.length), dweight: poisoned(weight.length), dbias: poisoned(attrs.outChannels) });
  const reduction = batch * size(node.shape.slice(1));
  const check = (name: string, expectedGradient: Float64Array, terms: number): void => {
    const actual = outputs.get(name)!;
    expectClose({ shape: [actual.length], data: actual }, { shape: [expectedGradient.length], data: Float32Array.from(expectedGradient) }, toleranceFor(terms), `${testCase.name}: ${name}`);
  };
  check("dx", expected.inputs[0]!.data, (attrs.outChannels / attrs.groups) * attrs.kernel[0] * attrs.kernel[1]);
  check("dweight", expected.params.get("layer.weight")!, reduction);
  if (attrs.bias) check("dbias", expected.params.get("layer.bias")!, reduction);
  return [data, filter, bias].flatMap((generated) => generated.kernels.map((kernel) => kernel.kernel));
}

describe("conv backward kernels match the reference gradient", () => {
  HAND_PICKED_CASES.forEach((testCase, index) => {
    it(testCase.name, async () => {
      await checkConvBackward(testCase, 0, 100 + index);
      await checkConvBackward(testCase, index + 1, 100 + index);
    });
  });

  randomCases(6, 4242).forEach((testCase, index) => {
    it(testCase.name, async () => {
      await checkConvBackward(testCase, 0, 900 + index);
      await checkConvBackward(testCase, index + 2, 900 + index);
    });
  });

  it("splits long reductions and pads other modes through the padded gradient", async () => {
    const kernels = await checkConvBackward({ name: "reflect, batch 3, 12x11", attrs: conv2d({ out: 6, kernel: 3, padding: [1, 2, 2, 1], mode: "reflect" }), input: [4, 12, 11], batch: 3 }, 1, 7);
    expect(kernels).toEqual(["conv_backward_data_padded", "conv_backward_data_fold", "conv_backward_filter_partial", "dweight_sum", "conv_backward_bias_partial", "dbias_sum"]);
  });

  it("takes the direct path for a padding mode with no padding", async () => {
    const kernels = await checkConvBackward({ name: "circular, no padding", attrs: conv2d({ out: 3, kernel: [2, 3], stride: [2, 1], mode: "circular", bias: false }), input: [2, 7, 6], batch: 2 }, 2, 8);
    expect(kernels[0]).toBe("conv_backward_data");
  });
});

describe("conv backward kernels propagate NaN", () => {
  it("a NaN in dy reaches the dx pixels its taps touch, its filter's dweight and its dbias, as in the reference", async () => {
    const attrs = conv2d({ out: 4, kernel: 3, stride: 2, padding: [1, 0, 2, 1], groups: 2 });
    const input: Shape = [4, 7, 8];
    const graph = singleOpGraph(attrs, input);
    const node = graph.nodes[1]!;
    const spec: ConvGradientSpec = { batch: 2, attrs, inputShape: input, outputShape: node.shape };
    const random = seededRandom(31);
    const weights = randomWeights(graph, random);
    const weight = weights.get("layer.weight")!.data;
    const x = randomFloat32(2 * size(input), random);
    const dy = randomFloat32(2 * size(node.shape), random);
    dy[size(node.shape) + 5] = Number.NaN;
    const expected = convGradient(node, attrs, { batch: 2, shape: input, data: Float64Array.from(x) }, weights, { batch: 2, shape: node.shape, data: Float64Array.from(dy) });
    const generators = [convBackwardData(spec, defaultDataSchedule(spec)), convBackwardFilter(spec, defaultFilterSchedule(spec)), convBackwardBias(spec)];
    const all: TrainingKernels = { kernels: generators.flatMap((generated) => generated.kernels), scratch: generators.flatMap((generated) => generated.scratch) };
    const outputs = await runTrainingKernels(gpu, all, { dy, weight, x, dx: new Float32Array(x.length), dweight: new Float32Array(weight.length), dbias: new Float32Array(4) });
    const nanPattern = (values: ArrayLike<number>): boolean[] => Array.from(values, (value) => Number.isNaN(value));
    const expectedPatterns = { dx: expected.inputs[0]!.data, dweight: expected.params.get("layer.weight")!, dbias: expected.params.get("layer.bias")! };
    for (const [name, reference] of Object.entries(expectedPatterns)) {
      expect(nanPattern(reference).some(Boolean), `${name}: the reference has NaNs`).toBe(true);
      expect(nanPattern(outputs.get(name)!), `${name}: NaN positions`).toEqual(nanPattern(reference));
    }
  });
});

const FASHION_CONVS: ConvCase[] = [
  { name: "FashionCNN conv 1 -> 16, 3x3 pad 1, 28x28, batch 64", attrs: conv2d({ out: 16, kernel: 3, padding: 1 }), input: [1, 28, 28], batch: 64 },
  { name: "FashionCNN conv 16 -> 32, 3x3 pad 1, 14x14, batch 64", attrs: conv2d({ out: 32, kernel: 3, padding: 1 }), input: [16, 14, 14], batch: 64 },
];

describe("conv backward kernels at the FashionCNN training shapes", () => {
  FASHION_CONVS.forEach((testCase, index) => {
    it(testCase.name, async () => {
      const kernels = await checkConvBackward(testCase, 0, 50 + index);
      // Zero padding: no scratch pass for dx; the batch-long reductions are split.
      expect(kernels).toEqual(["conv_backward_data", "conv_backward_filter_partial", "dweight_sum", "conv_backward_bias_partial", "dbias_sum"]);
    });
  });

  it("keeps every invocation's loops well under llvmpipe's limit", () => {
    for (const { attrs, input, batch } of FASHION_CONVS) {
      const spec = { batch, attrs, inputShape: input, outputShape: singleOpGraph(attrs, input).nodes[1]!.shape };
      const all: TrainingKernels[] = [convBackwardData(spec, defaultDataSchedule(spec)), convBackwardFilter(spec, defaultFilterSchedule(spec)), convBackwardBias(spec)];
      for (const kernel of all.flatMap((generated) => generated.kernels)) expect(kernel.loopIterations, kernel.kernel).toBeLessThan(LLVMPIPE_MAX_LOOP_ITERATIONS / 8);
    }
  });
});

describe("conv backward specs", () => {
  const attrs: ConvAttrs = conv2d({ out: 4, kernel: 3, padding: 1 });
  it("refuses an output shape the conv does not give", () => {
    const spec = { batch: 1, attrs, inputShape: [2, 8, 8], outputShape: [4, 7, 8] };
    expect(() => convBackwardData(spec, DATA_SCHEDULES[0]!)).toThrow(/is not what the conv of \[2, 8, 8\] gives \(8 x 8\)/);
  });
  it("refuses channels that do not fit the groups", () => {
    const spec = { batch: 1, attrs: { ...attrs, groups: 3 }, inputShape: [2, 8, 8], outputShape: [4, 8, 8] };
    expect(() => convBackwardFilter(spec, FILTER_SCHEDULES[0]!)).toThrow(/do not fit groups=3/);
  });
  it("titles every shader with the gradient it computes", () => {
    const spec = { batch: 2, attrs, inputShape: [2, 8, 8], outputShape: [4, 8, 8] };
    for (const generated of [convBackwardData(spec, defaultDataSchedule(spec)), convBackwardFilter(spec, defaultFilterSchedule(spec)), convBackwardBias(spec)]) {
      for (const kernel of generated.kernels) expect(kernel.wgsl.split("\n")[0]).toMatch(/^\/\/ conv backward (data|filter|bias)/);
    }
  });
});
