// The course notes' worked examples (/work/shared/course-notes), computed on the GPU through buildPlan
// and the executor. Expected values are the notes' numbers (see test/reference/workedExamples.test.ts
// for the one place the notes' arithmetic slips); tolerance 1e-5 absolute, float32 of small sums.
import { describe, expect, it } from "vitest";

import type { OpAttrs, Shape } from "../../src/ir/graph.js";
import type { Tensor, WeightMap } from "../../src/tensor.js";
import { conv1d, pool1d, pool2d, singleOpGraph, tensorOf } from "../reference/graphBuilders.js";
import { runOnGpu } from "./gpuHarness.js";

async function gpuOp(attrs: OpAttrs, inputShape: Shape, input: Tensor, weights: WeightMap = new Map()): Promise<Tensor> {
  const outputs = await runOnGpu(singleOpGraph(attrs, inputShape), new Map([["x", input]]), weights);
  return outputs.get("layer")!;
}

function expectValues(actual: Tensor, shape: number[], expected: number[]): void {
  expect(actual.shape).toEqual(shape);
  expect(actual.data.length).toBe(expected.length);
  expected.forEach((value, i) => expect(Math.abs(actual.data[i]! - value), `element ${i}: ${actual.data[i]} vs ${value}`).toBeLessThan(1e-5));
}

describe("course notes on the GPU: 1-D convolution of [2,4,6,1,5,3,2] by [2,-1,0.1]", () => {
  const input = tensorOf([1, 1, 7], [2, 4, 6, 1, 5, 3, 2]);
  const filter = new Map([["layer.weight", tensorOf([1, 1, 3], [2, -1, 0.1])]]);

  it("valid", async () => {
    const output = await gpuOp(conv1d({ out: 1, kernel: 3, bias: false }), [1, 7], input, filter);
    expectValues(output, [1, 1, 5], [0.6, 2.1, 11.5, -2.7, 7.2]);
  });

  it("zero-padded by one on each side", async () => {
    const output = await gpuOp(conv1d({ out: 1, kernel: 3, padding: 1, bias: false }), [1, 7], input, filter);
    expectValues(output, [1, 1, 7], [-1.6, 0.6, 2.1, 11.5, -2.7, 7.2, 4]);
  });
});

describe("course notes on the GPU: the 1x2 filter [1,2] over [1,2,3,4,5]", () => {
  const filter = new Map([["layer.weight", tensorOf([1, 1, 2], [1, 2])]]);
  const input = tensorOf([1, 1, 5], [1, 2, 3, 4, 5]);

  it("padLeft=0, padRight=1 keeps five outputs", async () => {
    const output = await gpuOp(conv1d({ out: 1, kernel: 2, padding: [0, 1], bias: false }), [1, 5], input, filter);
    expectValues(output, [1, 1, 5], [5, 8, 11, 14, 5]);
  });

  it("no padding gives four outputs", async () => {
    const output = await gpuOp(conv1d({ out: 1, kernel: 2, bias: false }), [1, 5], input, filter);
    expectValues(output, [1, 1, 4], [5, 8, 11, 14]);
  });
});

describe("course notes on the GPU: pooling a 4x4 slice with 2x2 windows, stride 2", () => {
  it("max pool gives [[6,8],[3,4]]", async () => {
    const input = tensorOf([1, 1, 4, 4], [1, 1, 2, 4, 5, 6, 7, 8, 3, 2, 1, 0, 1, 2, 3, 4]);
    const output = await gpuOp(pool2d({ kind: "max", window: 2, stride: 2 }), [1, 4, 4], input);
    expectValues(output, [1, 1, 2, 2], [6, 8, 3, 4]);
  });

  it("average pool gives [[4,4.5],[3.25,3.25]] (bottom-left window summing to 13, as the notes' result)", async () => {
    const input = tensorOf([1, 1, 4, 4], [2, 3, 1, 9, 4, 7, 3, 5, 8, 2, 2, 2, 1, 2, 4, 5]);
    const output = await gpuOp(pool2d({ kind: "avg", window: 2, stride: 2 }), [1, 4, 4], input);
    expectValues(output, [1, 1, 2, 2], [4, 4.5, 3.25, 3.25]);
  });

  it("average pool of the notes' printed input follows the definition ([[4,4.5],[3.5,3.25]])", async () => {
    const input = tensorOf([1, 1, 4, 4], [2, 3, 1, 9, 4, 7, 3, 5, 8, 2, 2, 2, 1, 3, 4, 5]);
    const output = await gpuOp(pool2d({ kind: "avg", window: 2, stride: 2 }), [1, 4, 4], input);
    expectValues(output, [1, 1, 2, 2], [4, 4.5, 3.5, 3.25]);
  });
});

describe("course notes on the GPU: max pooling [2,4,6,1,5,3,2] with a 1x3 window, stride 1", () => {
  const input = tensorOf([1, 1, 7], [2, 4, 6, 1, 5, 3, 2]);

  it("without padding: 6, 6, 6, 5, 5", async () => {
    const output = await gpuOp(pool1d({ kind: "max", window: 3, stride: 1 }), [1, 7], input);
    expectValues(output, [1, 1, 5], [6, 6, 6, 5, 5]);
  });

  it("with two cells of right padding the windows shrink: ..., 3, 2", async () => {
    const output = await gpuOp(pool1d({ kind: "max", window: 3, stride: 1, padding: [0, 2] }), [1, 7], input);
    expectValues(output, [1, 1, 7], [6, 6, 6, 5, 5, 3, 2]);
  });
});
