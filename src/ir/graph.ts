// The IR: a typed graph of ops. It is the single source of truth for everything after parsing:
// shapes, parameters, MACs, activation sizes and schedules live on the nodes, and the CLI, codegen
// and runtime read them from here rather than recomputing them.
import type { SourceSpan } from "../../grammar/ast.js";

/** A per-sample shape (the batch is implicit): [C, H, W] for images, [C, L] for sequences, [F] for features. */
export type Shape = number[];

export interface Padding2d {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

export type PaddingMode = "zeros" | "reflect" | "replicate" | "circular";
export type PoolKind = "max" | "avg" | "l2";
export type Rounding = "floor" | "ceil";

/**
 * Convolution over 1 or 2 spatial dimensions. A 1-D conv (`spatialRank` 1, input [C, L]) is stored with
 * height 1: kernel [1, F], stride [1, S], padding top/bottom 0, so one code path serves both.
 */
export interface ConvAttrs {
  op: "conv";
  spatialRank: 1 | 2;
  outChannels: number;
  kernel: [number, number];
  stride: [number, number];
  dilation: [number, number];
  padding: Padding2d;
  paddingMode: PaddingMode;
  groups: number;
  bias: boolean;
  /**
   * How a fractional output size is handled; absent means exact (a fractional size is an error).
   * `floor` drops the incomplete last window, as PyTorch's Conv2d does. (`rounding=ceil` in the language
   * is turned into extra bottom/right padding during elaboration, so it never appears here.)
   */
  rounding?: Rounding;
}

export interface PoolAttrs {
  op: "pool";
  kind: PoolKind;
  spatialRank: 1 | 2;
  window: [number, number];
  stride: [number, number];
  padding: Padding2d;
  rounding: Rounding;
  /** avg pooling only: whether zero-padded cells count in the divisor (PyTorch's count_include_pad). */
  countPadding: boolean;
}

/**
 * Transposed convolution over 2 spatial dimensions, PyTorch's ConvTranspose2d: weight
 * [C_in, K/groups, kh, kw]; each axis's output is (in - 1)*S - 2P + D*(F - 1) + output_padding + 1.
 */
export interface ConvTransposeAttrs {
  op: "conv_transpose";
  outChannels: number;
  kernel: [number, number];
  stride: [number, number];
  dilation: [number, number];
  /** [pad_h, pad_w]: rows (columns) removed from both sides of the full output, as PyTorch's `padding`. */
  padding: [number, number];
  /** [h, w]: rows (columns) added at the bottom (right), each below max(stride, dilation) on its axis. */
  outputPadding: [number, number];
  groups: number;
  bias: boolean;
}

export type UpsampleMode = "nearest" | "bilinear";

/** PyTorch's nn.Upsample(scale_factor=(sh, sw), mode, align_corners) on [C, H, W], whole-number factors. */
export interface UpsampleAttrs {
  op: "upsample";
  scale: [number, number];
  mode: UpsampleMode;
  /** bilinear only: sample at the corner pixels' centers (true) or at half-pixel centers (PyTorch's default false). */
  alignCorners: boolean;
}

/** Global pooling: one value per channel. */
export interface GlobalPoolAttrs {
  op: "global_pool";
  kind: "max" | "avg";
}

/** Fully connected; flattens its input implicitly (PyTorch Linear after torch.flatten(x, 1)). */
export interface FcAttrs {
  op: "fc";
  outFeatures: number;
  bias: boolean;
}

export interface BatchNormAttrs {
  op: "batchnorm";
  eps: number;
  momentum: number;
}

/** Local response normalization across channels (AlexNet's NORM), PyTorch's LocalResponseNorm. */
export interface LrnAttrs {
  op: "lrn";
  size: number;
  alpha: number;
  beta: number;
  k: number;
}

export type ActivationAttrs =
  | { op: "relu" }
  | { op: "leaky_relu"; alpha: number }
  | { op: "elu"; alpha: number }
  | { op: "tanh" }
  | { op: "sigmoid" }
  | { op: "relu6" }
  | { op: "hardsigmoid" }
  | { op: "hardswish" }
  | { op: "silu" };

export type OpAttrs =
  | { op: "input" }
  | ConvAttrs
  | ConvTransposeAttrs
  | UpsampleAttrs
  | PoolAttrs
  | GlobalPoolAttrs
  | FcAttrs
  | { op: "flatten" }
  | ActivationAttrs
  | { op: "softmax" }
  | BatchNormAttrs
  | { op: "dropout"; p: number }
  | LrnAttrs
  | { op: "add" }
  | { op: "mul" }
  | { op: "concat" };

export type OpKind = OpAttrs["op"];

export type ParamInit = "kaiming" | "uniform_fan_in" | "zeros" | "ones";

/** A tensor a node owns. Its full name is `${node.name}.${name}` (PyTorch's state_dict key). */
export interface ParamSpec {
  name: "weight" | "bias" | "running_mean" | "running_var";
  shape: number[];
  /** false for batchnorm running statistics (PyTorch buffers: saved, but not counted as parameters). */
  trainable: boolean;
  init: ParamInit;
}

/**
 * How a node is computed (TVM's schedule): data attached by the scheduling pass, read by codegen.
 * The kinds are defined in src/schedule/kinds/; the IR only carries them.
 */
export interface Schedule {
  kind: string;
  [knob: string]: number | string | boolean;
}

export interface Node {
  /** Index in `Graph.nodes`; nodes are stored in topological order. */
  id: number;
  /** Unique, PyTorch-style dotted name (`layer1.0.conv1`); weight names derive from it. */
  name: string;
  attrs: OpAttrs;
  /** Ids of the nodes this one reads, in argument order. */
  inputs: number[];
  /** Output shape per sample. */
  shape: Shape;
  params: ParamSpec[];
  /** Trainable parameter count (weights + biases; batchnorm running stats excluded). */
  paramCount: number;
  /** Multiply-accumulates per sample (conv and fc; 0 for ops without a dot product). */
  macs: number;
  /** Output elements per sample. */
  activations: number;
  /** The source of the layer, for diagnostics. */
  span: SourceSpan;
  schedule?: Schedule;
  /** A schedule kind forced on this layer in the `.cnn` file (choose-schedules applies it, or says why it cannot). */
  scheduleAnnotation?: { kind: string; span: SourceSpan };
  /**
   * Set by the mark-in-place pass: this elementwise node may write its output over its single input's
   * buffer (no other node reads that input and it is neither a graph input nor output), as PyTorch's
   * `inplace=True`. The summary counts such outputs as no new activation memory.
   */
  inPlace?: boolean;
}

export type LossKind = "cross_entropy" | "mse";

export interface OptimizerConfig {
  /** PyTorch's SGD, Adam and AdamW (decoupled weight decay). */
  kind: "sgd" | "adam" | "adamw";
  momentum?: number;
  /** SGD only: Nesterov momentum (needs momentum > 0). */
  nesterov?: boolean;
  weightDecay?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
}

/**
 * How the learning rate moves over training (the base rate is TrainConfig.learningRate), as PyTorch's
 * schedulers define them, stepped per optimizer step. Lengths in epochs are converted to steps by the
 * trainer.
 */
export type LrScheduleConfig =
  | { kind: "constant" }
  /** StepLR: multiply by `gamma` every `everyEpochs` epochs. */
  | { kind: "step"; everyEpochs: number; gamma: number }
  /** CosineAnnealingLR over the whole run, down to `minLr`. */
  | { kind: "cosine"; minLr: number }
  /** OneCycleLR (cosine annealing), peaking at the base rate after `pctStart` of the run. */
  | { kind: "one_cycle"; pctStart: number; divFactor: number; finalDivFactor: number };

/** The optional `train { ... }` section, checked and typed, for the GPU trainer (`cnnc train`). */
export interface TrainConfig {
  loss: LossKind;
  optimizer: OptimizerConfig;
  learningRate: number;
  schedule: LrScheduleConfig;
  /** Linear warmup from 0 over this many epochs (fractional allowed), before the schedule; 0 for none. */
  warmupEpochs: number;
  batch: number;
  epochs: number;
  /** Dataset descriptor, e.g. { kind: "fashion_mnist", path: "/usr/share/datasets/fashion-mnist" }. */
  data?: { kind: string; path?: string };
  /** Node id of the network output the loss reads (`output = NAME`, for `outputs a, b`); absent: the only output. */
  lossOutput?: number;
  span: SourceSpan;
}

export interface Graph {
  name: string;
  nodes: Node[];
  /** Ids of the `input` nodes, in declaration order. */
  inputs: number[];
  /** Ids of the output nodes: the network's last statement, or the values `outputs a, b` names, in order. */
  outputs: number[];
  train?: TrainConfig;
}

export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((product, size) => product * size, 1);
}

/** The node with the most values per sample (the first of equals): what decides the largest batch that fits a limit. */
export function largestValueNode(graph: Graph): Node | undefined {
  let largest: Node | undefined;
  for (const node of graph.nodes) {
    if (largest === undefined || shapeSize(node.shape) > shapeSize(largest.shape)) largest = node;
  }
  return largest;
}

export function paramFullName(node: Node, param: ParamSpec): string {
  return `${node.name}.${param.name}`;
}
