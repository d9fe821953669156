// GPU outputs against the CPU reference, as `cnnc run --check` reports them. An element passes when
//   |gpu - ref| <= ATOL * scale + RTOL * |ref|,  scale = max(1, max |ref| over the output),
// i.e. numpy.allclose with the absolute part scaled to the output's magnitude: float32 kernels
// accumulate rounding error relative to the sizes of the values they sum, and a near-zero element of
// a large-valued output cannot be expected to be relatively exact.
import type { Tensor } from "../src/tensor.js";

export const CHECK_RTOL = 1e-3;
export const CHECK_ATOL = 1e-4;

export const CHECK_TOLERANCE_TEXT = `|gpu - ref| <= ${CHECK_ATOL} * max(1, max|ref|) + ${CHECK_RTOL} * |ref| per element`;

export interface OutputComparison {
  name: string;
  maxAbsError: number;
  /** max |gpu - ref| / max(|ref|, 1e-3 * scale): relative error, floored so near-zero values do not dominate. */
  maxRelError: number;
  /** Elements outside the tolerance (NaN on either side counts unless both are NaN). */
  failures: number;
  elements: number;
  passed: boolean;
}

export function compareOutput(name: string, gpu: Tensor, reference: Tensor): OutputComparison {
  if (gpu.data.length !== reference.data.length) {
    throw new Error(`internal: output ${name} has ${gpu.data.length} values on the GPU and ${reference.data.length} in the reference`);
  }
  let largest = 0;
  for (const value of reference.data) if (!Number.isNaN(value)) largest = Math.max(largest, Math.abs(value));
  const scale = Math.max(1, largest);
  const floor = 1e-3 * scale;
  let maxAbsError = 0;
  let maxRelError = 0;
  let failures = 0;
  for (let i = 0; i < reference.data.length; i++) {
    const expected = reference.data[i]!;
    const actual = gpu.data[i]!;
    if (Number.isNaN(expected) && Number.isNaN(actual)) continue;
    const error = Math.abs(actual - expected);
    if (Number.isNaN(error)) {
      failures++;
      maxAbsError = Infinity;
      maxRelError = Infinity;
      continue;
    }
    maxAbsError = Math.max(maxAbsError, error);
    maxRelError = Math.max(maxRelError, error / Math.max(Math.abs(expected), floor));
    if (!(error <= CHECK_ATOL * scale + CHECK_RTOL * Math.abs(expected))) failures++;
  }
  return { name, maxAbsError, maxRelError, failures, elements: reference.data.length, passed: failures === 0 };
}
