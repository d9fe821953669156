// Transposed convolution as PyTorch defines it (ConvTranspose2d), as a scatter: every input value
// spreads over the output through its group's filters,
//   y[n, g*M + m, ih*sh - ph + i*dh, iw*sw - pw + j*dw] += x[n, g*Cg + c, ih, iw] * weight[g*Cg + c, m, i, j]
// (Cg = C_in/groups, M = K/groups; positions cropped away by the padding are dropped), then the bias.
// The output size comes from the definition ((in - 1)*S - 2P + D*(F - 1) + output_padding + 1), so
// expectShape cross-checks shape inference.
import type { ConvTransposeAttrs, Node } from "../ir/graph.js";
import type { WeightMap } from "../tensor.js";
import { asImage, expectShape, makeValue, type RefValue } from "./value.js";
import { requireWeight } from "./weights.js";

/** The sizes and weights of one transposed conv, read once for the forward and the backward. */
export interface TransposedConvSetup {
  C: number;
  H: number;
  W: number;
  K: number;
  OH: number;
  OW: number;
  channelsPerGroup: number;
  filtersPerGroup: number;
  weight: Float32Array;
}

export function transposedConvSetup(node: Node, attrs: ConvTransposeAttrs, input: RefValue, weights: WeightMap): TransposedConvSetup {
  const { C, H, W } = asImage(input.shape, 2, node);
  const K = attrs.outChannels;
  if (C % attrs.groups !== 0 || K % attrs.groups !== 0) {
    throw new Error(`reference: ${node.name}: groups ${attrs.groups} must divide ${C} input and ${K} output channels`);
  }
  const size = (axis: 0 | 1, input: number): number =>
    (input - 1) * attrs.stride[axis] - 2 * attrs.padding[axis] + attrs.dilation[axis] * (attrs.kernel[axis] - 1) + attrs.outputPadding[axis] + 1;
  const OH = size(0, H);
  const OW = size(1, W);
  expectShape(node, [K, OH, OW]);
  const channelsPerGroup = C / attrs.groups;
  const filtersPerGroup = K / attrs.groups;
  const weight = requireWeight(weights, node, "weight", [C, filtersPerGroup, attrs.kernel[0], attrs.kernel[1]]);
  return { C, H, W, K, OH, OW, channelsPerGroup, filtersPerGroup, weight };
}

/**
 * Calls `visit(inputIndex, weightIndex, outputIndex)` for every (input value, tap) pair of sample `n`
 * that lands inside the output: the one loop nest the forward and both gradients share.
 */
export function forEachTransposedTap(attrs: ConvTransposeAttrs, setup: TransposedConvSetup, n: number, visit: (inputIndex: number, weightIndex: number, outputIndex: number) => void): void {
  const { C, H, W, K, OH, OW, channelsPerGroup, filtersPerGroup } = setup;
  const [kh, kw] = attrs.kernel;
  const [sh, sw] = attrs.stride;
  const [dh, dw] = attrs.dilation;
  const [ph, pw] = attrs.padding;
  for (let ci = 0; ci < C; ci++) {
    const group = Math.floor(ci / channelsPerGroup);
    for (let m = 0; m < filtersPerGroup; m++) {
      const outPlane = (n * K + group * filtersPerGroup + m) * OH * OW;
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          const weightIndex = ((ci * filtersPerGroup + m) * kh + i) * kw + j;
          for (let ih = 0; ih < H; ih++) {
            const oh = ih * sh - ph + i * dh;
            if (oh < 0 || oh >= OH) continue;
            for (let iw = 0; iw < W; iw++) {
              const ow = iw * sw - pw + j * dw;
              if (ow < 0 || ow >= OW) continue;
              visit(((n * C + ci) * H + ih) * W + iw, weightIndex, outPlane + oh * OW + ow);
            }
          }
        }
      }
    }
  }
}

export function runConvTranspose(node: Node, attrs: ConvTransposeAttrs, input: RefValue, weights: WeightMap): RefValue {
  const setup = transposedConvSetup(node, attrs, input, weights);
  const bias = attrs.bias ? requireWeight(weights, node, "bias", [setup.K]) : undefined;
  const output = makeValue(input.batch, node.shape);
  const x = input.data;
  const y = output.data;
  const plane = setup.OH * setup.OW;
  for (let n = 0; n < input.batch; n++) {
    if (bias !== undefined) for (let k = 0; k < setup.K; k++) y.fill(bias[k]!, (n * setup.K + k) * plane, (n * setup.K + k + 1) * plane);
    forEachTransposedTap(attrs, setup, n, (inputIndex, weightIndex, outputIndex) => {
      y[outputIndex] = y[outputIndex]! + x[inputIndex]! * setup.weight[weightIndex]!;
    });
  }
  return output;
}
