// Batch normalization (per channel of a volume or sequence, per feature of a vector) and LRN.
import type { BatchNormAttrs, LrnAttrs, Shape } from "../graph.js";
import { checkPositive, describeInput } from "./checks.js";
import { type ShapeResult, shapeOk, shapeProblem } from "./result.js";

export function inferBatchNormShape(attrs: BatchNormAttrs, input: Shape): ShapeResult {
  if (!(attrs.eps > 0)) return shapeProblem("bad-attribute", `batchnorm eps must be > 0, got ${attrs.eps}`);
  if (!(attrs.momentum >= 0 && attrs.momentum <= 1)) {
    return shapeProblem("bad-attribute", `batchnorm momentum must be between 0 and 1, got ${attrs.momentum}`);
  }
  const features = input[0]!;
  return shapeOk(input.slice(), [
    { name: "weight", shape: [features], trainable: true, init: "ones" },
    { name: "bias", shape: [features], trainable: true, init: "zeros" },
    { name: "running_mean", shape: [features], trainable: false, init: "zeros" },
    { name: "running_var", shape: [features], trainable: false, init: "ones" },
  ]);
}

/** PyTorch's LocalResponseNorm needs a channel axis plus at least one more. */
export function inferLrnShape(attrs: LrnAttrs, input: Shape): ShapeResult {
  if (input.length < 2) {
    return shapeProblem("wrong-rank", `lrn needs a CxHxW or CxL input, but its input is ${describeInput(input)}`, {
      hint: "lrn normalizes across neighbouring channels of a volume; put it before fc/flatten",
    });
  }
  const bad = checkPositive("lrn", [["size", attrs.size]]);
  if (bad !== undefined) return bad;
  if (!(attrs.k > 0)) return shapeProblem("bad-attribute", `lrn k must be > 0, got ${attrs.k}`);
  return shapeOk(input.slice());
}
