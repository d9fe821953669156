// What a training-step kernel computes, as plain data on its kernel node (anchor "training"): the
// training-mode forward variants (batch statistics, dropout masks, max-pool switches), the loss, the
// backward kernels the `differentiate` step appends from each op's registry gradient, and the optimizer
// updates. codegen/training/emitTraining.ts turns each kind into its generator's kernels, binding the
// generator's named operands (`dy`, `x`, `weight`, `dx`, ...) to the buffers listed in `operands`.
import type { ActivationAttrs, ConvAttrs, ConvTransposeAttrs, PoolAttrs, Shape, UpsampleAttrs } from "../ir/graph.js";

/** Where a named operand of a training kernel lives. */
export type Operand =
  /** A value of the kernel graph (an activation, a gradient): memory-planned like any value. */
  | { kind: "value"; value: number }
  /** A state_dict tensor (`conv1.weight`, `bn1.running_mean`): the parameter buffers the eval plan shares. */
  | { kind: "param"; name: string }
  /**
   * A buffer that lives across steps, owned by the trainer: a parameter's gradient (`conv1.weight:grad`),
   * optimizer state (`conv1.weight:momentum_buffer`), saved statistics and switches (`bn1:saved`,
   * `pool1:switches`), the step's `:hyper`, `:metrics` and `:labels`. Zero-initialized.
   */
  | {
      kind: "state";
      name: string;
      /** Elements, or elements per sample when `perSample` (switches, saved per-sample values): times the plan's batch. */
      elements: number;
      perSample?: boolean;
      element?: "f32" | "u32";
    };

export function valueOperand(value: number): Operand {
  return { kind: "value", value };
}

/** The state_dict tensor `name` of `node` (`weight`, `running_mean`): `conv1.weight`. */
export function paramOperand(node: { name: string }, name: string): Operand {
  return { kind: "param", name: `${node.name}.${name}` };
}

/** The stage of the training step a kernel belongs to (errors and NaN diagnosis name it). */
export type TrainingPhase = "forward" | "loss" | "backward" | "update";

export type TrainingWork =
  // Forward, training mode.
  | { kind: "batchnorm_train"; channels: number; inner: number; eps: number; momentum: number; activation?: ActivationAttrs }
  | { kind: "dropout_forward"; elements: number; p: number; salt: number }
  | { kind: "maxpool_switches"; attrs: PoolAttrs; inputShape: Shape; outputShape: Shape }
  // Losses.
  | { kind: "softmax_cross_entropy"; classes: number }
  | { kind: "mean_squared_error"; elements: number }
  // Backward.
  | { kind: "conv_backward_data"; attrs: ConvAttrs; inputShape: Shape; outputShape: Shape }
  | { kind: "conv_backward_filter"; attrs: ConvAttrs; inputShape: Shape; outputShape: Shape }
  | { kind: "conv_backward_bias"; attrs: ConvAttrs; inputShape: Shape; outputShape: Shape }
  | { kind: "conv_transpose_backward_data"; attrs: ConvTransposeAttrs; inputShape: Shape; outputShape: Shape }
  | { kind: "upsample_backward"; attrs: UpsampleAttrs; inputShape: Shape; outputShape: Shape }
  | { kind: "fc_backward_data"; inFeatures: number; outFeatures: number }
  | { kind: "fc_backward_weight"; inFeatures: number; outFeatures: number }
  | { kind: "fc_backward_bias"; outFeatures: number }
  | { kind: "pool_backward"; attrs: PoolAttrs; inputShape: Shape; outputShape: Shape }
  | { kind: "global_pool_backward"; poolKind: "max" | "avg"; inputShape: Shape }
  | { kind: "activation_backward"; elements: number; attrs: ActivationAttrs; from: "input" | "output" }
  | { kind: "softmax_backward"; classes: number; inner: number }
  | { kind: "batchnorm_backward"; channels: number; inner: number; activation?: ActivationAttrs }
  | { kind: "dropout_backward"; elements: number; p: number; salt: number }
  | { kind: "concat_backward"; inner: number; channels: number; channelOffset: number; totalChannels: number }
  /** mul: dy times the other operand, `elements` per sample, one other value per `elementsPerGate`. */
  | { kind: "mul_backward_operand"; elements: number; elementsPerGate: number }
  /** mul: a per-channel gate's gradient, `gates` per sample, each the sum over `elementsPerGate` elements. */
  | { kind: "mul_backward_gate"; gates: number; elementsPerGate: number }
  | { kind: "lrn_backward"; channels: number; inner: number; size: number; alpha: number; beta: number; k: number }
  // Optimizer updates (one per trainable parameter).
  | { kind: "sgd_update"; elements: number; momentum: number; nesterov: boolean; weightDecay: number }
  | { kind: "adam_update"; elements: number; beta1: number; beta2: number; eps: number; weightDecay: number; decoupled: boolean };

export type TrainingWorkKind = TrainingWork["kind"];

/** Elements of the step's `hyper` and `metrics` buffers (their slots: src/codegen/training/trainingKernel.ts). */
export const HYPER_LENGTH = 8;
export const METRICS_LENGTH = 4;

/** The per-step buffers every training plan has, by state name. */
export const STEP_STATE = { hyper: ":hyper", metrics: ":metrics", labels: ":labels" } as const;

/** The step's hyper-parameter buffer (HYPER_SLOTS in src/codegen/training/trainingKernel.ts). */
export const HYPER_OPERAND: Operand = { kind: "state", name: STEP_STATE.hyper, elements: HYPER_LENGTH };

/** The buffer the loss kernel sums the loss and accuracy into, and the update kernels read the non-finite flag from. */
export const METRICS_OPERAND: Operand = { kind: "state", name: STEP_STATE.metrics, elements: METRICS_LENGTH };

/** The state name of what a layer's training forward saves for its backward: `bn1:saved`, `pool1:switches`. */
export function savedStateName(node: { name: string }, what: string): string {
  return `${node.name}:${what}`;
}

/** The state name of a parameter's gradient: `conv1.weight:grad`. */
export function gradientName(param: string): string {
  return `${param}:grad`;
}

/** The state name of a parameter's optimizer state `slot`: `conv1.weight:momentum_buffer`. */
export function optimizerStateName(param: string, slot: string): string {
  return `${param}:${slot}`;
}
