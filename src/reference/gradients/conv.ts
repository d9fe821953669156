// The convolution's backward pass, from the forward definition (src/reference/conv.ts):
//   y[n, k, oh, ow] = bias[k] + sum_{c, i, j} weight[k, c, i, j] * padded[n, g(k)*Cg + c, oh*sh + i*dh, ow*sw + j*dw]
// so dweight[k, c, i, j] = sum_{n, oh, ow} dy * padded[...], dbias[k] = sum_{n, oh, ow} dy, and each padded
// cell's gradient sum_{k, i, j} dy * weight flows to the input cell it was copied from (none for a zero;
// reflect, replicate and circular padding send it to the cell they repeat, which may thus gather several).
import type { ConvAttrs, Node } from "../../ir/graph.js";
import type { ReferenceGradients } from "../../ops/definition.js";
import type { WeightMap } from "../../tensor.js";
import { axisSourceTable } from "../padding.js";
import { asImage, makeValue, type RefValue } from "../value.js";
import { requireWeight } from "../weights.js";

export function convGradient(node: Node, attrs: ConvAttrs, input: RefValue, weights: WeightMap, outputGradient: RefValue): ReferenceGradients {
  const { C, H, W } = asImage(input.shape, attrs.spatialRank, node);
  const { H: OH, W: OW } = asImage(outputGradient.shape, attrs.spatialRank, node);
  const K = attrs.outChannels;
  const channelsPerGroup = C / attrs.groups;
  const filtersPerGroup = K / attrs.groups;
  const [kh, kw] = attrs.kernel;
  const [sh, sw] = attrs.stride;
  const [dh, dw] = attrs.dilation;
  const { top, bottom, left, right } = attrs.padding;
  const weightShape = attrs.spatialRank === 1 ? [K, channelsPerGroup, kw] : [K, channelsPerGroup, kh, kw];
  const weight = requireWeight(weights, node, "weight", weightShape);

  const paddedH = H + top + bottom;
  const paddedW = W + left + right;
  const paddedPlane = paddedH * paddedW;
  const rowSource = axisSourceTable(paddedH, top, bottom, H, attrs.paddingMode);
  const colSource = axisSourceTable(paddedW, left, right, W, attrs.paddingMode);
  const padded = new Float64Array(C * paddedPlane);
  const paddedGradient = new Float64Array(C * paddedPlane);

  const inputGradient = makeValue(input.batch, input.shape);
  const weightGradient = new Float64Array(weight.length);
  const biasGradient = new Float64Array(K);
  const x = input.data;
  const dy = outputGradient.data;
  const dx = inputGradient.data;
  for (let n = 0; n < input.batch; n++) {
    for (let c = 0; c < C; c++) {
      for (let r = 0; r < paddedH; r++) {
        for (let q = 0; q < paddedW; q++) {
          const row = rowSource[r]!;
          const col = colSource[q]!;
          padded[c * paddedPlane + r * paddedW + q] = row < 0 || col < 0 ? 0 : x[((n * C + c) * H + row) * W + col]!;
        }
      }
    }
    paddedGradient.fill(0);
    for (let k = 0; k < K; k++) {
      const group = Math.floor(k / filtersPerGroup);
      const outBase = (n * K + k) * OH * OW;
      for (let p = 0; p < OH * OW; p++) biasGradient[k] = biasGradient[k]! + dy[outBase + p]!;
      for (let c = 0; c < channelsPerGroup; c++) {
        const planeBase = (group * channelsPerGroup + c) * paddedPlane;
        for (let i = 0; i < kh; i++) {
          for (let j = 0; j < kw; j++) {
            const weightIndex = ((k * channelsPerGroup + c) * kh + i) * kw + j;
            const w = weight[weightIndex]!;
            let sum = 0;
            for (let oh = 0; oh < OH; oh++) {
              for (let ow = 0; ow < OW; ow++) {
                const cell = planeBase + (oh * sh + i * dh) * paddedW + ow * sw + j * dw;
                const g = dy[outBase + oh * OW + ow]!;
                sum += g * padded[cell]!;
                paddedGradient[cell] = paddedGradient[cell]! + g * w;
              }
            }
            weightGradient[weightIndex] = weightGradient[weightIndex]! + sum;
          }
        }
      }
    }
    for (let c = 0; c < C; c++) {
      for (let r = 0; r < paddedH; r++) {
        for (let q = 0; q < paddedW; q++) {
          const row = rowSource[r]!;
          const col = colSource[q]!;
          if (row < 0 || col < 0) continue;
          const target = ((n * C + c) * H + row) * W + col;
          dx[target] = dx[target]! + paddedGradient[c * paddedPlane + r * paddedW + q]!;
        }
      }
    }
  }
  const params = new Map([[`${node.name}.weight`, weightGradient]]);
  if (attrs.bias) params.set(`${node.name}.bias`, biasGradient);
  return { inputs: [inputGradient], params };
}
