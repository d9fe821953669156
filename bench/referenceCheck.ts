// The benches' check of a GPU output against cnnc's float64 reference before any time is written.
import type { Tensor } from "../src/tensor.js";

/** The largest |actual - expected|; throws when an element is out of `tolerance` (NaN included). */
export function checkAgainstReference(what: string, actual: Tensor, expected: Tensor, tolerance: { atol: number; rtol: number }): number {
  if (actual.shape.join("x") !== expected.shape.join("x")) throw new Error(`${what}: output shape ${actual.shape.join("x")}, expected ${expected.shape.join("x")}`);
  let maxAbsError = 0;
  for (let i = 0; i < expected.data.length; i++) {
    const error = Math.abs(actual.data[i]! - expected.data[i]!);
    if (!(error <= tolerance.atol + tolerance.rtol * Math.abs(expected.data[i]!))) {
      throw new Error(`${what}: output element ${i} is ${actual.data[i]}, the float64 reference says ${expected.data[i]}`);
    }
    maxAbsError = Math.max(maxAbsError, error);
  }
  return maxAbsError;
}
