// Training-mode batchnorm in float64: the backward pass against central finite differences of the
// forward (through the batch statistics), the statistics and running updates against their definitions.
import { describe, expect, it } from "vitest";
import type { Shape } from "../../../src/ir/graph.js";
import { batchnormTrainBackward, batchnormTrainForward } from "../../../src/reference/training/batchnorm.js";
import type { RefValue } from "../../../src/reference/value.js";
import { expectGradientsClose, numericGradient, quantized } from "../backward/finiteDifferences.js";
import { seededRandom } from "../graphBuilders.js";

function randomArray(length: number, random: () => number): Float64Array {
  return Float64Array.from({ length }, () => quantized(random));
}

describe("batchnormTrainBackward", () => {
  for (const [shape, batch] of [[[3, 4, 5], 2], [[4, 6], 3], [[5], 4]] as [Shape, number][]) {
    it(`matches finite differences on [${batch}, ${shape.join(", ")}]`, () => {
      const random = seededRandom(501 + batch);
      const channels = shape[0]!;
      const length = batch * shape.reduce((a, b) => a * b, 1);
      const x: RefValue = { batch, shape, data: randomArray(length, random) };
      const weight = randomArray(channels, random);
      const bias = randomArray(channels, random);
      const running = new Float64Array(channels);
      const forward = (): Float64Array => batchnormTrainForward(x, weight, bias, running, running, 1e-3, 0.1).y.data;
      const { mean, invstd } = batchnormTrainForward(x, weight, bias, running, running, 1e-3, 0.1);
      const direction = Float64Array.from({ length }, () => random() * 2 - 1);
      const gradients = batchnormTrainBackward(x, weight, mean, invstd, { batch, shape, data: direction });
      expectGradientsClose("dx", gradients.dx.data, numericGradient(x.data, direction, forward));
      expectGradientsClose("dweight", gradients.dweight, numericGradient(weight, direction, forward));
      expectGradientsClose("dbias", gradients.dbias, numericGradient(bias, direction, forward));
    });
  }
});

describe("batchnormTrainForward", () => {
  it("normalizes by the biased batch variance and moves running_var towards the unbiased one", () => {
    // One channel over N = 2, L = 2: values 1, 3, 5, 7 (mean 4, squares 20: biased 5, unbiased 20/3).
    const x: RefValue = { batch: 2, shape: [1, 2], data: Float64Array.of(1, 3, 5, 7) };
    const result = batchnormTrainForward(x, Float64Array.of(2), Float64Array.of(0.5), Float64Array.of(1), Float64Array.of(2), 0.25, 0.25);
    expect(result.mean[0]).toBe(4);
    expect(result.invstd[0]).toBeCloseTo(1 / Math.sqrt(5.25), 14);
    [-3, -1, 1, 3].forEach((centered, i) => expect(result.y.data[i]).toBeCloseTo(centered * result.invstd[0]! * 2 + 0.5, 14));
    expect(result.runningMean[0]).toBe(0.75 * 1 + 0.25 * 4);
    expect(result.runningVar[0]).toBeCloseTo(0.75 * 2 + 0.25 * (20 / 3), 14);
  });

  it("keeps channels apart across samples and positions", () => {
    // Channel 0 holds 0, 2 in sample 0 and 4, 6 in sample 1; channel 1 holds 10s: its variance is 0.
    const x: RefValue = { batch: 2, shape: [2, 2], data: Float64Array.of(0, 2, 10, 10, 4, 6, 10, 10) };
    const result = batchnormTrainForward(x, Float64Array.of(1, 1), Float64Array.of(0, 0), new Float64Array(2), new Float64Array(2), 1e-5, 1);
    expect([...result.mean]).toEqual([3, 10]);
    expect([...result.runningVar]).toEqual([20 / 3, 0]);
    expect(result.y.data[2]).toBe(0);
  });

  it("refuses a channel of a single value", () => {
    const x: RefValue = { batch: 1, shape: [3], data: Float64Array.of(1, 2, 3) };
    const one = Float64Array.of(1, 1, 1);
    expect(() => batchnormTrainForward(x, one, one, one, one, 1e-5, 0.1)).toThrow(/more than 1 value per channel/);
  });
});
