// The kernel graph: the second IR level, produced by lowering the layer graph (src/ir/graph.ts) and
// rewritten by the fusion passes. Each kernel node is one GPU program's worth of work: an anchor
// computation (a conv, a GEMM, a pool, an elementwise sum...), the source layers it implements, the
// epilogue stages applied to each output value before it is stored, how it stores (plain, pooled, or
// into a channel slice of a concat's value) and its schedule. Everything here is plain data; the layer
// graph stays what the summary, the CPU reference, diagnostics and weight names read.
import type { ActivationAttrs, Graph, Schedule, Shape } from "../ir/graph.js";
import type { KernelAnchor } from "../ops/registry.js";
import type { Workload } from "../schedule/types.js";
import type { Operand, TrainingPhase, TrainingWork } from "./trainingWork.js";

/** The `output` of a training kernel that writes no value, only buffers living across steps (a parameter's gradient, an update). */
export const NO_VALUE = -1;

/** What a kernel of anchor "training" computes and binds (see trainingWork.ts). */
export interface TrainingKernelSpec {
  work: TrainingWork;
  /** The generator's operands by binding name. */
  operands: Record<string, Operand>;
  phase: TrainingPhase;
}

/**
 * A tensor computed by one kernel (or, for a concat written in place, by several, each into its
 * channel slice) or uploaded as a graph input. `layer` is the layer-graph node whose value it is.
 */
export interface KernelValue {
  id: number;
  layer: number;
  /** Per-sample shape (the batch is implicit), the layer's. */
  shape: Shape;
}

/** A parameter tensor a kernel reads: a state_dict tensor, or one derived from them when weights are uploaded. */
export type ParamRef = { kind: "tensor"; name: string } | { kind: "derived"; name: string };

/** A tensor computed from state_dict tensors when weights are uploaded (the user's weights never change). */
export type DerivedParam = BatchnormDerivedParam | WinogradFilterParam;

/** Folded batchnorm: scale = weight / sqrt(running_var + eps), shift = bias - running_mean * scale. */
export interface BatchnormDerivedParam {
  /** `bn1:scale`: a ':' never occurs in a state_dict name cnnc makes, so names cannot collide. */
  name: string;
  transform: "batchnorm_scale" | "batchnorm_shift";
  /** The batchnorm layer (its id in the layer graph). */
  layer: number;
  /** The state_dict tensors it reads: weight, bias, running_mean, running_var of that layer. */
  from: { weight: string; bias: string; runningMean: string; runningVar: string };
  eps: number;
  /** Elements (the batchnorm's channel count). */
  elements: number;
}

/**
 * A 3x3 conv's filters transformed for Winograd (src/schedule/kinds/winogradTransforms.ts): U = G g Gᵀ
 * per filter and input channel, laid out [filters][channels per group][patch * patch].
 */
export interface WinogradFilterParam {
  /** `conv1:winograd_u`. */
  name: string;
  transform: "winograd_filter";
  variant: "f2x2_3x3";
  /** The conv layer. */
  layer: number;
  /** Its weight ([filters, channelsPerGroup, 3, 3]). */
  from: { weight: string };
  filters: number;
  channelsPerGroup: number;
  /** filters * channelsPerGroup * 16. */
  elements: number;
}

/** One stage of a kernel's epilogue, applied to each output value in order, each from a source layer. */
export type EpilogueStageSpec =
  | { kind: "bias"; layer: number; param: ParamRef }
  /** Batchnorm at inference, unfolded: reads the four state_dict tensors. */
  | { kind: "batchnorm"; layer: number; eps: number; weight: ParamRef; bias: ParamRef; runningMean: ParamRef; runningVar: ParamRef }
  /** Folded batchnorm: value * scale[channel] + shift[channel]. */
  | { kind: "scale_shift"; layer: number; scale: ParamRef; shift: ParamRef }
  | { kind: "activation"; layer: number; attrs: ActivationAttrs }
  /** value + other[index]: an `add` layer's other operand(s) (a residual), same shape as the output. */
  | { kind: "add"; layer: number; value: number }
  /**
   * value * gate[index / elementsPerGate]: a `mul` layer's second operand, one gate value per
   * `elementsPerGate` output elements (1: the same shape; a channel's elements: a per-channel gate).
   */
  | { kind: "mul"; layer: number; value: number; elementsPerGate: number };

/**
 * Where a kernel writes its output value: densely, or into channels [channelOffset, channelOffset +
 * its own channels) of a concat's value of `totalChannels` (the concat layer `concat`).
 */
export type StoreMode = { kind: "plain" } | { kind: "channel_slice"; concat: number; channelOffset: number; totalChannels: number };

export interface KernelNode {
  id: number;
  anchor: KernelAnchor;
  /** The layer whose op is the anchor (its attrs, params and input shapes drive codegen). */
  anchorLayer: number;
  /** Every source layer this kernel implements, in source order (anchor first). */
  layers: number[];
  /** Values the anchor reads, in its argument order (an elementwise anchor sums them). */
  inputs: number[];
  /** The value it writes (for a channel_slice store: the concat's value); NO_VALUE for a training kernel writing none. */
  output: number;
  epilogue: EpilogueStageSpec[];
  /**
   * A pool layer computed by this kernel from its anchor's (epilogued) output, which is then never
   * stored: the store is pooled (conv + pool fusion).
   */
  pool?: number;
  store: StoreMode;
  /**
   * Set on the kernels of an `add` of more operands than one kernel may bind: each sums some of them
   * into a partial value, and only the last kernel (without this field) counts as implementing the layer.
   */
  partialOf?: number;
  /** Set by choose-schedules on every kernel some schedule kind computes. */
  schedule?: Schedule;
  /** What the kernel computes, set by choose-schedules where it has a workload (its key keys the tuning cache). */
  workload?: Workload;
  /** Why that schedule (for `cnnc explain`). */
  scheduleReason?: string;
  /** For anchor "training": the work and its operands. */
  training?: TrainingKernelSpec;
}

/** A layer with no kernel of its own, and why: a view of another value, or a concat its producers write in place. */
export interface AbsorbedLayer {
  layer: number;
  how: "view" | "concat_in_place" | "input";
  /** The value holding the layer's value. */
  value: number;
}

/** Something a pass decided about a layer, for `cnnc explain`: why it did or did not fuse. */
export interface FusionNote {
  layer: number;
  pass: string;
  fused: boolean;
  text: string;
}

export interface KernelGraph {
  /** The layer graph this was lowered from (read-only). */
  source: Graph;
  values: KernelValue[];
  /** In execution order: every value a kernel reads is produced by an earlier kernel or is a graph input. */
  kernels: KernelNode[];
  absorbed: AbsorbedLayer[];
  /** Value ids of the graph inputs and outputs, in the layer graph's order. */
  inputs: number[];
  outputs: number[];
  derived: DerivedParam[];
  notes: FusionNote[];
}
