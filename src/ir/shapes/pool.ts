// Pooling: windows over each channel independently, no parameters. Rounding follows PyTorch: floor by
// default; ceil_mode keeps a last partial window only if it starts inside the input or its left padding.
import type { GlobalPoolAttrs, PoolAttrs, Shape } from "../graph.js";
import { globalPoolLabel, poolLabel } from "../../ops/labels.js";
import { checkPositive, describeInput } from "./checks.js";
import { type ShapeResult, shapeOk, shapeProblem } from "./result.js";
import { inferWindowedSizes, spatialAxes } from "./spatial.js";

export function inferPoolShape(attrs: PoolAttrs, input: Shape): ShapeResult {
  const label = poolLabel(attrs);
  if (input.length !== attrs.spatialRank + 1) {
    return shapeProblem("wrong-rank", `${label} needs ${attrs.spatialRank === 2 ? "a CxHxW input (or CxL for 1-D pooling)" : "a CxL input"}, but its input is ${describeInput(input)}`, {
      hint: input.length === 1 ? "pooling must come before fc/flatten; a flat vector has no spatial layout left" : "give the input as CxHxW (image) or CxL (sequence)",
    });
  }
  const bad = checkPositive(label, [
    ["window", ...attrs.window],
    ["stride", ...attrs.stride],
  ]);
  if (bad !== undefined) return bad;
  const { top, bottom, left, right } = attrs.padding;
  if (Math.min(top, bottom, left, right) < 0 || ![top, bottom, left, right].every(Number.isInteger)) {
    return shapeProblem("bad-attribute", `${label} padding must be whole numbers >= 0, got [${top}, ${bottom}, ${left}, ${right}]`);
  }
  // PyTorch rejects pads over half the window: such a window could see only padding.
  const halfHeight = Math.floor(attrs.window[0] / 2);
  const halfWidth = Math.floor(attrs.window[1] / 2);
  if (Math.max(top, bottom) > halfHeight || Math.max(left, right) > halfWidth) {
    const tooTall = Math.max(top, bottom) > halfHeight;
    const pad = tooTall ? Math.max(top, bottom) : Math.max(left, right);
    const half = tooTall ? halfHeight : halfWidth;
    return shapeProblem("padding-too-large", `${label} padding ${pad} is more than half its window`, {
      notes: [`a ${tooTall ? attrs.window[0] : attrs.window[1]}-wide window allows a padding of at most ${half} per side`],
      hint: `use pad <= ${half} or a larger window`,
    });
  }
  const geometry = { kernel: attrs.window, stride: attrs.stride, dilation: [1, 1] as [number, number], padding: attrs.padding };
  const sizes = inferWindowedSizes(label, "window", input, spatialAxes(input, attrs.spatialRank, geometry), attrs.rounding);
  if (!sizes.ok) return { ok: false, problem: sizes.problem };
  return shapeOk([input[0]!, ...sizes.sizes]);
}

/** Global pooling keeps the spatial rank, like PyTorch's AdaptiveAvgPool2d(1): [C, 1, 1] or [C, 1]. */
export function inferGlobalPoolShape(attrs: GlobalPoolAttrs, input: Shape): ShapeResult {
  if (input.length < 2) {
    return shapeProblem("wrong-rank", `${globalPoolLabel(attrs)} needs a CxHxW or CxL input, but its input is ${describeInput(input)}`, {
      hint: "global pooling must come before fc/flatten",
    });
  }
  return shapeOk([input[0]!, ...input.slice(1).map(() => 1)]);
}
