// The transposed convolution's backward pass, from its scatter definition (src/reference/convTranspose.ts):
// each (input value, tap) pair adds x * w into one output cell, so that pair sends dy[cell] * w to the
// input value and dy[cell] * x to the weight; dbias[k] is the sum of dy over channel k. (The input
// gradient is thus a plain conv of dy with the same weight, as the GPU computes it.)
import type { ConvTransposeAttrs, Node } from "../../ir/graph.js";
import type { ReferenceGradients } from "../../ops/definition.js";
import type { WeightMap } from "../../tensor.js";
import { forEachTransposedTap, transposedConvSetup } from "../convTranspose.js";
import { makeValue, type RefValue } from "../value.js";

export function convTransposeGradient(node: Node, attrs: ConvTransposeAttrs, input: RefValue, weights: WeightMap, outputGradient: RefValue): ReferenceGradients {
  const setup = transposedConvSetup(node, attrs, input, weights);
  const inputGradient = makeValue(input.batch, input.shape);
  const weightGradient = new Float64Array(setup.weight.length);
  const biasGradient = new Float64Array(setup.K);
  const x = input.data;
  const dy = outputGradient.data;
  const dx = inputGradient.data;
  const plane = setup.OH * setup.OW;
  for (let n = 0; n < input.batch; n++) {
    for (let k = 0; k < setup.K; k++) {
      const base = (n * setup.K + k) * plane;
      for (let p = 0; p < plane; p++) biasGradient[k] = biasGradient[k]! + dy[base + p]!;
    }
    forEachTransposedTap(attrs, setup, n, (inputIndex, weightIndex, outputIndex) => {
      const g = dy[outputIndex]!;
      dx[inputIndex] = dx[inputIndex]! + g * setup.weight[weightIndex]!;
      weightGradient[weightIndex] = weightGradient[weightIndex]! + g * x[inputIndex]!;
    });
  }
  const params = new Map([[`${node.name}.weight`, weightGradient]]);
  if (attrs.bias) params.set(`${node.name}.bias`, biasGradient);
  return { inputs: [inputGradient], params };
}
