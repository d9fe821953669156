// Convolution as deep-learning frameworks define it (PyTorch Conv1d/Conv2d): cross-correlation, the filter
// is NOT flipped. out[n, k, oh, ow] = bias[k] + sum over c in k's group, i, j of
//   weight[k, c, i, j] * padded_input[n, group(k) * C/groups + c, oh*sh - top + i*dh, ow*sw - left + j*dw].
import type { ConvAttrs, Node } from "../ir/graph.js";
import type { WeightMap } from "../tensor.js";
import { axisSourceTable } from "./padding.js";
import { asImage, expectShape, makeValue, type RefValue } from "./value.js";
import { requireWeight } from "./weights.js";

/** Output extent along one axis; `ceil` lets a last, partial window hang over the padded input. */
export function windowOutputSize(
  size: number,
  kernel: number,
  stride: number,
  dilation: number,
  padBefore: number,
  padAfter: number,
  rounding: "floor" | "ceil",
): number {
  const span = size + padBefore + padAfter - dilation * (kernel - 1) - 1;
  const steps = rounding === "floor" ? Math.floor(span / stride) : Math.ceil(span / stride);
  return steps + 1;
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

  // The language allows rounding=ceil on conv (ConvAttrs has no field for it), so the IR's size may be
  // the floor or the ceil one; a ceil window hanging past the padded input reads zeros there.
  const shapeFor = (rounding: "floor" | "ceil"): number[] => {
    const rows = windowOutputSize(H, kh, sh, dh, top, bottom, rounding);
    const cols = windowOutputSize(W, kw, sw, dw, left, right, rounding);
    if (attrs.spatialRank === 1 && rows !== 1) {
      throw new Error(`reference: 1-D conv ${node.name} must be stored with kernel height 1 and no vertical padding`);
    }
    return attrs.spatialRank === 1 ? [K, cols] : [K, rows, cols];
  };
  const ceilShape = shapeFor("ceil");
  const matchesCeil = ceilShape.every((size, i) => size === node.shape[i]) && ceilShape.length === node.shape.length;
  const outputShape = matchesCeil ? ceilShape : shapeFor("floor");
  expectShape(node, outputShape);
  const OH = attrs.spatialRank === 1 ? 1 : outputShape[1]!;
  const OW = outputShape[outputShape.length - 1]!;

  const weightShape =
    attrs.spatialRank === 1 ? [K, channelsPerGroup, kw] : [K, channelsPerGroup, kh, kw];
  const weight = requireWeight(weights, node, "weight", weightShape);
  const bias = attrs.bias ? requireWeight(weights, node, "bias", [K]) : undefined;

  const rowSource = axisSourceTable(OH, kh, sh, dh, H, top, bottom, attrs.paddingMode);
  const colSource = axisSourceTable(OW, kw, sw, dw, W, left, right, attrs.paddingMode);

  const output = makeValue(input.batch, node.shape);
  const x = input.data;
  const y = output.data;
  const planeSize = H * W;
  for (let n = 0; n < input.batch; n++) {
    for (let k = 0; k < K; k++) {
      const group = Math.floor(k / filtersPerGroup);
      const firstChannel = n * C + group * channelsPerGroup;
      const outBase = (n * K + k) * OH * OW;
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++) {
          let sum = bias === undefined ? 0 : bias[k]!;
          for (let c = 0; c < channelsPerGroup; c++) {
            const planeBase = (firstChannel + c) * planeSize;
            const weightBase = (k * channelsPerGroup + c) * kh * kw;
            for (let i = 0; i < kh; i++) {
              const row = rowSource[oh * kh + i]!;
              if (row < 0) continue;
              for (let j = 0; j < kw; j++) {
                const col = colSource[ow * kw + j]!;
                if (col < 0) continue;
                sum += weight[weightBase + i * kw + j]! * x[planeBase + row * W + col]!;
              }
            }
          }
          y[outBase + oh * OW + ow] = sum;
        }
      }
    }
  }
  return output;
}
