// Small checks shared by the shape functions.
import type { Shape } from "../graph.js";
import { formatDims } from "../format.js";
import { type ShapeResult, shapeProblem } from "./result.js";

/** `3x32x32 (CxHxW)`, `5x7 (CxL)`, `a vector of 120 features`. */
export function describeInput(shape: Shape): string {
  if (shape.length === 1) return `a vector of ${shape[0]} features`;
  if (shape.length === 2) return `${formatDims(shape)} (CxL)`;
  if (shape.length === 3) return `${formatDims(shape)} (CxHxW)`;
  return formatDims(shape);
}

/** Attributes that must be whole numbers >= 1; the first bad one becomes the problem. */
export function checkPositive(label: string, entries: [string, ...number[]][]): ShapeResult | undefined {
  for (const [name, ...values] of entries) {
    for (const value of values) {
      if (!Number.isInteger(value) || value < 1) {
        return shapeProblem("bad-attribute", `${label} ${name} must be a whole number >= 1, got ${value}`);
      }
    }
  }
  return undefined;
}
