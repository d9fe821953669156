// Elementwise activations, per their PyTorch definitions. The float64 function of each is its entry's
// `reference` in the activation table (src/ops/activations.ts), written apart from its WGSL there.
// NaN maps to NaN in every one of them (torch.relu(nan) is nan), and +-Inf to the functions' limits.
import type { ActivationAttrs, Node } from "../ir/graph.js";
import { activationDefinition } from "../ops/activations.js";
import { expectShape, makeValue, type RefValue } from "./value.js";

export function runActivation(node: Node, attrs: ActivationAttrs, input: RefValue): RefValue {
  expectShape(node, input.shape);
  const activation = activationDefinition(attrs.op);
  const output = makeValue(input.batch, node.shape);
  for (let i = 0; i < input.data.length; i++) output.data[i] = activation.reference(attrs, input.data[i]!);
  return output;
}
