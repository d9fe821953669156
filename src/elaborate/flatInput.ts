// `input image: 32x32` with the channel forgotten reads as 32 channels of 32 positions, so every conv
// and pool on it silently runs 1-D. A network that means 1-D says so: it writes `conv1d` (as
// examples/textcnn.cnn does), or its input is not image-like (a short sentence, 5x7; an embedding much
// wider than it is long). Warned at the input, once, when a `conv` or pool reads it directly.
import type { CallStep } from "../../grammar/ast.js";
import type { Node } from "../ir/graph.js";
import type { LayerSpec } from "./layers.js";
import { formatLocation } from "./reporter.js";
import type { Elaboration } from "./state.js";

/** Layers that run 1-D on a CxL input without saying so (`conv1d` says so). */
const SPATIAL_LAYERS: readonly string[] = ["conv", "maxpool", "avgpool", "l2pool"];

/** Both sizes of an image side, and no more than 4:1 (as the channels-last check reads a height and width). */
function looksLikeImage(first: number, second: number): boolean {
  return first >= 8 && second >= 8 && Math.max(first, second) <= 4 * Math.min(first, second);
}

export function warnIfFlatImage(state: Elaboration, spec: LayerSpec, step: CallStep, input: Node): void {
  if (input.attrs.op !== "input" || input.shape.length !== 2 || !SPATIAL_LAYERS.includes(spec.name)) return;
  const [height, width] = input.shape as [number, number];
  if (!looksLikeImage(height, width)) return;
  state.reporter.warning("flat-image-input", `input \`${input.name}\` is ${height}x${width}: 1-D, ${height} channels of ${width} positions, so convs and pools on it run 1-D`, input.span, {
    notes: [`\`${spec.name}\` at ${formatLocation(step.span)} reads it`],
    hint: `write \`input ${input.name}: 1x${height}x${width}\` for a one-channel image; if it is a sequence, write \`conv1d\``,
  });
}
