// The worked examples of the course notes (/work/shared/course-notes), run through the reference.
// The notes' "convolution" slides the filter without flipping it (pixel 1 of [2,4,6,1,5,3,2] by
// [2,-1,0.1] is 2*2 + -1*4 + 0.1*6): that is cross-correlation, which is what cnnc and PyTorch call
// convolution, so the notes' numbers are our numbers with the filter as written.
import { describe, expect, it } from "vitest";
import type { OpAttrs, Shape } from "../../src/ir/graph.js";
import { runReference } from "../../src/reference/interpret.js";
import type { Tensor, WeightMap } from "../../src/tensor.js";
import { conv1d, conv2d, pool1d, pool2d, randomTensor, randomWeights, seededRandom, singleOpGraph, tensorOf } from "./graphBuilders.js";

function runOp(attrs: OpAttrs, inputShape: Shape, input: Tensor, weights: WeightMap = new Map()): Tensor {
  const graph = singleOpGraph(attrs, inputShape);
  return runReference(graph, new Map([["x", input]]), weights).outputs.get("layer")!;
}

function expectClose(actual: Float32Array, expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((value, i) => expect(actual[i]).toBeCloseTo(value, 5));
}

describe("course notes: 1-D convolution of [2,4,6,1,5,3,2] by [2,-1,0.1]", () => {
  const input = tensorOf([1, 1, 7], [2, 4, 6, 1, 5, 3, 2]);
  const filter = new Map([["layer.weight", tensorOf([1, 1, 3], [2, -1, 0.1])]]);

  it("valid: five outputs, each the sum of the notes' elementwise products", () => {
    // [4,-4,0.6] [8,-6,0.1] [12,-1,0.5] [2,-5,0.3] [10,-3,0.2]
    const output = runOp(conv1d({ out: 1, kernel: 3, bias: false }), [1, 7], input, filter);
    expect(output.shape).toEqual([1, 1, 5]);
    expectClose(output.data, [0.6, 2.1, 11.5, -2.7, 7.2]);
  });

  it("zero-padded by one on each side: seven outputs, same size as the input", () => {
    // [0,-2,0.4] ... [6,-2,0]
    const output = runOp(conv1d({ out: 1, kernel: 3, padding: 1, bias: false }), [1, 7], input, filter);
    expect(output.shape).toEqual([1, 1, 7]);
    expectClose(output.data, [-1.6, 0.6, 2.1, 11.5, -2.7, 7.2, 4]);
  });

  it("the 1x4 filter [2,-1,0.1,5] with one pixel of padding left and two right", () => {
    const wide = new Map([["layer.weight", tensorOf([1, 1, 4], [2, -1, 0.1, 5])]]);
    const output = runOp(conv1d({ out: 1, kernel: 4, padding: [1, 2], bias: false }), [1, 7], input, wide);
    // [0,-2,0.4,30] [4,-4,0.6,5] [8,-6,0.1,25] [12,-1,0.5,15] [2,-5,0.3,10] [10,-3,0.2,0] [6,-2,0,0]
    expectClose(output.data, [28.4, 5.6, 27.1, 26.5, 7.3, 7.2, 4]);
  });
});

describe("course notes: the 1x2 filter [1,2] with padLeft=0, padRight=1", () => {
  const filter = new Map([["layer.weight", tensorOf([1, 1, 2], [1, 2])]]);

  it("over [1,2,3,4,5] gives five outputs (same size as the input)", () => {
    const input = tensorOf([1, 1, 5], [1, 2, 3, 4, 5]);
    const output = runOp(conv1d({ out: 1, kernel: 2, padding: [0, 1], bias: false }), [1, 5], input, filter);
    // [1,4] [2,6] [3,8] [4,10] [5,0]
    expectClose(output.data, [5, 8, 11, 14, 5]);
  });

  it("and with padLeft=padRight=0 / =1 (the cuDNN variants): four and six outputs", () => {
    const input = tensorOf([1, 1, 5], [1, 2, 3, 4, 5]);
    const none = runOp(conv1d({ out: 1, kernel: 2, bias: false }), [1, 5], input, filter);
    expectClose(none.data, [5, 8, 11, 14]);
    const both = runOp(conv1d({ out: 1, kernel: 2, padding: 1, bias: false }), [1, 5], input, filter);
    expectClose(both.data, [2, 5, 8, 11, 14, 5]);
  });

  it("over [1,2,3,4] gives four outputs", () => {
    const input = tensorOf([1, 1, 4], [1, 2, 3, 4]);
    const output = runOp(conv1d({ out: 1, kernel: 2, padding: [0, 1], bias: false }), [1, 4], input, filter);
    expectClose(output.data, [5, 8, 11, 4]);
  });

  it("is the same as a 2-D conv with a 1x2 kernel on a 1-row image", () => {
    const input = tensorOf([1, 1, 1, 5], [1, 2, 3, 4, 5]);
    const weights = new Map([["layer.weight", tensorOf([1, 1, 1, 2], [1, 2])]]);
    const output = runOp(conv2d({ out: 1, kernel: [1, 2], padding: [0, 0, 0, 1], bias: false }), [1, 1, 5], input, weights);
    expect(output.shape).toEqual([1, 1, 1, 5]);
    expectClose(output.data, [5, 8, 11, 14, 5]);
  });
});

describe("course notes: pooling a 4x4 depth slice with 2x2 windows, stride 2", () => {
  it("max pool gives [[6,8],[3,4]]", () => {
    const input = tensorOf([1, 1, 4, 4], [1, 1, 2, 4, 5, 6, 7, 8, 3, 2, 1, 0, 1, 2, 3, 4]);
    const output = runOp(pool2d({ kind: "max", window: 2, stride: 2 }), [1, 4, 4], input);
    expect(output.shape).toEqual([1, 1, 2, 2]);
    expectClose(output.data, [6, 8, 3, 4]);
  });

  // The notes print [[4,4.5],[3.25,3.25]] for the input below, but their bottom-left window is
  // {8, 2, 1, 3}, whose mean is 14/4 = 3.5, not 3.25: the notes' own arithmetic slipped there (the other
  // three windows, 16/4, 18/4 and 13/4, agree). We assert the definition, and that a bottom-left window
  // summing to 13 (e.g. a 2 where the notes have the 3) gives exactly the notes' matrix.
  it("average pool gives [[4,4.5],[3.5,3.25]] for the notes' input (the notes print 3.25 bottom-left)", () => {
    const input = tensorOf([1, 1, 4, 4], [2, 3, 1, 9, 4, 7, 3, 5, 8, 2, 2, 2, 1, 3, 4, 5]);
    const output = runOp(pool2d({ kind: "avg", window: 2, stride: 2 }), [1, 4, 4], input);
    expectClose(output.data, [4, 4.5, 3.5, 3.25]);
  });

  it("average pool gives the notes' [[4,4.5],[3.25,3.25]] when the bottom-left window sums to 13", () => {
    const input = tensorOf([1, 1, 4, 4], [2, 3, 1, 9, 4, 7, 3, 5, 8, 2, 2, 2, 1, 2, 4, 5]);
    const output = runOp(pool2d({ kind: "avg", window: 2, stride: 2 }), [1, 4, 4], input);
    expectClose(output.data, [4, 4.5, 3.25, 3.25]);
  });
});

describe("course notes: pooling [2,4,6,1,5,3,2] with a 1x3 window, stride 1", () => {
  const input = tensorOf([1, 1, 7], [2, 4, 6, 1, 5, 3, 2]);

  it("max pool without padding: 6, 6, 6, 5, 5", () => {
    const output = runOp(pool1d({ kind: "max", window: 3, stride: 1 }), [1, 7], input);
    expect(output.shape).toEqual([1, 1, 5]);
    expectClose(output.data, [6, 6, 6, 5, 5]);
  });

  // cnnc's language, like PyTorch, rejects a padding over half the window, so these two configurations
  // are built by hand here: they show how the reference defines them and reproduce the notes' numbers.
  it("the notes' shrinking windows at the right edge are max pooling with two cells of right padding", () => {
    // Max{[3,2]} = 3, Max{[2]} = 2: padded cells never win a max.
    const output = runOp(pool1d({ kind: "max", window: 3, stride: 1, padding: [0, 2] }), [1, 7], input);
    expectClose(output.data, [6, 6, 6, 5, 5, 3, 2]);
  });

  it("and their mean pooling (divide by the cells present) is avg pooling with count_pad=false", () => {
    const output = runOp(pool1d({ kind: "avg", window: 3, stride: 1, padding: [0, 2], countPadding: false }), [1, 7], input);
    expectClose(output.data, [4, 11 / 3, 4, 3, 10 / 3, 2.5, 2]);
  });
});

describe("course notes: 32x32x3 input, ten 5x5 filters, stride 1, pad 2", () => {
  it("gives a 32x32x10 output", () => {
    const attrs = conv2d({ out: 10, kernel: 5, stride: 1, padding: 2 });
    const graph = singleOpGraph(attrs, [3, 32, 32]);
    const random = seededRandom(7);
    const output = runReference(graph, new Map([["x", randomTensor([1, 3, 32, 32], random)]]), randomWeights(graph, random));
    expect(output.outputs.get("layer")!.shape).toEqual([1, 10, 32, 32]);
  });
});
