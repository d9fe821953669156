// Whether an activation's derivative can be computed from its output alone, which decides whether it
// may be fused into the epilogue of the kernel before it in a training step: a fused activation's
// input is never stored, so its backward sees only the output y.
//   relu: y > 0; leaky_relu (alpha > 0): y > 0 ? 1 : alpha; elu (alpha > 0): y > 0 ? 1 : y + alpha;
//   tanh: 1 - y^2; sigmoid: y (1 - y). A non-positive alpha makes the output ambiguous about the input's sign.
import type { ActivationAttrs } from "../ir/graph.js";

export function derivativeFromOutput(attrs: ActivationAttrs): boolean {
  switch (attrs.op) {
    case "relu":
    case "tanh":
    case "sigmoid":
      return true;
    case "leaky_relu":
    case "elu":
      return attrs.alpha > 0;
  }
}
