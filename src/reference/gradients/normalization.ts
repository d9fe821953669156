// The normalizations' backward passes. Batchnorm at inference (running statistics: an affine map per
// channel), from y = (x - running_mean[c]) * s[c] * weight[c] + bias[c] with s = 1 / sqrt(running_var + eps):
// dx = dy * weight[c] * s[c], dweight[c] = sum dy * (x - running_mean[c]) * s[c], dbias[c] = sum dy.
// The running statistics are buffers, not trainable: they get no gradient. LRN below.
import type { BatchNormAttrs, LrnAttrs, Node } from "../../ir/graph.js";
import type { ReferenceGradients } from "../../ops/definition.js";
import type { WeightMap } from "../../tensor.js";
import { channelsAndInner, makeValue, type RefValue } from "../value.js";
import { requireWeight } from "../weights.js";

export function batchnormGradient(node: Node, attrs: BatchNormAttrs, input: RefValue, weights: WeightMap, outputGradient: RefValue): ReferenceGradients {
  const { channels, inner } = channelsAndInner(input.shape);
  const weight = requireWeight(weights, node, "weight", [channels]);
  const runningMean = requireWeight(weights, node, "running_mean", [channels]);
  const runningVar = requireWeight(weights, node, "running_var", [channels]);
  const inputGradient = makeValue(input.batch, input.shape);
  const weightGradient = new Float64Array(channels);
  const biasGradient = new Float64Array(channels);
  for (let n = 0; n < input.batch; n++) {
    for (let c = 0; c < channels; c++) {
      const scale = 1 / Math.sqrt(runningVar[c]! + attrs.eps);
      const base = (n * channels + c) * inner;
      for (let p = 0; p < inner; p++) {
        const dy = outputGradient.data[base + p]!;
        inputGradient.data[base + p] = dy * weight[c]! * scale;
        weightGradient[c] = weightGradient[c]! + dy * (input.data[base + p]! - runningMean[c]!) * scale;
        biasGradient[c] = biasGradient[c]! + dy;
      }
    }
  }
  return {
    inputs: [inputGradient],
    params: new Map([
      [`${node.name}.weight`, weightGradient],
      [`${node.name}.bias`, biasGradient],
    ]),
  };
}

/**
 * LRN (PyTorch LocalResponseNorm, src/reference/normalization.ts runLrn): b_c = a_c * D_c^-beta with
 * D_c = k + alpha / size * sum_{c' in window(c)} a_c'^2, window(c) = [c - floor(size/2), c + floor((size-1)/2)].
 * a_j enters its own b_j directly and every D_c whose window holds j (c in [j - floor((size-1)/2), j + floor(size/2)]):
 * da_j = dy_j * D_j^-beta - 2 * alpha * beta / size * a_j * sum_c dy_c * a_c * D_c^(-beta - 1).
 */
export function lrnGradient(attrs: LrnAttrs, input: RefValue, outputGradient: RefValue): ReferenceGradients {
  const { channels, inner } = channelsAndInner(input.shape);
  const below = Math.floor(attrs.size / 2);
  const above = Math.floor((attrs.size - 1) / 2);
  const x = input.data;
  const dy = outputGradient.data;
  const divisor = new Float64Array(x.length);
  for (let n = 0; n < input.batch; n++) {
    for (let c = 0; c < channels; c++) {
      for (let p = 0; p < inner; p++) {
        let squares = 0;
        for (let neighbour = Math.max(c - below, 0); neighbour <= Math.min(c + above, channels - 1); neighbour++) {
          squares += x[(n * channels + neighbour) * inner + p]! ** 2;
        }
        divisor[(n * channels + c) * inner + p] = attrs.k + (attrs.alpha / attrs.size) * squares;
      }
    }
  }
  const inputGradient = makeValue(input.batch, input.shape);
  const factor = (2 * attrs.alpha * attrs.beta) / attrs.size;
  for (let n = 0; n < input.batch; n++) {
    for (let j = 0; j < channels; j++) {
      for (let p = 0; p < inner; p++) {
        const at = (c: number): number => (n * channels + c) * inner + p;
        let through = 0;
        for (let c = Math.max(j - above, 0); c <= Math.min(j + below, channels - 1); c++) {
          through += dy[at(c)]! * x[at(c)]! * Math.pow(divisor[at(c)]!, -attrs.beta - 1);
        }
        inputGradient.data[at(j)] = dy[at(j)]! * Math.pow(divisor[at(j)]!, -attrs.beta) - factor * x[at(j)]! * through;
      }
    }
  }
  return { inputs: [inputGradient], params: new Map() };
}
