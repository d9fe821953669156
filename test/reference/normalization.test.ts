// Batchnorm at inference (running statistics) and PyTorch's LocalResponseNorm, by hand.
import { describe, expect, it } from "vitest";
import type { OpAttrs, Shape } from "../../src/ir/graph.js";
import { runReference } from "../../src/reference/interpret.js";
import type { Tensor, WeightMap } from "../../src/tensor.js";
import { singleOpGraph, tensorOf } from "./graphBuilders.js";

function runOp(attrs: OpAttrs, inputShape: Shape, input: Tensor, weights: WeightMap = new Map()): Tensor {
  return runReference(singleOpGraph(attrs, inputShape), new Map([["x", input]]), weights).outputs.get("layer")!;
}

function expectClose(actual: Float32Array, expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  // Relative: the outputs are float32 roundings of float64 results.
  expected.forEach((value, i) => expect(Math.abs(actual[i]! - value)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(value))));
}

function batchNormWeights(weight: number[], bias: number[], mean: number[], variance: number[]): WeightMap {
  const C = weight.length;
  return new Map([
    ["layer.weight", tensorOf([C], weight)],
    ["layer.bias", tensorOf([C], bias)],
    ["layer.running_mean", tensorOf([C], mean)],
    ["layer.running_var", tensorOf([C], variance)],
  ]);
}

describe("batchnorm (inference)", () => {
  const weights = batchNormWeights([2, 1], [0.5, 0], [1, -1], [4, 0.25]);

  it("normalizes each channel of a [C, H, W] value with its running statistics", () => {
    const input = tensorOf([1, 2, 1, 2], [3, 1, 0, -1]);
    // ch0: (x - 1) / 2 * 2 + 0.5; ch1: (x + 1) / 0.5
    const output = runOp({ op: "batchnorm", eps: 0, momentum: 0.1 }, [2, 1, 2], input, weights);
    expectClose(output.data, [2.5, 0.5, 2, 0]);
  });

  it("adds eps to the variance", () => {
    const input = tensorOf([1, 2], [3, 0]);
    const output = runOp({ op: "batchnorm", eps: 0.75, momentum: 0.1 }, [2], input, weights);
    // ch0: 2 / sqrt(4.75) * 2 + 0.5; ch1: 1 / sqrt(1)
    expectClose(output.data, [4 / Math.sqrt(4.75) + 0.5, 1]);
  });

  it("works per feature after an fc ([F] input) and per sample of a batch", () => {
    const input = tensorOf([2, 2], [1, -1, 5, 1]);
    const output = runOp({ op: "batchnorm", eps: 0, momentum: 0.1 }, [2], input, weights);
    expectClose(output.data, [0.5, 0, 4.5, 4]);
  });
});

describe("local response normalization", () => {
  const column = tensorOf([1, 4, 1, 1], [1, 2, 3, 4]);

  it("odd size 3: neighbours c-1..c+1, zeros outside, divisor alpha/size", () => {
    // alpha / size = 1, k = 1, beta = 1: b_c = a_c / (1 + sum of squares)
    const output = runOp({ op: "lrn", size: 3, alpha: 3, beta: 1, k: 1 }, [4, 1, 1], column);
    expectClose(output.data, [1 / 6, 2 / 15, 3 / 30, 4 / 26]);
  });

  it("even size 4: the window is c-2..c+1 (floor(n/2) below, floor((n-1)/2) above)", () => {
    const output = runOp({ op: "lrn", size: 4, alpha: 4, beta: 1, k: 1 }, [4, 1, 1], column);
    expectClose(output.data, [1 / 6, 2 / 15, 3 / 31, 4 / 30]);
  });

  it("AlexNet's parameters (size 5, alpha 1e-4, beta 0.75, k 2) at every pixel", () => {
    const input = tensorOf([1, 3, 1, 2], [10, -20, 30, 40, -50, 60]);
    const output = runOp({ op: "lrn", size: 5, alpha: 1e-4, beta: 0.75, k: 2 }, [3, 1, 2], input);
    // size 5 covers all three channels at both pixels.
    const pixel0 = 10 ** 2 + 30 ** 2 + 50 ** 2;
    const pixel1 = 20 ** 2 + 40 ** 2 + 60 ** 2;
    const scale = (sum: number): number => Math.pow(2 + (1e-4 / 5) * sum, 0.75);
    expectClose(output.data, [10 / scale(pixel0), -20 / scale(pixel1), 30 / scale(pixel0), 40 / scale(pixel1), -50 / scale(pixel0), 60 / scale(pixel1)]);
  });
});
