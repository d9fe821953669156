// What the conv benches share: whole-number options and the check of an output against cnnc's float64
// reference before any time counts.
import type { Tensor } from "../src/tensor.js";

/** float32 against float64 over a 576-term reduction of values around 1. */
export const CONV_TOLERANCE = { rtol: 1e-4, atol: 1e-4 };

/** The whole-number value of `--name` (at least 1; 0 allowed for `--warmup`), or `fallback`. */
export function wholeOption(args: readonly string[], name: string, fallback: number): number {
  const index = args.indexOf(name);
  if (index < 0) return fallback;
  const value = Number(args[index + 1]);
  if (!Number.isInteger(value) || value < (name === "--warmup" ? 0 : 1)) throw new Error(`${name} needs a positive integer, got \`${args[index + 1] ?? ""}\``);
  return value;
}

/** The largest |actual - expected|; throws when an element is out of CONV_TOLERANCE (NaN included). */
export function checkAgainstReference(what: string, actual: Tensor, expected: Tensor): number {
  if (actual.shape.join("x") !== expected.shape.join("x")) throw new Error(`${what}: output shape ${actual.shape.join("x")}, expected ${expected.shape.join("x")}`);
  let maxAbsError = 0;
  for (let i = 0; i < expected.data.length; i++) {
    const error = Math.abs(actual.data[i]! - expected.data[i]!);
    if (!(error <= CONV_TOLERANCE.atol + CONV_TOLERANCE.rtol * Math.abs(expected.data[i]!))) {
      throw new Error(`${what}: output element ${i} is ${actual.data[i]}, the float64 reference says ${expected.data[i]}`);
    }
    maxAbsError = Math.max(maxAbsError, error);
  }
  return maxAbsError;
}
