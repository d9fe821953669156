// Convolution as deep-learning frameworks define it (PyTorch Conv1d/Conv2d): cross-correlation, the filter
// is NOT flipped. out[n, k, oh, ow] = bias[k] + sum over c in k's group, i, j of
//   weight[k, c, i, j] * padded_input[n, group(k) * C/groups + c, oh*sh - top + i*dh, ow*sw - left + j*dw].
import { checkHostArray } from "../hostLimits.js";
import type { ConvAttrs, Node } from "../ir/graph.js";
import type { WeightMap } from "../tensor.js";
import { axisSourceTable } from "./padding.js";
import { asImage, expectShape, makeValue, type RefValue } from "./value.js";
import { requireWeight } from "./weights.js";

/**
 * Output extent along one axis (PyTorch's floor((size + pads - dilation*(kernel-1) - 1) / stride) + 1).
 * Deliberately not src/ir/shapes' windowOutputSize: the reference derives sizes from the definition on
 * its own, so that expectShape cross-checks shape inference instead of repeating it.
 */
function windowOutputSize(
  size: number,
  kernel: number,
  stride: number,
  dilation: number,
  padBefore: number,
  padAfter: number,
): number {
  return Math.floor((size + padBefore + padAfter - dilation * (kernel - 1) - 1) / stride) + 1;
}

export function runConv(node: Node, attrs: ConvAttrs, input: RefValue, weights: WeightMap): RefValue {
  const { C, H, W } = asImage(input.shape, attrs.spatialRank, node);
  const K = attrs.outChannels;
  const groups = attrs.groups;
  if (C % groups !== 0 || K % groups !== 0) {
    throw new Error(`reference: ${node.name}: groups ${groups} must divide ${C} input and ${K} output channels`);
  }
  const channelsPerGroup = C / groups;
  const filtersPerGroup = K / groups;
  const [kh, kw] = attrs.kernel;
  const [sh, sw] = attrs.stride;
  const [dh, dw] = attrs.dilation;
  const { top, bottom, left, right } = attrs.padding;

  // Floor rounding: ConvAttrs.rounding is absent (the size divides exactly) or "floor" (an incomplete
  // last window is dropped, as in PyTorch); the language's ceil becomes extra padding before the IR.
  const rows = windowOutputSize(H, kh, sh, dh, top, bottom);
  const cols = windowOutputSize(W, kw, sw, dw, left, right);
  if (attrs.spatialRank === 1 && rows !== 1) {
    throw new Error(`reference: 1-D conv ${node.name} must be stored with kernel height 1 and no vertical padding`);
  }
  expectShape(node, attrs.spatialRank === 1 ? [K, cols] : [K, rows, cols]);
  const OH = rows;
  const OW = cols;

  const weightShape =
    attrs.spatialRank === 1 ? [K, channelsPerGroup, kw] : [K, channelsPerGroup, kh, kw];
  const weight = requireWeight(weights, node, "weight", weightShape);
  const bias = attrs.bias ? requireWeight(weights, node, "bias", [K]) : undefined;

  // Pad first, then correlate (how PyTorch applies padding_mode): each sample's channels are copied
  // into a padded buffer.
  const paddedH = H + top + bottom;
  const paddedW = W + left + right;
  checkHostArray(`the padded input of ${node.name} [${C}, ${paddedH}, ${paddedW}]`, C * paddedH * paddedW, "float64", "use less padding");
  const rowSource = axisSourceTable(paddedH, top, bottom, H, attrs.paddingMode);
  const colSource = axisSourceTable(paddedW, left, right, W, attrs.paddingMode);
  const padded = new Float64Array(C * paddedH * paddedW);
  const paddedPlane = paddedH * paddedW;

  const output = makeValue(input.batch, node.shape);
  const x = input.data;
  const y = output.data;
  const outPlane = OH * OW;
  for (let n = 0; n < input.batch; n++) {
    for (let c = 0; c < C; c++) {
      for (let r = 0; r < paddedH; r++) {
        const row = rowSource[r]!;
        for (let q = 0; q < paddedW; q++) {
          const col = colSource[q]!;
          padded[c * paddedPlane + r * paddedW + q] = row < 0 || col < 0 ? 0 : x[((n * C + c) * H + row) * W + col]!;
        }
      }
    }
    // One weight at a time, added into the whole output plane: the same sum as the formula above in
    // another order, which keeps the innermost loop simple and fast.
    for (let k = 0; k < K; k++) {
      const group = Math.floor(k / filtersPerGroup);
      const outBase = (n * K + k) * outPlane;
      y.fill(bias === undefined ? 0 : bias[k]!, outBase, outBase + outPlane);
      for (let c = 0; c < channelsPerGroup; c++) {
        const planeBase = (group * channelsPerGroup + c) * paddedPlane;
        for (let i = 0; i < kh; i++) {
          for (let j = 0; j < kw; j++) {
            const w = weight[((k * channelsPerGroup + c) * kh + i) * kw + j]!;
            for (let oh = 0; oh < OH; oh++) {
              const inRow = planeBase + (oh * sh + i * dh) * paddedW + j * dw;
              const outRow = outBase + oh * OW;
              for (let ow = 0; ow < OW; ow++) y[outRow + ow] = y[outRow + ow]! + w * padded[inRow + ow * sw]!;
            }
          }
        }
      }
    }
  }
  return output;
}
