// The per-step values the training kernels read from the `hyper` buffer (HYPER_SLOTS): the learning
// rate, Adam's bias corrections for this step (float64 on the CPU, rounded once) and the seeds.
import { HYPER_LENGTH, HYPER_SLOTS } from "../../src/codegen/training/trainingKernel.js";
import type { OptimizerConfig } from "../../src/ir/graph.js";

/** A 32-bit mix of the run's seed and the step (splitmix-style): each step's dropout masks differ, reproducibly. */
export function stepSeed(seed: number, step: number): number {
  let value = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(step + 1, 0x85ebca77)) >>> 0;
  value = Math.imul(value ^ (value >>> 16), 0x7feb352d) >>> 0;
  value = Math.imul(value ^ (value >>> 15), 0x846ca68b) >>> 0;
  return (value ^ (value >>> 16)) >>> 0;
}

/** The hyper buffer of 0-based step `step` at learning rate `learningRate`. */
export function hyperValues(optimizer: OptimizerConfig, learningRate: number, step: number, dropoutSeed: number): Float32Array {
  const values = new Float32Array(HYPER_LENGTH);
  const bits = new Uint32Array(values.buffer);
  values[HYPER_SLOTS.learningRate] = learningRate;
  const t = step + 1;
  values[HYPER_SLOTS.biasCorrection1] = optimizer.kind === "sgd" ? 1 : 1 - (optimizer.beta1 ?? 0.9) ** t;
  values[HYPER_SLOTS.biasCorrection2] = optimizer.kind === "sgd" ? 1 : 1 - (optimizer.beta2 ?? 0.999) ** t;
  bits[HYPER_SLOTS.dropoutSeed] = dropoutSeed >>> 0;
  bits[HYPER_SLOTS.step] = step >>> 0;
  return values;
}
