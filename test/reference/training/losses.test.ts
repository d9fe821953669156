// The float64 losses: gradients against central finite differences, large logits, a label outside the
// classes, the correct count and the per-sample losses against their definitions.
import { describe, expect, it } from "vitest";
import { meanSquaredError, softmaxCrossEntropy } from "../../../src/reference/training/losses.js";
import type { RefValue } from "../../../src/reference/value.js";
import { expectGradientsClose, numericGradient } from "../backward/finiteDifferences.js";
import { seededRandom } from "../graphBuilders.js";

const ONE = Float64Array.of(1);

describe("softmaxCrossEntropy", () => {
  it("has the gradient of its mean loss", () => {
    const random = seededRandom(601);
    const logits: RefValue = { batch: 4, shape: [5], data: Float64Array.from({ length: 20 }, () => random() * 6 - 3) };
    const labels = Int32Array.of(0, 4, 2, 2);
    const result = softmaxCrossEntropy(logits, labels);
    const numeric = numericGradient(logits.data, ONE, () => Float64Array.of(softmaxCrossEntropy(logits, labels).loss));
    expectGradientsClose("dlogits", result.dlogits, numeric);
    expect(result.loss).toBeCloseTo(result.losses.reduce((a, b) => a + b) / 4, 14);
  });

  it("is -log softmax at the label, stable for large logits, and counts argmax hits", () => {
    const logits: RefValue = { batch: 3, shape: [3], data: Float64Array.of(1000, 0, -1000, 0, Math.log(3), 0, 2, 2, 1) };
    const result = softmaxCrossEntropy(logits, Int32Array.of(0, 0, 1));
    expect(result.losses[0]).toBe(0);
    expect(result.losses[1]).toBeCloseTo(Math.log(5), 14);
    // A tie: the first largest logit is the prediction (label 1 is not counted).
    expect(result.correct).toBe(1);
    expect(result.dlogits[0]).toBe(0);
    expect(result.dlogits[1]).toBeCloseTo(Math.exp(-1000) / 3, 14);
  });

  it("gives a label outside the classes a NaN loss and NaN gradient, reading nothing out of bounds", () => {
    const logits: RefValue = { batch: 2, shape: [2], data: Float64Array.of(1, 2, 3, 4) };
    const result = softmaxCrossEntropy(logits, Int32Array.of(1, 2));
    expect(Number.isNaN(result.losses[1])).toBe(true);
    expect(Number.isNaN(result.loss)).toBe(true);
    expect(Number.isFinite(result.losses[0])).toBe(true);
    expect(Number.isNaN(result.dlogits[2]) && Number.isNaN(result.dlogits[3])).toBe(true);
    expect(result.correct).toBe(1);
  });
});

describe("meanSquaredError", () => {
  it("is the mean squared difference and has its gradient", () => {
    const random = seededRandom(602);
    const outputs: RefValue = { batch: 3, shape: [2, 2], data: Float64Array.from({ length: 12 }, () => random() * 2 - 1) };
    const targets = Float64Array.from({ length: 12 }, () => random() * 2 - 1);
    const result = meanSquaredError(outputs, targets);
    expect(result.loss).toBeCloseTo(outputs.data.reduce((total, y, i) => total + (y - targets[i]!) ** 2, 0) / 12, 14);
    const numeric = numericGradient(outputs.data, ONE, () => Float64Array.of(meanSquaredError(outputs, targets).loss));
    expectGradientsClose("doutputs", result.doutputs, numeric);
  });
});
