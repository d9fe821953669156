// Ops that keep their input's shape: activations, softmax (over the channel/feature axis), dropout.
import type { ActivationAttrs, Shape } from "../graph.js";
import { type ShapeResult, shapeOk, shapeProblem } from "./result.js";

export function inferActivationShape(attrs: ActivationAttrs, input: Shape): ShapeResult {
  if ((attrs.op === "leaky_relu" || attrs.op === "elu") && !Number.isFinite(attrs.alpha)) {
    return shapeProblem("bad-attribute", `${attrs.op} alpha must be a finite number, got ${attrs.alpha}`);
  }
  return shapeOk(input.slice());
}

export function inferDropoutShape(p: number, input: Shape): ShapeResult {
  if (!(p >= 0 && p < 1)) {
    return shapeProblem("bad-attribute", `dropout p must be at least 0 and below 1, got ${p}`, {
      hint: "p is the probability of zeroing an activation during training, e.g. p=0.5",
    });
  }
  return shapeOk(input.slice());
}

export function inferSoftmaxShape(input: Shape): ShapeResult {
  return shapeOk(input.slice());
}
