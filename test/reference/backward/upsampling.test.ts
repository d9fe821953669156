// The transposed conv's gradients (input, weight, bias) and upsampling's input gradient against finite
// differences, on random shapes: strides 1-3, padding, output_padding (below max(stride, dilation)),
// dilation, groups, odd sizes, batch > 1; nearest and bilinear with and without align_corners.
import { describe, it } from "vitest";
import type { ConvTransposeAttrs, Shape, UpsampleAttrs } from "../../../src/ir/graph.js";
import { seededRandom } from "../graphBuilders.js";
import { checkOpGradient, pick, randomInt } from "./opCheck.js";

describe("conv_transpose gradient", () => {
  const random = seededRandom(8101);
  for (let trial = 0; trial < 20; trial++) {
    const groups = randomInt(random, 1, 2);
    const stride: [number, number] = [randomInt(random, 1, 3), randomInt(random, 1, 3)];
    const dilation: [number, number] = [randomInt(random, 1, 2), randomInt(random, 1, 2)];
    const kernel: [number, number] = [randomInt(random, 1, 3), randomInt(random, 1, 3)];
    const attrs: ConvTransposeAttrs = {
      op: "conv_transpose",
      outChannels: groups * randomInt(random, 1, 2),
      kernel,
      stride,
      dilation,
      padding: [randomInt(random, 0, 1), randomInt(random, 0, 1)],
      outputPadding: [randomInt(random, 0, Math.max(...[stride[0], dilation[0]]) - 1), randomInt(random, 0, Math.max(stride[1], dilation[1]) - 1)],
      groups,
      bias: random() < 0.7,
    };
    const input: Shape = [groups * randomInt(random, 1, 2), randomInt(random, 1, 5), randomInt(random, 2, 5)];
    const batch = randomInt(random, 1, 2);
    const size = (axis: 0 | 1): number => (input[axis + 1]! - 1) * stride[axis] - 2 * attrs.padding[axis] + dilation[axis] * (kernel[axis] - 1) + attrs.outputPadding[axis] + 1;
    if (size(0) < 1 || size(1) < 1) continue;
    const label = `conv_transpose ${JSON.stringify({ input, batch, ...attrs, op: undefined })}`;
    it(label, () => checkOpGradient(attrs, [input], batch, seededRandom(300 + trial), label));
  }
});

describe("upsample gradient", () => {
  const random = seededRandom(8102);
  for (let trial = 0; trial < 16; trial++) {
    const mode = pick(random, ["nearest", "bilinear"] as const);
    const attrs: UpsampleAttrs = { op: "upsample", scale: [randomInt(random, 1, 3), randomInt(random, 1, 3)], mode, alignCorners: mode === "bilinear" && random() < 0.5 };
    const input: Shape = [randomInt(random, 1, 2), randomInt(random, 1, 5), randomInt(random, 2, 5)];
    const batch = randomInt(random, 1, 2);
    const label = `upsample ${JSON.stringify({ input, batch, scale: attrs.scale, mode, alignCorners: attrs.alignCorners })}`;
    it(label, () => checkOpGradient(attrs, [input], batch, seededRandom(400 + trial), label));
  }
});
