// Batchnorm's backward pass at inference (running statistics: an affine map per channel), from
// y = (x - running_mean[c]) * s[c] * weight[c] + bias[c] with s = 1 / sqrt(running_var + eps):
// dx = dy * weight[c] * s[c], dweight[c] = sum dy * (x - running_mean[c]) * s[c], dbias[c] = sum dy.
// The running statistics are buffers, not trainable: they get no gradient.
import type { BatchNormAttrs, Node } from "../../ir/graph.js";
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
