// Where a padded coordinate reads from, per PyTorch's padding_mode (torch.nn.functional.pad semantics,
// applied independently along each axis, so corners compose the same way PyTorch's do).
import type { PaddingMode } from "../ir/graph.js";

/**
 * The input index that padded coordinate `coord` (relative to the unpadded input, so -1 is the first
 * padded cell before it) reads, or -1 when it reads a zero (zero padding, or outside the padding).
 */
export function sourceIndex(
  coord: number,
  size: number,
  padBefore: number,
  padAfter: number,
  mode: PaddingMode,
): number {
  if (coord >= 0 && coord < size) return coord;
  if (coord < -padBefore || coord >= size + padAfter) return -1;
  switch (mode) {
    case "zeros":
      return -1;
    case "reflect": {
      // Mirror about the edge cell without repeating it: -1 -> 1, size -> size - 2 (PyTorch requires pad < size).
      const mirrored = coord < 0 ? -coord : 2 * (size - 1) - coord;
      if (mirrored < 0 || mirrored >= size) {
        throw new Error(`reference: reflect padding of ${Math.max(padBefore, padAfter)} needs an input larger than ${size}`);
      }
      return mirrored;
    }
    case "replicate":
      return coord < 0 ? 0 : size - 1;
    case "circular":
      // Wrap around (PyTorch requires pad <= size; the modulo is exact for any pad anyway).
      return ((coord % size) + size) % size;
  }
}

/** For each cell of a padded axis of `paddedSize` cells (the first `padBefore` of them padding), its source index or -1. */
export function axisSourceTable(
  paddedSize: number,
  padBefore: number,
  padAfter: number,
  size: number,
  mode: PaddingMode,
): Int32Array {
  const table = new Int32Array(paddedSize);
  for (let p = 0; p < paddedSize; p++) table[p] = sourceIndex(p - padBefore, size, padBefore, padAfter, mode);
  return table;
}
