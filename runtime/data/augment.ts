// Seeded data augmentation on one C×H×W image: a random horizontal flip and a random crop of the
// image padded with zeros (the usual CIFAR recipe: pad 4, crop back to H×W). Shapes are preserved.
import type { SeededRandom } from "../init.js";

export interface Augmentation {
  /** Mirror each image left-right with probability 1/2. */
  flip?: boolean;
  /** Pad each side with this many zero pixels and crop a random H×W window (0: no crop). */
  cropPadding?: number;
}

/** A uniform integer in [0, count). */
function randomBelow(random: SeededRandom, count: number): number {
  return Math.floor(random.uniform() * count);
}

/**
 * Writes the augmented `source` image (C×H×W at `sourceOffset`) to `target` at `targetOffset`,
 * drawing the crop offsets and the flip from `random` in that order.
 */
export function augmentImage(
  source: Float32Array,
  sourceOffset: number,
  target: Float32Array,
  targetOffset: number,
  [C, H, W]: readonly [number, number, number],
  augmentation: Augmentation,
  random: SeededRandom,
): void {
  const padding = augmentation.cropPadding ?? 0;
  const shiftY = padding > 0 ? randomBelow(random, 2 * padding + 1) - padding : 0;
  const shiftX = padding > 0 ? randomBelow(random, 2 * padding + 1) - padding : 0;
  const flip = augmentation.flip === true && random.uniform() < 0.5;
  for (let c = 0; c < C; c++) {
    for (let y = 0; y < H; y++) {
      const sourceY = y + shiftY;
      const rowInside = sourceY >= 0 && sourceY < H;
      const targetRow = targetOffset + (c * H + y) * W;
      const sourceRow = sourceOffset + (c * H + sourceY) * W;
      for (let x = 0; x < W; x++) {
        const sourceX = (flip ? W - 1 - x : x) + shiftX;
        const inside = rowInside && sourceX >= 0 && sourceX < W;
        target[targetRow + x] = inside ? (source[sourceRow + sourceX] ?? 0) : 0;
      }
    }
  }
}
