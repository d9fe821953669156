// Fully connected (PyTorch Linear after torch.flatten(x, 1)): y[n, o] = bias[o] + sum_i weight[o, i] * x[n, i],
// with i running over the input's per-sample elements in C, H, W order.
import { shapeSize, type FcAttrs, type Node } from "../ir/graph.js";
import type { WeightMap } from "../tensor.js";
import { expectShape, makeValue, type RefValue } from "./value.js";
import { requireWeight } from "./weights.js";

export function runFc(node: Node, attrs: FcAttrs, input: RefValue, weights: WeightMap): RefValue {
  const inFeatures = shapeSize(input.shape);
  const outFeatures = attrs.outFeatures;
  expectShape(node, [outFeatures]);
  const weight = requireWeight(weights, node, "weight", [outFeatures, inFeatures]);
  const bias = attrs.bias ? requireWeight(weights, node, "bias", [outFeatures]) : undefined;
  const output = makeValue(input.batch, node.shape);
  for (let n = 0; n < input.batch; n++) {
    for (let o = 0; o < outFeatures; o++) {
      let sum = bias === undefined ? 0 : bias[o]!;
      for (let i = 0; i < inFeatures; i++) {
        sum += weight[o * inFeatures + i]! * input.data[n * inFeatures + i]!;
      }
      output.data[n * outFeatures + o] = sum;
    }
  }
  return output;
}
