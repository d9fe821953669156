// Central finite differences of the forward reference, the oracle of the backward tests.
//
// Step and tolerance: every value is perturbed by h = 2^-20 (about 1e-6). Weights are float32 tensors, so
// the tests draw them (and the whole-network inputs) as multiples of 2^-8 in [-1, 1]: w +- h then needs
// 21 significant bits, exact in float32. The directional loss is L = sum_i g_i * y_i with random g, and
// its difference is taken output by output, sum_i g_i * (y+_i - y-_i) / 2h, so float64 rounding (about
// 1e-15 per output, over at most a few hundred outputs) contributes under 1e-8 to the quotient. The
// truncation error is h^2/6 * |f'''| (about 2e-13 * |f'''|): zero for the piecewise-linear ops (conv, fc,
// pooling, relu, add, ...) away from kinks, and small for tanh, sigmoid, elu and softmax. So
// |analytic - numeric| <= 1e-6 * (1 + |analytic|) leaves a margin of 100x over both.
import { expect } from "vitest";

export const STEP = 2 ** -20;
export const TOLERANCE = 1e-6;

/**
 * The numeric gradient of sum_i direction_i * evaluate()_i with respect to every element of `values`,
 * which `evaluate` reads (each is perturbed in place and restored).
 */
export function numericGradient(values: Float64Array | Float32Array, direction: Float64Array, evaluate: () => Float64Array): Float64Array {
  const gradient = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const original = values[i]!;
    values[i] = original + STEP;
    if (values[i] !== original + STEP) throw new Error(`finite differences: ${original} + ${STEP} is not exact in this array`);
    const plus = evaluate();
    values[i] = original - STEP;
    if (values[i] !== original - STEP) throw new Error(`finite differences: ${original} - ${STEP} is not exact in this array`);
    const minus = evaluate();
    values[i] = original;
    let difference = 0;
    for (let j = 0; j < plus.length; j++) difference += direction[j]! * (plus[j]! - minus[j]!);
    gradient[i] = difference / (2 * STEP);
  }
  return gradient;
}

/** Element by element within TOLERANCE * (1 + |analytic|), naming the first element that is not. */
export function expectGradientsClose(what: string, analytic: Float64Array, numeric: Float64Array): void {
  expect(analytic.length, `${what}: length`).toBe(numeric.length);
  for (let i = 0; i < analytic.length; i++) {
    const error = Math.abs(analytic[i]! - numeric[i]!);
    if (!(error <= TOLERANCE * (1 + Math.abs(analytic[i]!)))) {
      expect.fail(`${what}[${i}]: backward gives ${analytic[i]}, finite differences ${numeric[i]}`);
    }
  }
}

/** Uniform multiples of 2^-8 in [-1, 1]: exact in float32 after a +-STEP perturbation. */
export function quantized(random: () => number): number {
  return Math.round((random() * 2 - 1) * 256) / 256;
}
