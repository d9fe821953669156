import { describe, expect, it } from "vitest";
import { adamUpdate, hyperValues, optimizerStateNames, optimizerUpdate, sgdUpdate } from "../../../src/codegen/training/optimizers.js";
import { HYPER_SLOTS, METRICS_LENGTH, METRICS_SLOTS, type TrainingKernels } from "../../../src/codegen/training/trainingKernel.js";
import type { OptimizerConfig } from "../../../src/ir/graph.js";
import { adamStepReference, sgdStepReference } from "../../../src/reference/optimizers.js";
import { type AdamSettings, type SgdSettings, optimizerSettings } from "../../../src/training/optimizerSettings.js";
import { seededRandom } from "../../support/seededRandom.js";
import { testGpu } from "../gpuHarness.js";
import { expectClose } from "../kernelHarness.js";
import { fromU32Bits, runTrainingKernels, u32Bits } from "./trainingHarness.js";

/**
 * A few float32 roundings of values of the parameters' size (|param| <= ~2, lr·update <= ~0.5) per
 * step; a wrong formula (a missing bias correction, eps in the wrong place, no weight decay) is off
 * by far more.
 */
const TOLERANCE = { atol: 4e-7, rtol: 4e-6 };
const NO_FLAG = u32Bits(new Array(METRICS_LENGTH).fill(0));

function randomArray(random: () => number, length: number, low: number, high: number): Float64Array {
  return Float64Array.from({ length }, () => low + (high - low) * random());
}

/** Float64 values rounded to float32, and back: the reference starts from exactly what the GPU gets. */
function asFloat32(values: Float64Array): Float32Array {
  return Float32Array.from(values);
}

function expectArraysClose(actual: Float32Array | undefined, expected: Float64Array, what: string): void {
  expect(actual, what).toBeDefined();
  expectClose({ shape: [actual!.length], data: actual! }, { shape: [expected.length], data: Float32Array.from(expected) }, TOLERANCE, what);
}

/** Runs `steps` update steps (t continuing from `firstStep`) on the GPU; the state is carried between runs. */
async function runSteps(kernels: TrainingKernels, config: OptimizerConfig, operands: Record<string, Float32Array>, grads: Float32Array[], learningRate: number, firstStep: number) {
  let current = { ...operands };
  for (let i = 0; i < grads.length; i++) {
    const hyper = hyperValues(config, learningRate, firstStep + i);
    const outputs = await runTrainingKernels(await testGpu(), kernels, { ...current, grad: grads[i]!, hyper, metrics: NO_FLAG });
    current = { ...current, ...Object.fromEntries(outputs) };
  }
  return current;
}

const SGD_CASES: { name: string; settings: SgdSettings }[] = [
  { name: "plain", settings: { momentum: 0, nesterov: false, weightDecay: 0 } },
  { name: "momentum", settings: { momentum: 0.9, nesterov: false, weightDecay: 0 } },
  { name: "nesterov", settings: { momentum: 0.8, nesterov: true, weightDecay: 0 } },
  { name: "weight decay and momentum", settings: { momentum: 0.9, nesterov: false, weightDecay: 0.05 } },
  { name: "weight decay, nesterov", settings: { momentum: 0.5, nesterov: true, weightDecay: 0.1 } },
];

describe("SGD update kernel", () => {
  SGD_CASES.forEach(({ name, settings }, caseIndex) => {
    it(`${name}: one step and three in a row equal the float64 step`, async () => {
      const random = seededRandom(100 + caseIndex);
      const elements = 200 + Math.floor(random() * 900);
      const config: OptimizerConfig = { kind: "sgd", ...settings };
      const learningRate = 0.1;
      const param = randomArray(random, elements, -2, 2);
      const buffer = randomArray(random, elements, -1, 1); // mid-training state
      const grads = [0, 1, 2].map(() => randomArray(random, elements, -1, 1));
      const kernels = sgdUpdate({ elements, ...settings });
      const withMomentum = settings.momentum !== 0;
      expect(kernels.kernels[0]!.bindings.map((b) => b.name)).toEqual(["param", "grad", ...(withMomentum ? ["momentum_buffer"] : []), "hyper", "metrics"]);
      const operands: Record<string, Float32Array> = { param: asFloat32(param), ...(withMomentum ? { momentum_buffer: asFloat32(buffer) } : {}) };
      const gpu = await runSteps(kernels, config, operands, grads.map(asFloat32), learningRate, 7);
      const reference = { param: Float64Array.from(asFloat32(param)), ...(withMomentum ? { momentumBuffer: Float64Array.from(asFloat32(buffer)) } : {}) };
      for (const grad of grads) sgdStepReference(reference, Float64Array.from(asFloat32(grad)), settings, Math.fround(learningRate));
      expectArraysClose(gpu.param, reference.param, "param after three steps");
      if (withMomentum) expectArraysClose(gpu.momentum_buffer, reference.momentumBuffer!, "momentum buffer after three steps");
      // One step from a zero buffer: PyTorch's first step (buffer = g).
      const first = await runSteps(kernels, config, { param: asFloat32(param), ...(withMomentum ? { momentum_buffer: new Float32Array(elements) } : {}) }, [asFloat32(grads[0]!)], learningRate, 0);
      const firstReference = { param: Float64Array.from(asFloat32(param)), ...(withMomentum ? { momentumBuffer: new Float64Array(elements) } : {}) };
      sgdStepReference(firstReference, Float64Array.from(asFloat32(grads[0]!)), settings, Math.fround(learningRate));
      expectArraysClose(first.param, firstReference.param, "param after the first step");
    });
  });
});

const ADAM_CASES: { name: string; settings: AdamSettings }[] = [
  { name: "Adam", settings: { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false } },
  { name: "Adam, L2 weight decay, large eps", settings: { beta1: 0.8, beta2: 0.99, eps: 1e-2, weightDecay: 0.1, decoupled: false } },
  { name: "AdamW", settings: { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupled: true } },
  { name: "AdamW, strong decay", settings: { beta1: 0.5, beta2: 0.9, eps: 1e-3, weightDecay: 0.5, decoupled: true } },
];

describe("Adam update kernel", () => {
  ADAM_CASES.forEach(({ name, settings }, caseIndex) => {
    it(`${name}: the first step, and three from mid-training state, equal the float64 steps`, async () => {
      const random = seededRandom(200 + caseIndex);
      const elements = 200 + Math.floor(random() * 900);
      const config: OptimizerConfig = { kind: settings.decoupled ? "adamw" : "adam", ...settings };
      const learningRate = 0.05;
      const param = asFloat32(randomArray(random, elements, -2, 2));
      const grads = [0, 1, 2].map(() => asFloat32(randomArray(random, elements, -1, 1)));
      const kernels = adamUpdate({ elements, ...settings });
      expect(kernels.kernels[0]!.bindings.map((b) => b.name)).toEqual(["param", "grad", "exp_avg", "exp_avg_sq", "hyper", "metrics"]);

      const zeros = new Float32Array(elements);
      const first = await runSteps(kernels, config, { param, exp_avg: zeros, exp_avg_sq: zeros }, [grads[0]!], learningRate, 0);
      const firstReference = { param: Float64Array.from(param), expAvg: new Float64Array(elements), expAvgSq: new Float64Array(elements) };
      adamStepReference(firstReference, Float64Array.from(grads[0]!), settings, Math.fround(learningRate), 1);
      expectArraysClose(first.param, firstReference.param, "param after step 1");
      expectArraysClose(first.exp_avg, firstReference.expAvg, "exp_avg after step 1");
      expectArraysClose(first.exp_avg_sq, firstReference.expAvgSq, "exp_avg_sq after step 1");

      const expAvg = asFloat32(randomArray(random, elements, -0.5, 0.5));
      const expAvgSq = asFloat32(randomArray(random, elements, 0, 0.5));
      const later = await runSteps(kernels, config, { param, exp_avg: expAvg, exp_avg_sq: expAvgSq }, grads, learningRate, 4);
      const laterReference = { param: Float64Array.from(param), expAvg: Float64Array.from(expAvg), expAvgSq: Float64Array.from(expAvgSq) };
      for (let i = 0; i < 3; i++) adamStepReference(laterReference, Float64Array.from(grads[i]!), settings, Math.fround(learningRate), 5 + i);
      expectArraysClose(later.param, laterReference.param, "param after steps 5 to 7");
      expectArraysClose(later.exp_avg, laterReference.expAvg, "exp_avg after steps 5 to 7");
      expectArraysClose(later.exp_avg_sq, laterReference.expAvgSq, "exp_avg_sq after steps 5 to 7");
    });
  });
});

describe("update after a non-finite loss", () => {
  const configs: OptimizerConfig[] = [{ kind: "sgd", momentum: 0.9, nesterov: true, weightDecay: 0.01 }, { kind: "adamw" }];
  for (const config of configs) {
    it(`${config.kind} leaves parameters and state untouched once the flag is set`, async () => {
      const random = seededRandom(300);
      const elements = 333;
      const param = asFloat32(randomArray(random, elements, -1, 1));
      const states = Object.fromEntries(optimizerStateNames(config).map((name) => [name, asFloat32(randomArray(random, elements, 0, 1))]));
      const metrics = u32Bits([0, 0, 0, 0]);
      fromU32Bits(metrics)[METRICS_SLOTS.firstNonFiniteStep] = 3;
      const operands = { param, ...states, grad: asFloat32(randomArray(random, elements, -1, 1)), hyper: hyperValues(config, 0.1, 5), metrics };
      const outputs = await runTrainingKernels(await testGpu(), optimizerUpdate(config, elements), operands);
      expect([...outputs.keys()].sort()).toEqual(["param", ...Object.keys(states)].sort());
      for (const [name, values] of outputs) expect(values, name).toEqual(operands[name as keyof typeof operands]);
      // The same run without the flag does move them (the test can fail).
      const moved = await runTrainingKernels(await testGpu(), optimizerUpdate(config, elements), { ...operands, metrics: NO_FLAG });
      expect(moved.get("param")).not.toEqual(param);
    });
  }
});

describe("optimizer state and hyper values", () => {
  it("names each optimizer's per-parameter state", () => {
    expect(optimizerStateNames({ kind: "sgd", momentum: 0 })).toEqual([]);
    expect(optimizerStateNames({ kind: "sgd", momentum: 0.9, nesterov: true })).toEqual(["momentum_buffer"]);
    expect(optimizerStateNames({ kind: "adam" })).toEqual(["exp_avg", "exp_avg_sq"]);
    expect(optimizerStateNames({ kind: "adamw", weightDecay: 0.1 })).toEqual(["exp_avg", "exp_avg_sq"]);
  });

  it("writes the rate, bias corrections for t = step + 1, the seed and the step", () => {
    const hyper = hyperValues({ kind: "adam", beta1: 0.9, beta2: 0.999 }, 0.001, 2, 77);
    expect(hyper[HYPER_SLOTS.learningRate]).toBe(Math.fround(0.001));
    expect(hyper[HYPER_SLOTS.biasCorrection1]).toBe(Math.fround(1 - 0.9 ** 3));
    expect(hyper[HYPER_SLOTS.biasCorrection2]).toBe(Math.fround(1 - 0.999 ** 3));
    expect(fromU32Bits(hyper)[HYPER_SLOTS.dropoutSeed]).toBe(77);
    expect(fromU32Bits(hyper)[HYPER_SLOTS.step]).toBe(2);
    expect(hyperValues({ kind: "sgd" }, 0.1, 0)[HYPER_SLOTS.biasCorrection1]).toBe(1);
  });

  it("resolves PyTorch's defaults, AdamW's weight decay 0.01 among them", () => {
    expect(optimizerSettings({ kind: "adamw" })).toEqual({ kind: "adam", beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupled: true });
    expect(optimizerSettings({ kind: "adam" })).toMatchObject({ weightDecay: 0, decoupled: false });
    expect(() => optimizerSettings({ kind: "sgd", nesterov: true })).toThrow(/Nesterov/);
  });

  it("writes a header without layer names and no loops", () => {
    const { kernels } = sgdUpdate({ elements: 10, momentum: 0.9, nesterov: false, weightDecay: 0 });
    expect(kernels[0]!.wgsl).toMatch(/^\/\/ SGD parameter update/);
    expect(kernels[0]!.loopIterations).toBe(0);
    expect(() => sgdUpdate({ elements: 0, momentum: 0, nesterov: false, weightDecay: 0 })).toThrow(/0 elements/);
  });
});
