// Winograd's minimal filtering F(2x2, 3x3) (Lavin & Gray 2016): a 2x2 output tile of a 3x3 stride-1
// correlation from a 4x4 input patch d with 16 multiplies instead of 36,
//   Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A,
// where g is the 3x3 filter. U = G g Gᵀ (the filter transform) is computed once when the weights are
// uploaded (runtime/derivedParams.ts), V = Bᵀ d B in the kernel's input loads and Aᵀ M A in its store.
// The matrices are the one source of truth of the generated WGSL, the upload transform and the tolerance.

export interface WinogradTransform {
  /** Output tile side (m of F(m x m, r x r)). */
  tile: number;
  /** Filter side r. */
  filter: number;
  /** Input patch side m + r - 1. */
  patch: number;
  /** Bᵀ: patch x patch. */
  BT: readonly (readonly number[])[];
  /** G: patch x filter. */
  G: readonly (readonly number[])[];
  /** Aᵀ: tile x patch. */
  AT: readonly (readonly number[])[];
}

export const F2X2_3X3: WinogradTransform = {
  tile: 2,
  filter: 3,
  patch: 4,
  BT: [
    [1, 0, -1, 0],
    [0, 1, 1, 0],
    [0, -1, 1, 0],
    [0, 1, 0, -1],
  ],
  G: [
    [1, 0, 0],
    [0.5, 0.5, 0.5],
    [0.5, -0.5, 0.5],
    [0, 0, 1],
  ],
  AT: [
    [1, 1, 1, 0],
    [0, 1, -1, -1],
  ],
};

/** U = G g Gᵀ in float64 for one r x r filter `g` (row-major), as patch x patch values row-major. */
export function transformFilter(transform: WinogradTransform, g: ArrayLike<number>, offset = 0): Float64Array {
  const { G, patch, filter } = transform;
  const gGT = new Float64Array(filter * patch); // g Gᵀ: filter x patch
  for (let row = 0; row < filter; row++) {
    for (let col = 0; col < patch; col++) {
      let sum = 0;
      for (let k = 0; k < filter; k++) sum += g[offset + row * filter + k]! * G[col]![k]!;
      gGT[row * patch + col] = sum;
    }
  }
  const U = new Float64Array(patch * patch);
  for (let row = 0; row < patch; row++) {
    for (let col = 0; col < patch; col++) {
      let sum = 0;
      for (let k = 0; k < filter; k++) sum += G[row]![k]! * gGT[k * patch + col]!;
      U[row * patch + col] = sum;
    }
  }
  return U;
}

function absRowSums(matrix: readonly (readonly number[])[]): number[] {
  return matrix.map((row) => row.reduce((total, value) => total + Math.abs(value), 0));
}

/**
 * How much larger than the direct conv's the magnitudes summed by Winograd can be, for filters and
 * inputs bounded by 1: an output sums, over the patch x patch planes, |Aᵀ ⊗ Aᵀ| times |U| <= (max
 * row sum of |G|)^2 times |V| <= (max row sum of |Bᵀ|)^2 (per input channel), against r * r terms of
 * magnitude 1 for the direct conv. F(2x2, 3x3): 9 * 2.25 * 4 / 9 = 9.
 */
export function winogradMagnitudeGrowth(transform: WinogradTransform): number {
  const outputWeight = Math.max(...absRowSums(transform.AT)) ** 2;
  const filterBound = Math.max(...absRowSums(transform.G)) ** 2;
  const inputBound = Math.max(...absRowSums(transform.BT)) ** 2;
  return (outputWeight * filterBound * inputBound) / (transform.filter * transform.filter);
}
