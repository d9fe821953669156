// Elementwise activations, per their PyTorch definitions. NaN maps to NaN in every one of them
// (torch.relu(nan) is nan), and +-Inf to the functions' limits.
import type { ActivationAttrs, Node } from "../ir/graph.js";
import { expectShape, makeValue, type RefValue } from "./value.js";

export function activate(attrs: ActivationAttrs, x: number): number {
  switch (attrs.op) {
    case "relu":
      // Math.max, unlike a comparison, keeps a NaN.
      return Math.max(x, 0);
    case "leaky_relu":
      return x >= 0 ? x : attrs.alpha * x;
    case "elu":
      return x > 0 ? x : attrs.alpha * (Math.exp(x) - 1);
    case "tanh":
      return Math.tanh(x);
    case "sigmoid":
      // Two forms so that exp never overflows (it would still give the right limit in float64, but the
      // split states the intent).
      if (x >= 0) return 1 / (1 + Math.exp(-x));
      return Math.exp(x) / (1 + Math.exp(x));
  }
}

export function runActivation(node: Node, attrs: ActivationAttrs, input: RefValue): RefValue {
  expectShape(node, input.shape);
  const output = makeValue(input.batch, node.shape);
  for (let i = 0; i < input.data.length; i++) output.data[i] = activate(attrs, input.data[i]!);
  return output;
}
