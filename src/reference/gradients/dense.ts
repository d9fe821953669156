// The fully connected layer's backward pass, from y[n, o] = bias[o] + sum_i weight[o, i] * x[n, i]:
// dx[n, i] = sum_o dy[n, o] * weight[o, i], dweight[o, i] = sum_n dy[n, o] * x[n, i], dbias[o] = sum_n dy[n, o].
import { shapeSize, type FcAttrs, type Node } from "../../ir/graph.js";
import type { ReferenceGradients } from "../../ops/definition.js";
import type { WeightMap } from "../../tensor.js";
import { makeValue, type RefValue } from "../value.js";
import { requireWeight } from "../weights.js";

export function fcGradient(node: Node, attrs: FcAttrs, input: RefValue, weights: WeightMap, outputGradient: RefValue): ReferenceGradients {
  const inFeatures = shapeSize(input.shape);
  const outFeatures = attrs.outFeatures;
  const weight = requireWeight(weights, node, "weight", [outFeatures, inFeatures]);
  const inputGradient = makeValue(input.batch, input.shape);
  const weightGradient = new Float64Array(outFeatures * inFeatures);
  const biasGradient = new Float64Array(outFeatures);
  for (let n = 0; n < input.batch; n++) {
    for (let o = 0; o < outFeatures; o++) {
      const g = outputGradient.data[n * outFeatures + o]!;
      biasGradient[o] = biasGradient[o]! + g;
      for (let i = 0; i < inFeatures; i++) {
        const inIndex = n * inFeatures + i;
        const weightIndex = o * inFeatures + i;
        inputGradient.data[inIndex] = inputGradient.data[inIndex]! + g * weight[weightIndex]!;
        weightGradient[weightIndex] = weightGradient[weightIndex]! + g * input.data[inIndex]!;
      }
    }
  }
  const params = new Map([[`${node.name}.weight`, weightGradient]]);
  if (attrs.bias) params.set(`${node.name}.bias`, biasGradient);
  return { inputs: [inputGradient], params };
}
