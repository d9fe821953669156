// Hand-worked convolutions: every padding mode, stride, dilation, groups / depthwise, bias, ceil
// rounding, batches; and the reference against an independent im2col + matrix multiply on random configs.
import { describe, expect, it } from "vitest";
import type { ConvAttrs, PaddingMode, Shape } from "../../src/ir/graph.js";
import { runReference } from "../../src/reference/interpret.js";
import type { Tensor, WeightMap } from "../../src/tensor.js";
import { conv1d, conv2d, randomTensor, randomWeights, seededRandom, singleOpGraph, tensorOf } from "./graphBuilders.js";

function runConv(attrs: ConvAttrs, inputShape: Shape, input: Tensor, weights: WeightMap, outShape?: Shape): Tensor {
  const graph = singleOpGraph(attrs, inputShape, "layer", outShape);
  return runReference(graph, new Map([["x", input]]), weights).outputs.get("layer")!;
}

const identity1d = new Map([["layer.weight", tensorOf([1, 1, 1], [1])]]);
const identity2d = new Map([["layer.weight", tensorOf([1, 1, 1, 1], [1])]]);

describe("padding modes (a 1x1 identity filter shows the padded input itself)", () => {
  const row = tensorOf([1, 1, 4], [1, 2, 3, 4]);
  const cases: [PaddingMode, number[]][] = [
    ["zeros", [0, 0, 1, 2, 3, 4, 0, 0]],
    ["reflect", [3, 2, 1, 2, 3, 4, 3, 2]],
    ["replicate", [1, 1, 1, 2, 3, 4, 4, 4]],
    ["circular", [3, 4, 1, 2, 3, 4, 1, 2]],
  ];
  for (const [mode, expected] of cases) {
    it(`1-D ${mode}, pad 2`, () => {
      const output = runConv(conv1d({ out: 1, kernel: 1, padding: 2, mode, bias: false }), [1, 4], row, identity1d);
      expect(Array.from(output.data)).toEqual(expected);
    });
  }

  const image = tensorOf([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const images: [PaddingMode, number[]][] = [
    ["zeros", [0, 0, 0, 0, 0, 0, 1, 2, 3, 0, 0, 4, 5, 6, 0, 0, 7, 8, 9, 0, 0, 0, 0, 0, 0]],
    ["reflect", [5, 4, 5, 6, 5, 2, 1, 2, 3, 2, 5, 4, 5, 6, 5, 8, 7, 8, 9, 8, 5, 4, 5, 6, 5]],
    ["replicate", [1, 1, 2, 3, 3, 1, 1, 2, 3, 3, 4, 4, 5, 6, 6, 7, 7, 8, 9, 9, 7, 7, 8, 9, 9]],
    ["circular", [9, 7, 8, 9, 7, 3, 1, 2, 3, 1, 6, 4, 5, 6, 4, 9, 7, 8, 9, 7, 3, 1, 2, 3, 1]],
  ];
  for (const [mode, expected] of images) {
    it(`2-D ${mode}, pad 1 (corners compose per axis, as torch.nn.functional.pad does)`, () => {
      const output = runConv(conv2d({ out: 1, kernel: 1, padding: 1, mode, bias: false }), [1, 3, 3], image, identity2d);
      expect(output.shape).toEqual([1, 1, 5, 5]);
      expect(Array.from(output.data)).toEqual(expected);
    });
  }

  it("asymmetric reflect padding: top 0, bottom 2, left 1, right 0", () => {
    const output = runConv(
      conv2d({ out: 1, kernel: 1, padding: [0, 2, 1, 0], mode: "reflect", bias: false }),
      [1, 3, 3],
      image,
      identity2d,
    );
    expect(output.shape).toEqual([1, 1, 5, 4]);
    expect(Array.from(output.data)).toEqual([2, 1, 2, 3, 5, 4, 5, 6, 8, 7, 8, 9, 5, 4, 5, 6, 2, 1, 2, 3]);
  });

  it("reflect with a 3-tap filter sums the mirrored neighbours", () => {
    const weights = new Map([["layer.weight", tensorOf([1, 1, 3], [1, 1, 1])]]);
    const output = runConv(conv1d({ out: 1, kernel: 3, padding: 1, mode: "reflect", bias: false }), [1, 4], row, weights);
    // padded [2, 1, 2, 3, 4, 3]
    expect(Array.from(output.data)).toEqual([5, 6, 9, 10]);
  });

  it("reflect padding as large as the input is rejected (PyTorch requires pad < size)", () => {
    const attrs = conv1d({ out: 1, kernel: 1, padding: 4, mode: "reflect", bias: false });
    expect(() => runConv(attrs, [1, 4], row, identity1d)).toThrow(/reflect/);
  });
});

describe("stride, dilation, groups, bias", () => {
  const ramp = tensorOf([1, 1, 7], [1, 2, 3, 4, 5, 6, 7]);

  it("stride 3 over 7 cells with a 2-tap filter: windows at 0 and 3", () => {
    const weights = new Map([["layer.weight", tensorOf([1, 1, 2], [1, 1])]]);
    const output = runConv(conv1d({ out: 1, kernel: 2, stride: 3, bias: false }), [1, 7], ramp, weights);
    expect(Array.from(output.data)).toEqual([3, 9]);
  });

  it("1-D dilation 2: out[i] = x[i] + 10 x[i+2] + 100 x[i+4]", () => {
    const weights = new Map([["layer.weight", tensorOf([1, 1, 3], [1, 10, 100])]]);
    const output = runConv(conv1d({ out: 1, kernel: 3, dilation: 2, bias: false }), [1, 7], ramp, weights);
    expect(Array.from(output.data)).toEqual([531, 642, 753]);
  });

  it("2-D dilation 2 with a 2x2 filter on a 4x4 ramp", () => {
    const input = tensorOf([1, 1, 4, 4], Array.from({ length: 16 }, (_, i) => i));
    const weights = new Map([["layer.weight", tensorOf([1, 1, 2, 2], [1, 2, 3, 4])]]);
    const output = runConv(conv2d({ out: 1, kernel: 2, dilation: 2, bias: false }), [1, 4, 4], input, weights);
    expect(Array.from(output.data)).toEqual([68, 78, 108, 118]);
  });

  it("groups=2: each filter sees only its group's channels; bias is added per filter", () => {
    const input = tensorOf([1, 4, 1, 1], [1, 2, 3, 4]);
    const weights = new Map([
      ["layer.weight", tensorOf([4, 2, 1, 1], [1, 1, 1, -1, 1, 1, 2, 0])],
      ["layer.bias", tensorOf([4], [0.5, 0, 0, -1])],
    ]);
    const output = runConv(conv2d({ out: 4, kernel: 1, groups: 2 }), [4, 1, 1], input, weights);
    expect(Array.from(output.data)).toEqual([3.5, -1, 7, 5]);
  });

  it("depthwise (groups = channels) with channel multiplier 2", () => {
    const input = tensorOf([1, 2, 3], [1, 2, 3, 10, 20, 30]);
    const weights = new Map([
      // filters 0 and 1 read channel 0, filters 2 and 3 read channel 1
      ["layer.weight", tensorOf([4, 1, 3], [1, 0, 0, 0, 2, 0, 0, 0, 1, 1, 1, 1])],
    ]);
    const output = runConv(conv1d({ out: 4, kernel: 3, padding: 1, groups: 2, bias: false }), [2, 3], input, weights);
    expect(Array.from(output.data)).toEqual([0, 1, 2, 2, 4, 6, 20, 30, 0, 30, 60, 50]);
  });

  it("floor rounding drops an incomplete last window (PyTorch Conv1d)", () => {
    const input = tensorOf([1, 1, 5], [1, 2, 3, 4, 5]);
    const weights = new Map([["layer.weight", tensorOf([1, 1, 2], [1, 1])]]);
    const attrs = { ...conv1d({ out: 1, kernel: 2, stride: 2, bias: false }), rounding: "floor" as const };
    const output = runConv(attrs, [1, 5], input, weights);
    expect(Array.from(output.data)).toEqual([3, 7]);
  });

  it("an IR shape that differs from the definition is an internal error", () => {
    const input = tensorOf([1, 1, 5], [1, 2, 3, 4, 5]);
    const weights = new Map([["layer.weight", tensorOf([1, 1, 2], [1, 1])]]);
    expect(() => runConv(conv1d({ out: 1, kernel: 2, bias: false }), [1, 5], input, weights, [1, 3])).toThrow(
      /IR shape \[1, 3\] but its definition gives \[1, 4\]/,
    );
  });

  it("samples of a batch are independent", () => {
    const random = seededRandom(3);
    const attrs = conv2d({ out: 3, kernel: 3, padding: 1, stride: 2 });
    const graph = singleOpGraph(attrs, [2, 5, 5]);
    const weights = randomWeights(graph, random);
    const batch = randomTensor([3, 2, 5, 5], random);
    const all = runReference(graph, new Map([["x", batch]]), weights).outputs.get("layer")!;
    const perSample = 3 * 3 * 3; // K x OH x OW
    for (let n = 0; n < 3; n++) {
      const sample = tensorOf([1, 2, 5, 5], Array.from(batch.data.subarray(n * 50, (n + 1) * 50)));
      const one = runReference(graph, new Map([["x", sample]]), weights).outputs.get("layer")!;
      expect(Array.from(all.data.subarray(n * perSample, (n + 1) * perSample))).toEqual(Array.from(one.data));
    }
  });
});
