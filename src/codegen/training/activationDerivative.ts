// The derivative of an activation as WGSL, for backward kernels that recompute the activation's input
// (a fused batchnorm -> activation). It mirrors the activation table's `referenceDerivative`
// (src/ops/activations.ts) in float32, PyTorch's choice at kinks included (relu'(0) = 0).
import type { ActivationAttrs } from "../../ir/graph.js";
import { keepNanWgsl } from "../nanWgsl.js";
import { f32Literal } from "../wgsl.js";

/**
 * d activation / dz at `z`, whose activation is `y` (both identifiers), as a WGSL f32 expression; a NaN
 * `z` gives NaN (the comparisons alone would turn it into 0 or 1).
 */
export function activationDerivativeWgsl(attrs: ActivationAttrs, z: string, y: string): string {
  switch (attrs.op) {
    case "relu":
      return keepNanWgsl(z, `select(0.0f, 1.0f, ${z} > 0.0f)`);
    case "leaky_relu":
      return keepNanWgsl(z, `select(${f32Literal(attrs.alpha)}, 1.0f, ${z} > 0.0f)`);
    case "elu":
      return keepNanWgsl(z, `select(${f32Literal(attrs.alpha)} * exp(min(${z}, 0.0f)), 1.0f, ${z} > 0.0f)`);
    case "tanh":
      return keepNanWgsl(z, `(1.0f - ${y} * ${y})`);
    case "sigmoid":
      return keepNanWgsl(z, `(${y} * (1.0f - ${y}))`);
  }
}
