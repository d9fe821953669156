// The kernels of a training step that are not inference kernels: training-mode forward variants (max
// pool recording its switches, batchnorm on batch statistics, dropout), losses, backward kernels and
// optimizer updates. Each generator is a pure function of shapes and attributes returning the WGSL and
// dispatch of its kernels, with storage bindings named by operand (`dy`, `x`, `weight`, `dx`, ...); the
// training plan builder binds buffers to those names. Headers never name a layer (programs are shared).
import type { KernelStep } from "../plan.js";
import type { StorageBindingSpec } from "../wgsl.js";

/** One GPU program of the training step, before buffers are bound. */
export interface TrainingKernel {
  /** Step-name suffix, file-name safe: `conv_backward_data` (the step is `<layer>.<kernel>`). */
  kernel: string;
  /** Written with kernelSource/kernelHeader (src/codegen/wgsl.ts); entry point `main`. */
  wgsl: string;
  workgroups: [number, number, number];
  /** Binding i of group 0 is bindings[i]; `name` is the WGSL variable and the operand the caller binds. */
  bindings: readonly StorageBindingSpec[];
  /** KernelStep.loopIterations (src/codegen/loopLimit.ts loopPasses). */
  loopIterations: number;
}

/** A generator's kernels in dispatch order, and the scratch buffers (bound by name) they share. */
export interface TrainingKernels {
  kernels: TrainingKernel[];
  scratch: { name: string; bytes: number }[];
}

/**
 * The step running `kernel` as `fields.name` (its own program), each binding given the buffer
 * `bufferOf` holds for its operand name: how a plan, a test or a bench binds a training kernel.
 */
export function trainingKernelStep(kernel: TrainingKernel, fields: Pick<KernelStep, "name" | "node" | "layer" | "phase">, bufferOf: (binding: string) => number): KernelStep {
  return {
    ...fields,
    program: fields.name,
    wgsl: kernel.wgsl,
    entryPoint: "main",
    workgroups: kernel.workgroups,
    bindings: kernel.bindings.map((binding) => ({ buffer: bufferOf(binding.name), access: binding.access })),
    loopIterations: kernel.loopIterations,
  };
}

/**
 * The per-step values the trainer writes before each submission into the `hyper` buffer (bound
 * `array<f32>`, read): slot -> meaning. u32 slots are stored as their bits (WGSL `bitcast<u32>`).
 */
export const HYPER_SLOTS = {
  /** The learning rate of this step (f32). */
  learningRate: 0,
  /** Adam: 1 - beta1^t for this step's t (f32, computed in float64 on the CPU). */
  biasCorrection1: 1,
  /** Adam: 1 - beta2^t (f32). */
  biasCorrection2: 2,
  /** The dropout seed of this step (u32 bits): dropout masks are a hash of (seed, layer salt, element). */
  dropoutSeed: 3,
  /** The 0-based step index (u32 bits), recorded in METRICS_SLOTS.firstNonFiniteStep. */
  step: 4,
} as const;
export { HYPER_LENGTH, METRICS_LENGTH } from "../../kernels/trainingWork.js";

/**
 * The `metrics` buffer (array<f32>, read_write) the loss kernel accumulates into and the trainer
 * reads back every N steps (then zeroes the sums). Update kernels read the flag and skip their update
 * once it is set, so the parameters stay those that produced the first non-finite loss.
 */
export const METRICS_SLOTS = {
  /** Sum of per-sample losses since the last read. */
  lossSum: 0,
  /** Correctly classified samples (argmax == label) since the last read (cross-entropy only). */
  correct: 1,
  /** Samples counted since the last read. */
  samples: 2,
  /** 0 while every loss was finite; else (step index + 1) of the first non-finite loss (u32 bits; never reset by the trainer). */
  firstNonFiniteStep: 3,
} as const;
