// The loss kernels against the float64 losses (src/reference/training/losses.ts): gradients, per-sample
// sums into `metrics` across runs, large logits, a label past the classes, and the non-finite flag
// recording the first such step only.
import { describe, expect, it } from "vitest";
import { meanSquaredError, softmaxCrossEntropy } from "../../../src/codegen/training/losses.js";
import { HYPER_LENGTH, HYPER_SLOTS, METRICS_LENGTH, METRICS_SLOTS } from "../../../src/codegen/training/trainingKernel.js";
import * as reference from "../../../src/reference/training/losses.js";
import { seededRandom } from "../../support/seededRandom.js";
import { testGpu } from "../gpuHarness.js";
import { expectClose, toleranceFor } from "../kernelHarness.js";
import { fromU32Bits, runTrainingKernels, u32Bits } from "./trainingHarness.js";

function hyperAt(step: number): Float32Array {
  const hyper = new Float32Array(HYPER_LENGTH);
  new Uint32Array(hyper.buffer)[HYPER_SLOTS.step] = step;
  return hyper;
}

function expectMatches(actual: Float32Array, expected: Float64Array | number[], terms: number, what: string): void {
  expectClose({ shape: [actual.length], data: actual }, { shape: [expected.length], data: Float32Array.from(expected) }, toleranceFor(terms), what);
}

const flagOf = (metrics: Float32Array): number => fromU32Bits(metrics)[METRICS_SLOTS.firstNonFiniteStep]!;

/** Float32 logits of `batch` samples over `classes`, spread over +-`scale`. */
function randomLogits(batch: number, classes: number, scale: number, random: () => number): Float32Array {
  return Float32Array.from({ length: batch * classes }, () => (random() * 2 - 1) * scale);
}

describe("softmax cross-entropy kernels", () => {
  const [batch, classes] = [6, 7];
  const kernels = softmaxCrossEntropy({ batch, classes });

  async function run(logits: Float32Array, labels: number[], step: number, metrics: Float32Array) {
    const outputs = await runTrainingKernels(await testGpu(), kernels, { logits, labels: u32Bits(labels), hyper: hyperAt(step), metrics }, { dlogits: batch * classes });
    const expected = reference.softmaxCrossEntropy({ batch, shape: [classes], data: Float64Array.from(logits) }, Int32Array.from(labels));
    return { metrics: outputs.get("metrics")!, dlogits: outputs.get("dlogits")!, expected };
  }

  it("match the reference on large logits and add up across two runs", async () => {
    const random = seededRandom(801);
    const labels = Array.from({ length: batch }, () => Math.floor(random() * classes));
    // Logits up to +-1000: exp without the max subtracted would overflow.
    const first = await run(randomLogits(batch, classes, 1000, random), labels, 0, new Float32Array(METRICS_LENGTH));
    expectMatches(first.dlogits, first.expected.dlogits, classes, "dlogits (large logits)");
    const firstSum = first.expected.losses.reduce((a, b) => a + b);
    expectMatches(first.metrics, [firstSum, first.expected.correct, batch, 0], batch, "metrics after one run");

    // Moderate logits make several samples right and several wrong; the sums carry on.
    const second = await run(randomLogits(batch, classes, 2, random), labels, 1, first.metrics);
    expectMatches(second.dlogits, second.expected.dlogits, classes, "dlogits");
    const secondSum = second.expected.losses.reduce((a, b) => a + b);
    const correct = first.expected.correct + second.expected.correct;
    expectMatches(second.metrics, [firstSum + secondSum, correct, 2 * batch, 0], batch, "metrics after two runs");
    expect(flagOf(second.metrics)).toBe(0);
  });

  it("count a hit only where the first largest logit is at the label", async () => {
    const logits = new Float32Array(batch * classes);
    logits[0 * classes + 3] = 5; // right
    logits[1 * classes + 2] = 5; // wrong: label 1
    logits.fill(1, 2 * classes, 3 * classes); // a tie everywhere: predicts class 0 (label 0: right)
    const { metrics, expected } = await run(logits, [3, 1, 0, 6, 6, 5], 0, new Float32Array(METRICS_LENGTH));
    expect(expected.correct).toBe(2);
    expect(metrics[METRICS_SLOTS.correct]).toBe(2);
  });

  it("give a label past the classes a NaN loss, flag its step, and keep the first flagged step", async () => {
    const random = seededRandom(802);
    const logits = randomLogits(batch, classes, 3, random);
    const labels = [0, 1, classes, 2, 3, 4];
    const bad = await run(logits, labels, 4, new Float32Array(METRICS_LENGTH));
    expect(Number.isNaN(bad.metrics[METRICS_SLOTS.lossSum])).toBe(true);
    expect(flagOf(bad.metrics)).toBe(5);
    expect(bad.dlogits.subarray(2 * classes, 3 * classes).every(Number.isNaN)).toBe(true);
    // The other samples' gradients are still right.
    expectMatches(bad.dlogits.subarray(0, 2 * classes), bad.expected.dlogits.subarray(0, 2 * classes), classes, "dlogits beside the bad label");
    expect(bad.metrics[METRICS_SLOTS.correct]).toBe(bad.expected.correct);

    // A later non-finite step (a NaN logit) leaves the flag at the first one.
    const withNan = Float32Array.from(logits);
    withNan[classes + 3] = NaN;
    const later = await run(withNan, [0, 1, 2, 3, 4, 5], 9, bad.metrics);
    expect(flagOf(later.metrics)).toBe(5);
    expect(later.dlogits.subarray(classes, 2 * classes).every(Number.isNaN)).toBe(true);
    const fresh = await run(withNan, [0, 1, 2, 3, 4, 5], 9, new Float32Array(METRICS_LENGTH));
    expect(flagOf(fresh.metrics)).toBe(10);
  });
});

describe("mean squared error kernels", () => {
  const [batch, elements] = [5, 6];
  const kernels = meanSquaredError({ batch, elements });

  async function run(outputs: Float32Array, targets: Float32Array, step: number, metrics: Float32Array) {
    const result = await runTrainingKernels(await testGpu(), kernels, { outputs, targets, hyper: hyperAt(step), metrics }, { doutputs: batch * elements });
    const expected = reference.meanSquaredError({ batch, shape: [elements], data: Float64Array.from(outputs) }, Float64Array.from(targets));
    return { metrics: result.get("metrics")!, doutputs: result.get("doutputs")!, expected };
  }

  it("match the reference, add batch * loss per run and leave correct alone", async () => {
    const random = seededRandom(803);
    const values = (): Float32Array => Float32Array.from({ length: batch * elements }, () => random() * 4 - 2);
    const start = new Float32Array([0.5, 3, 10, 0]);
    const first = await run(values(), values(), 0, start);
    expectMatches(first.doutputs, first.expected.doutputs, 1, "doutputs");
    expectMatches(first.metrics, [0.5 + batch * first.expected.loss, 3, 10 + batch, 0], elements * batch, "metrics after one run");
    const second = await run(values(), values(), 1, first.metrics);
    const lossSum = 0.5 + batch * (first.expected.loss + second.expected.loss);
    expectMatches(second.metrics, [lossSum, 3, 10 + 2 * batch, 0], elements * batch, "metrics after two runs");
  });

  it("flag the first step whose loss is not finite", async () => {
    const targets = new Float32Array(batch * elements);
    const outputs = new Float32Array(batch * elements);
    outputs[7] = Infinity;
    const infinite = await run(outputs, targets, 2, new Float32Array(METRICS_LENGTH));
    expect(flagOf(infinite.metrics)).toBe(3);
    const finite = await run(new Float32Array(batch * elements), targets, 6, infinite.metrics);
    expect(flagOf(finite.metrics)).toBe(3);
    expect(finite.metrics[METRICS_SLOTS.samples]).toBe(2 * batch);
  });
});
