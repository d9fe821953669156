// GPU outputs against the CPU reference, as `cnnc run --check` reports them. An element passes when
//   |gpu - ref| <= ATOL * scale + RTOL * |ref|,  scale = max(1, max |ref| over the output's finite values),
// i.e. numpy.allclose with the absolute part scaled to the output's magnitude: float32 kernels
// accumulate rounding error relative to the sizes of the values they sum, and a near-zero element of
// a large-valued output cannot be expected to be relatively exact. NaN and Inf are never hidden: an
// element agrees only with the same kind of non-finite value (NaN with NaN, +Inf with +Inf), and an
// output holding any never passes, even where the reference holds the same.
import type { Tensor } from "../src/tensor.js";
import { nonFiniteCount, scanNonFinite, type NonFiniteScan } from "./nonFinite.js";

export const CHECK_RTOL = 1e-3;
export const CHECK_ATOL = 1e-4;

export const CHECK_TOLERANCE_TEXT = `|gpu - ref| <= ${CHECK_ATOL} * max(1, max|ref|) + ${CHECK_RTOL} * |ref| per element`;

export interface OutputComparison {
  name: string;
  /** max |gpu - ref| over the elements finite on both sides. */
  maxAbsError: number;
  /** max |gpu - ref| / max(|ref|, 1e-3 * scale) over the same elements: floored so near-zero values do not dominate. */
  maxRelError: number;
  /**
   * Elements that disagree: out of tolerance, finite on one side only, or non-finite on both but not
   * alike (NaN against Inf, +Inf against -Inf).
   */
  failures: number;
  elements: number;
  /** Elements finite on both sides: those the errors are taken over. */
  finiteElements: number;
  /** NaN / Inf in the GPU's output. */
  gpu: NonFiniteScan;
  /** NaN / Inf in the reference's output (float64 results rounded to float32, so overflow shows as Inf). */
  reference: NonFiniteScan;
  /** No failures and no NaN or Inf on either side. */
  passed: boolean;
}

/** `gpuScan`: the GPU output's scanNonFinite, when the caller already has it (so it is scanned once). */
export function compareOutput(name: string, gpu: Tensor, reference: Tensor, gpuScan: NonFiniteScan = scanNonFinite(gpu.data)): OutputComparison {
  if (gpu.data.length !== reference.data.length) {
    throw new Error(`internal: output ${name} has ${gpu.data.length} values on the GPU and ${reference.data.length} in the reference`);
  }
  const referenceScan = scanNonFinite(reference.data);
  const scale = Math.max(1, referenceScan.largestFinite);
  const floor = 1e-3 * scale;
  let maxAbsError = 0;
  let maxRelError = 0;
  let failures = 0;
  let finiteElements = 0;
  for (let i = 0; i < reference.data.length; i++) {
    const expected = reference.data[i]!;
    const actual = gpu.data[i]!;
    if (!Number.isFinite(expected) || !Number.isFinite(actual)) {
      // Object.is: NaN is NaN, and +-Inf only itself.
      if (!Object.is(expected, actual)) failures++;
      continue;
    }
    finiteElements++;
    const error = Math.abs(actual - expected);
    maxAbsError = Math.max(maxAbsError, error);
    maxRelError = Math.max(maxRelError, error / Math.max(Math.abs(expected), floor));
    if (!(error <= CHECK_ATOL * scale + CHECK_RTOL * Math.abs(expected))) failures++;
  }
  const passed = failures === 0 && nonFiniteCount(gpuScan) === 0 && nonFiniteCount(referenceScan) === 0;
  return {
    name,
    maxAbsError,
    maxRelError,
    failures,
    elements: reference.data.length,
    finiteElements,
    gpu: gpuScan,
    reference: referenceScan,
    passed,
  };
}
