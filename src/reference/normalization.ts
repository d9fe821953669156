// Batch normalization at inference and local response normalization, per PyTorch's definitions.
import type { BatchNormAttrs, LrnAttrs, Node } from "../ir/graph.js";
import type { WeightMap } from "../tensor.js";
import { channelsAndInner, expectShape, makeValue, type RefValue } from "./value.js";
import { requireWeight } from "./weights.js";

/**
 * y = (x - running_mean[c]) / sqrt(running_var[c] + eps) * weight[c] + bias[c], c the channel (after a
 * conv) or the feature (after an fc, input [F]). The batch's own statistics are not used (inference).
 */
export function runBatchNorm(node: Node, attrs: BatchNormAttrs, input: RefValue, weights: WeightMap): RefValue {
  expectShape(node, input.shape);
  const { channels, inner } = channelsAndInner(input.shape);
  const gamma = requireWeight(weights, node, "weight", [channels]);
  const beta = requireWeight(weights, node, "bias", [channels]);
  const mean = requireWeight(weights, node, "running_mean", [channels]);
  const variance = requireWeight(weights, node, "running_var", [channels]);
  const output = makeValue(input.batch, node.shape);
  for (let n = 0; n < input.batch; n++) {
    for (let c = 0; c < channels; c++) {
      const scale = gamma[c]! / Math.sqrt(variance[c]! + attrs.eps);
      const base = (n * channels + c) * inner;
      for (let p = 0; p < inner; p++) {
        output.data[base + p] = (input.data[base + p]! - mean[c]!) * scale + beta[c]!;
      }
    }
  }
  return output;
}

/**
 * PyTorch LocalResponseNorm: b_c = a_c / (k + alpha / size * sum_{c'} a_{c'}^2)^beta with c' running over
 * [c - floor(size/2), c + floor((size-1)/2)], channels outside [0, C) counting as zeros (the divisor stays
 * `size` at the edges, as PyTorch's zero-padded average pool does).
 */
export function runLrn(node: Node, attrs: LrnAttrs, input: RefValue): RefValue {
  expectShape(node, input.shape);
  const { channels, inner } = channelsAndInner(input.shape);
  const below = Math.floor(attrs.size / 2);
  const above = Math.floor((attrs.size - 1) / 2);
  const output = makeValue(input.batch, node.shape);
  const x = input.data;
  for (let n = 0; n < input.batch; n++) {
    for (let c = 0; c < channels; c++) {
      const first = Math.max(c - below, 0);
      const last = Math.min(c + above, channels - 1);
      for (let p = 0; p < inner; p++) {
        let squares = 0;
        for (let neighbour = first; neighbour <= last; neighbour++) {
          const value = x[(n * channels + neighbour) * inner + p]!;
          squares += value * value;
        }
        const index = (n * channels + c) * inner + p;
        output.data[index] = x[index]! / Math.pow(attrs.k + (attrs.alpha / attrs.size) * squares, attrs.beta);
      }
    }
  }
  return output;
}
