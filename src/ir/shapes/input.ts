// A network input: CxHxW (image), CxL (sequence) or F (features); every size a whole number >= 1.
import type { Shape } from "../graph.js";
import { formatDims } from "../format.js";
import { type ShapeResult, shapeOk, shapeProblem } from "./result.js";

export function inferInputShape(declared: Shape): ShapeResult {
  if (declared.length < 1 || declared.length > 3) {
    return shapeProblem("bad-input-shape", `an input must have 1 to 3 sizes, got ${declared.length} (${formatDims(declared)})`, {
      hint: "write CxHxW for images (3x224x224), CxL for sequences (5x7) or F for feature vectors",
    });
  }
  const bad = declared.find((size) => !Number.isInteger(size) || size < 1);
  if (bad !== undefined) {
    return shapeProblem("bad-input-shape", `input sizes must be whole numbers >= 1, got ${formatDims(declared)}`, {
      hint: "every size (channels, height, width, length) must be at least 1",
    });
  }
  return shapeOk(declared.slice());
}
