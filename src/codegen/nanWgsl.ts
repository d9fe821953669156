// NaN in generated WGSL. PyTorch propagates NaN through every op (relu(NaN) = NaN, a max-pool window
// holding a NaN gives NaN), but WGSL lets a compiler assume floats are never NaN: its comparisons,
// min/max/clamp and float folds need not keep one. Mesa's llvmpipe, for one, gives max(NaN, 0) = 0,
// pow(NaN, b) = 0 and tanh(NaN) = -1, and folds v * 0 and v - v to 0. So the kernels test for NaN on
// the bits (exponent all ones, mantissa non-zero), which no float optimization can see through, and
// pass the NaN on explicitly wherever a comparison or a library function would lose it.

/** A WGSL bool expression: whether the f32 `value` (evaluated once) is a NaN. */
export function isNanWgsl(value: string): string {
  return `((bitcast<u32>(${value}) & 0x7fffffffu) > 0x7f800000u)`;
}

/**
 * `result`, or `value` itself when `value` is a NaN: for ops that map NaN to NaN (every activation).
 * One select per element. `value` is evaluated twice more, so pass an identifier.
 */
export function keepNanWgsl(value: string, result: string): string {
  return `select(${result}, ${value}, ${isNanWgsl(value)})`;
}

/** Module-scope `max_keeping_nan(a, b)`: max(a, b), or a NaN if either is one (torch.maximum, max-pooling). */
export const MAX_KEEPING_NAN_WGSL = `// max that keeps a NaN (WGSL's max may drop it, as PyTorch's does not).
fn max_keeping_nan(a: f32, b: f32) -> f32 {
  return select(select(max(a, b), b, ${isNanWgsl("b")}), a, ${isNanWgsl("a")});
}`;
