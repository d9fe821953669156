// The dropout seed of each training step (the hyper buffer's other values: src/codegen/training/optimizers.ts hyperValues).

/** A 32-bit mix of the run's seed and the step (splitmix-style): each step's dropout masks differ, reproducibly. */
export function stepSeed(seed: number, step: number): number {
  let value = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(step + 1, 0x85ebca77)) >>> 0;
  value = Math.imul(value ^ (value >>> 16), 0x7feb352d) >>> 0;
  value = Math.imul(value ^ (value >>> 15), 0x846ca68b) >>> 0;
  return (value ^ (value >>> 16)) >>> 0;
}
