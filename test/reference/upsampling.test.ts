// The forward references of upsample and conv_transpose. Upsample: PyTorch's documented nn.Upsample
// example (the 2x2 input [[1, 2], [3, 4]] at scale 2) in all three modes. conv_transpose: against an
// independent definition, the input gradient of the conv it transposes (convGradient, the conv
// reference's own backward), on random shapes with output_padding < stride.
import { describe, expect, it } from "vitest";
import type { ConvTransposeAttrs, UpsampleAttrs } from "../../src/ir/graph.js";
import { transposedConvAsConv } from "../../src/ir/shapes/convTranspose.js";
import { runConvTranspose } from "../../src/reference/convTranspose.js";
import { convGradient } from "../../src/reference/gradients/conv.js";
import { runUpsample } from "../../src/reference/upsample.js";
import { makeTensor, type WeightMap } from "../../src/tensor.js";
import { randomInt } from "./backward/opCheck.js";
import { randomTensor, seededRandom, singleOpGraph } from "./graphBuilders.js";

function upsample2x2(mode: UpsampleAttrs["mode"], alignCorners: boolean): number[] {
  const attrs: UpsampleAttrs = { op: "upsample", scale: [2, 2], mode, alignCorners };
  const graph = singleOpGraph(attrs, [1, 2, 2]);
  return [...runUpsample(graph.nodes[1]!, attrs, { batch: 1, shape: [1, 2, 2], data: Float64Array.of(1, 2, 3, 4) }).data];
}

describe("upsample reference", () => {
  it("nearest copies each pixel into a 2x2 block", () => {
    expect(upsample2x2("nearest", false)).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  });
  it("bilinear with half-pixel centers (align_corners=False) matches PyTorch's example", () => {
    const expected = [1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4];
    upsample2x2("bilinear", false).forEach((value, i) => expect(value).toBeCloseTo(expected[i]!, 12));
  });
  it("bilinear with align_corners=True matches PyTorch's example", () => {
    const third = 1 / 3;
    const expected = [1, 1 + third, 2 - third, 2, 2 - third, 2, 2 + third, 3 - third, 2 + third, 3 - third, 3, 3 + third, 3, 3 + third, 4 - third, 4];
    upsample2x2("bilinear", true).forEach((value, i) => expect(value).toBeCloseTo(expected[i]!, 12));
  });
  it("a NaN reaches every bilinear output that reads it, even with weight 0, and no other", () => {
    const attrs: UpsampleAttrs = { op: "upsample", scale: [2, 2], mode: "bilinear", alignCorners: false };
    const graph = singleOpGraph(attrs, [1, 1, 2]);
    const output = runUpsample(graph.nodes[1]!, attrs, { batch: 1, shape: [1, 1, 2], data: Float64Array.of(Number.NaN, 1) });
    // Output column 3's source is 1.25: it reads input column 1 alone (first = second = 1).
    expect([...output.data].map(Number.isNaN)).toEqual([true, true, true, false, true, true, true, false]);
  });
});

describe("conv_transpose reference", () => {
  const random = seededRandom(9101);
  for (let trial = 0; trial < 12; trial++) {
    const groups = randomInt(random, 1, 2);
    const stride: [number, number] = [randomInt(random, 1, 3), randomInt(random, 1, 3)];
    const attrs: ConvTransposeAttrs = {
      op: "conv_transpose",
      outChannels: groups * randomInt(random, 1, 3),
      kernel: [randomInt(random, 1, 4), randomInt(random, 1, 4)],
      stride,
      dilation: [randomInt(random, 1, 2), randomInt(random, 1, 2)],
      padding: [randomInt(random, 0, 1), randomInt(random, 0, 1)],
      outputPadding: [randomInt(random, 0, stride[0] - 1), randomInt(random, 0, stride[1] - 1)],
      groups,
      bias: false,
    };
    const input = [groups * randomInt(random, 1, 2), randomInt(random, 2, 6), randomInt(random, 2, 6)];
    const graph = singleOpGraph(attrs, input);
    const node = graph.nodes[1]!;
    if (node.shape.some((size) => size < 1)) continue;
    it(`equals the input gradient of the conv it transposes ${JSON.stringify({ input, ...attrs, op: undefined })}`, () => {
      const weight = randomTensor(node.params[0]!.shape, random);
      const weights: WeightMap = new Map([["layer.weight", weight]]);
      const batch = 2;
      const x = { batch, shape: input, data: Float64Array.from({ length: batch * input.reduce((a, b) => a * b, 1) }, () => random() * 2 - 1) };
      const transposed = runConvTranspose(node, attrs, x, weights);
      // The conv from the transposed conv's output to its input, with the same weight, fed x as its output gradient.
      const conv = transposedConvAsConv(attrs, input[0]!);
      const convGraph = singleOpGraph(conv, node.shape, "layer", input);
      const zeros = { batch, shape: node.shape, data: new Float64Array(batch * node.activations) };
      const expected = convGradient(convGraph.nodes[1]!, conv, zeros, weights, x).inputs[0]!;
      expect(transposed.shape).toEqual(expected.shape);
      transposed.data.forEach((value, i) => expect(value).toBeCloseTo(expected.data[i]!, 10));
    });
  }
  it("adds the bias to every output pixel of its channel", () => {
    const attrs: ConvTransposeAttrs = { op: "conv_transpose", outChannels: 2, kernel: [1, 1], stride: [2, 2], dilation: [1, 1], padding: [0, 0], outputPadding: [1, 1], groups: 1, bias: true };
    const graph = singleOpGraph(attrs, [1, 1, 1]);
    const weight = makeTensor([1, 2, 1, 1]);
    weight.data.set([2, 3]);
    const bias = makeTensor([2]);
    bias.data.set([10, 20]);
    const output = runConvTranspose(graph.nodes[1]!, attrs, { batch: 1, shape: [1, 1, 1], data: Float64Array.of(5) }, new Map([["layer.weight", weight], ["layer.bias", bias]]));
    // Output 2x2 per channel: the input lands at (0, 0); the other three cells are output_padding and stride gaps.
    expect([...output.data]).toEqual([20, 10, 10, 10, 35, 20, 20, 20]);
  });
});
