// Upsampling (PyTorch's nn.Upsample with a scale_factor): [C, H, W] -> [C, H*sh, W*sw], no parameters.
// Whole-number factors only, so every output size is exact (PyTorch floors H * s for fractional s).
import type { Shape, UpsampleAttrs } from "../graph.js";
import { checkPositive, describeInput } from "./checks.js";
import { type ShapeResult, shapeOk, shapeProblem } from "./result.js";

export function inferUpsampleShape(attrs: UpsampleAttrs, input: Shape): ShapeResult {
  if (input.length !== 3) {
    return shapeProblem("wrong-rank", `upsample needs a CxHxW input, but its input is ${describeInput(input)}`, {
      hint: input.length === 1 ? "upsample must come before fc/flatten; a flat vector has no spatial layout left" : "give the input as CxHxW (upsample is 2-D only)",
    });
  }
  const bad = checkPositive("upsample", [["scale", ...attrs.scale]]);
  if (bad !== undefined) return bad;
  if (attrs.alignCorners && attrs.mode !== "bilinear") {
    return shapeProblem("bad-attribute", `upsample align_corners=true applies to mode=bilinear only, not mode=${attrs.mode}`, {
      notes: ["nearest copies each input pixel into a scale x scale block: it has no corners to align (PyTorch refuses it too)"],
      hint: "remove align_corners, or use mode=bilinear",
    });
  }
  return shapeOk([input[0]!, input[1]! * attrs.scale[0], input[2]! * attrs.scale[1]]);
}
