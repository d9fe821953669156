// Training-mode batchnorm kernels against the float64 reference (src/reference/training/batchnorm.ts):
// volumes, sequences and feature vectors at batch > 1 (seeded random shapes and fixed ones), channels
// of one chunk and of several (the last one short and not a multiple of 4), rows shorter and longer
// than a workgroup, with and without a fused activation; values far from zero mean, where
// sum(x^2) - sum(x)^2 / n would lose the variance; a NaN kept to its channel.
import { describe, expect, it } from "vitest";
import { batchnormTrainBackward, batchnormTrainForward } from "../../../src/codegen/training/batchnormTraining.js";
import { channelChunks } from "../../../src/codegen/training/channelChunks.js";
import type { ActivationAttrs, Shape } from "../../../src/ir/graph.js";
import { activationDefinition } from "../../../src/ops/activations.js";
import * as reference from "../../../src/reference/training/batchnorm.js";
import type { RefValue } from "../../../src/reference/value.js";
import { seededRandom } from "../../support/seededRandom.js";
import { testGpu } from "../gpuHarness.js";
import { EVERY_ACTIVATION, expectClose, toleranceFor } from "../kernelHarness.js";
import { runTrainingKernels } from "./trainingHarness.js";

interface Case {
  batch: number;
  shape: Shape;
  activation?: ActivationAttrs;
}

/** Seeded random cases: one per layout ([C, H, W], [C, L], [C]), each activation possible or none. */
function randomCases(): Case[] {
  const random = seededRandom(790);
  const between = (low: number, high: number): number => low + Math.floor(random() * (high - low + 1));
  const activation = (): ActivationAttrs | undefined => (random() < 0.3 ? undefined : EVERY_ACTIVATION[between(0, EVERY_ACTIVATION.length - 1)]);
  return [
    { batch: between(2, 6), shape: [between(1, 4), between(3, 20), between(3, 20)], activation: activation() },
    { batch: between(2, 6), shape: [between(1, 4), between(10, 200)], activation: activation() },
    { batch: between(2, 40), shape: [between(1, 8)], activation: activation() },
  ];
}

const CASES: Case[] = [
  ...randomCases(),
  { batch: 3, shape: [3, 5, 7] },
  { batch: 5, shape: [3, 13, 17], activation: { op: "relu" } },
  { batch: 4, shape: [4, 75] },
  { batch: 6, shape: [2, 50], activation: { op: "sigmoid" } },
  { batch: 7, shape: [5] },
  { batch: 9, shape: [6], activation: { op: "relu" } },
  // The activations whose backward needs the input: batchnorm recomputes it (MobileNetV3's bn -> hardswish).
  { batch: 3, shape: [4, 6, 5], activation: { op: "hardswish" } },
  { batch: 4, shape: [3, 20], activation: { op: "silu" } },
];

const EPS = 1e-5;
const MOMENTUM = 0.1;

function expectMatches(actual: Float32Array, expected: Float64Array, terms: number, what: string): void {
  expectClose({ shape: [actual.length], data: actual }, { shape: [expected.length], data: Float32Array.from(expected) }, toleranceFor(terms), what);
}

function randomValues(length: number, random: () => number, offset = 0): Float64Array {
  return Float64Array.from({ length }, () => Math.fround(offset + random() * 2 - 1));
}

describe("batchnorm training kernels", () => {
  it("split the longer channels into several chunks in these cases", () => {
    expect(channelChunks(5, 3, 13 * 17).chunks).toBe(5);
    expect(channelChunks(5, 3, 13 * 17).count % 4).not.toBe(0);
  });

  it("keep the variance of values far from zero (1000 +- 1 over 50,176 values per channel)", async () => {
    const [batch, channels, inner] = [64, 1, 784];
    const x: RefValue = { batch, shape: [channels, 28, 28], data: randomValues(batch * inner, seededRandom(799), 1000) };
    const one = Float64Array.of(1);
    const expected = reference.batchnormTrainForward(x, one, Float64Array.of(0), Float64Array.of(0), one, EPS, MOMENTUM);
    const forward = await runTrainingKernels(
      await testGpu(),
      batchnormTrainForward({ batch, channels, inner, eps: EPS, momentum: MOMENTUM }),
      { x: Float32Array.from(x.data), weight: new Float32Array([1]), bias: new Float32Array([0]), running_mean: new Float32Array([0]), running_var: new Float32Array([1]) },
      { saved: 2, y: batch * inner },
    );
    const terms = channelChunks(batch, channels, inner).chunkLength;
    expectMatches(forward.get("saved")!, Float64Array.of(...expected.mean, ...expected.invstd), terms, "mean, invstd");
    expectMatches(forward.get("running_var")!, expected.runningVar, terms, "running_var");
    expectMatches(forward.get("y")!, expected.y.data, terms, "y");
  });

  it("propagate a NaN to its channel's outputs and running statistics only", async () => {
    const [batch, channels, inner] = [2, 2, 70];
    const x = Float32Array.from({ length: batch * channels * inner }, (_, i) => Math.sin(i));
    x[inner + 5] = NaN; // sample 0, channel 1
    const forward = await runTrainingKernels(
      await testGpu(),
      batchnormTrainForward({ batch, channels, inner, eps: EPS, momentum: MOMENTUM, activation: { op: "relu" } }),
      { x, weight: new Float32Array([1, 1]), bias: new Float32Array([0, 0]), running_mean: new Float32Array(2), running_var: new Float32Array([1, 1]) },
      { saved: 2 * channels, y: x.length },
    );
    const y = forward.get("y")!;
    const channelOf = (i: number): number => Math.floor(i / inner) % channels;
    expect(y.every((value, i) => (channelOf(i) === 1 ? Number.isNaN(value) : Number.isFinite(value)))).toBe(true);
    expect([...forward.get("running_mean")!].map(Number.isNaN)).toEqual([false, true]);
    expect([...forward.get("running_var")!].map(Number.isNaN)).toEqual([false, true]);
  });

  CASES.forEach(({ batch, shape, activation }, caseIndex) => {
    const channels = shape[0]!;
    const inner = shape.slice(1).reduce((a, b) => a * b, 1);
    const label = `[${batch}, ${shape.join(", ")}]${activation === undefined ? "" : ` -> ${activation.op}`}`;
    it(`forward and backward on ${label} match the reference`, async () => {
      const random = seededRandom(700 + caseIndex);
      const length = batch * channels * inner;
      const x: RefValue = { batch, shape, data: randomValues(length, random, 3) };
      const weight = randomValues(channels, random);
      const bias = randomValues(channels, random);
      const runningMean = randomValues(channels, random);
      const runningVar = randomValues(channels, random, 2);
      const expected = reference.batchnormTrainForward(x, weight, bias, runningMean, runningVar, EPS, MOMENTUM);
      const gpu = await testGpu();
      const forward = await runTrainingKernels(
        gpu,
        batchnormTrainForward({ batch, channels, inner, eps: EPS, momentum: MOMENTUM, activation }),
        {
          x: Float32Array.from(x.data),
          weight: Float32Array.from(weight),
          bias: Float32Array.from(bias),
          running_mean: Float32Array.from(runningMean),
          running_var: Float32Array.from(runningVar),
        },
        { saved: 2 * channels, y: length },
      );
      const count = batch * inner;
      const activate = activation === undefined ? (z: number) => z : (z: number) => activationDefinition(activation.op).reference(activation, z);
      expectMatches(forward.get("y")!, expected.y.data.map(activate), count, `${label} y`);
      // The statistics are each one value from accurate sums: float32 tolerance, not that of a long sum.
      expectMatches(forward.get("saved")!, Float64Array.of(...expected.mean, ...expected.invstd), 1, `${label} mean, invstd`);
      expectMatches(forward.get("running_mean")!, expected.runningMean, 1, `${label} running_mean`);
      expectMatches(forward.get("running_var")!, expected.runningVar, 1, `${label} running_var`);

      // Backward: dy is the gradient of the activation's output when one is fused.
      const dy = randomValues(length, random);
      const derivative = (z: number): number => (activation === undefined ? 1 : activationDefinition(activation.op).referenceDerivative(activation, z, activate(z)));
      const dz: RefValue = { batch, shape, data: dy.map((value, i) => value * derivative(expected.y.data[i]!)) };
      const gradients = reference.batchnormTrainBackward(x, weight, expected.mean, expected.invstd, dz);
      const backward = await runTrainingKernels(
        gpu,
        batchnormTrainBackward({ batch, channels, inner, activation }),
        {
          dy: Float32Array.from(dy),
          x: Float32Array.from(x.data),
          weight: Float32Array.from(weight),
          bias: Float32Array.from(bias),
          saved: Float32Array.from([...expected.mean, ...expected.invstd]),
          dweight: new Float32Array(channels).fill(NaN),
          dbias: new Float32Array(channels).fill(NaN),
        },
        { dx: length },
      );
      expectMatches(backward.get("dweight")!, gradients.dweight, count, `${label} dweight`);
      expectMatches(backward.get("dbias")!, gradients.dbias, count, `${label} dbias`);
      // dx takes the channel sums divided by their count: a few float32 roundings per element.
      expectMatches(backward.get("dx")!, gradients.dx.data, 1, `${label} dx`);
    });
  });
});
