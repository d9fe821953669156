// What the compiler knows about one layer op, as one record: `OpDefinition`. Each op has exactly one
// definition (in the family files beside this one: spatial.ts, dense.ts, elementwise.ts, ...), and
// registry.ts collects them. Shape inference, the CPU reference, labels, in-place marking and lowering
// all dispatch through it instead of keeping their own per-op switches or lists.
//
// Adding a field for every op (the training issue's gradient is the next one) means adding it to
// `OpDefinition` below and to each family file; the type checker then names every op still missing it.
import type { ActivationAttrs, Node, OpAttrs, OpKind, Shape } from "../ir/graph.js";
import type { ShapeResult } from "../ir/shapes/result.js";
import type { RefValue } from "../reference/value.js";
import type { WeightMap } from "../tensor.js";
import type { Operand, TrainingWork } from "../kernels/trainingWork.js";

/** The attrs type of one op kind: `OpAttrsOf<"conv">` is `ConvAttrs`. */
export type OpAttrsOf<K extends OpKind> = { [A in OpAttrs as A["op"]]: A }[K];

/** The kind of kernel an op becomes when it is lowered on its own (see src/kernels/lower.ts). */
export type KernelAnchor = "conv" | "conv_transpose" | "upsample" | "fc" | "pool" | "global_pool" | "softmax" | "lrn" | "concat" | "elementwise" | "training";

/** How an op is lowered to the kernel graph. */
export type OpLowering =
  /** A graph input: a value uploaded before the run, no kernel. */
  | { kind: "input" }
  /** Its value is its single input's buffer, reinterpreted (flatten; dropout at inference): no kernel. */
  | { kind: "view" }
  /** A kernel of its own, with `anchor` as the kernel's main computation. */
  | { kind: "anchor"; anchor: KernelAnchor }
  /**
   * An elementwise stage (activation, batchnorm, add): on its own, an `elementwise` kernel applying
   * just this stage; fusion passes move the stage into the epilogue of the kernel producing its input.
   */
  | { kind: "stage" };

export interface OpTraits {
  /** Output element i depends only on input element i (of each input): the output has its inputs' shape. */
  elementwise: boolean;
  /** May overwrite its single input's buffer when nothing else reads it (PyTorch's inplace=True). */
  inPlace: boolean;
}

/**
 * How many values an op reads: `none` (a graph input), exactly `one`, or `several` (add, concat: their
 * shape functions say how many they need). inferNodeFacts and the reference check the count before
 * calling a definition, so `inferShape` and `reference` of a `one` op always get a one-element list.
 */
export type OpArity = "none" | "one" | "several";

export interface InferOptions {
  /** For `input` nodes: the declared shape (an input has no inputs to derive it from). */
  declaredShape?: Shape;
  /** Names of the input values, for messages of multi-input ops (`add`, `concat`). */
  inputNames?: string[];
}

/**
 * The shape function: the node's derived facts (shape, params, counts) from its attrs and input shapes,
 * or a problem in the user's terms. Pure; the caller attaches the source span.
 */
export type ShapeFunction<K extends OpKind> = (attrs: OpAttrsOf<K>, inputs: readonly Shape[], options: InferOptions) => ShapeResult;

/**
 * The float64 CPU reference: the node's value from its input values, by the op's textbook / PyTorch
 * definition (inference semantics). It shares no code with the GPU kernels: it is their oracle.
 */
export type ReferenceFunction<K extends OpKind> = (node: Node, attrs: OpAttrsOf<K>, inputs: readonly RefValue[], weights: WeightMap) => RefValue;

/** What a reference gradient returns: the loss's gradient w.r.t. each input value and each trainable parameter. */
export interface ReferenceGradients {
  /** One per input value, in the node's argument order, each of that input's batch and shape. */
  inputs: RefValue[];
  /** By state_dict name (`c1.weight`, `c1.bias`), in the parameter's PyTorch layout; empty for ops without parameters. */
  params: Map<string, Float64Array>;
}

/**
 * The float64 backward pass of one op, written from its definition (the same inference semantics as
 * `reference`): given the node's inputs, weights, its forward `output` and the loss's gradient w.r.t. that
 * output, the gradients w.r.t. its inputs and trainable parameters. Checked against central finite
 * differences of `reference` (test/reference/backward/).
 */
export type ReferenceGradientFunction<K extends OpKind> = (
  node: Node,
  attrs: OpAttrsOf<K>,
  inputs: readonly RefValue[],
  weights: WeightMap,
  output: RefValue,
  outputGradient: RefValue,
) => ReferenceGradients;

/**
 * An op's forward in a training step where it differs from inference: batchnorm on batch statistics,
 * dropout with a seeded mask, max pooling recording its switches. `input` and `output` are the
 * operands of its input and output values; the kernel writes `output`.
 */
export type TrainingForwardFunction<K extends OpKind> = (
  node: Node,
  attrs: OpAttrsOf<K>,
  io: { input: Operand; output: Operand; inputShape: Shape },
) => { work: TrainingWork; operands: Record<string, Operand> } | undefined;

/**
 * What the differentiate step (src/training/differentiate.ts) offers an op's gradient function while
 * it walks the kernel graph backward: the values around the op's kernel and ways to append kernels.
 */
export interface GradientContext {
  /** The gradient of the op's output value (the kernel's epilogue gradients already taken). */
  outputGradient: Operand;
  /** The op's input values and the value its kernel stored, as operands. */
  inputs: readonly Operand[];
  output: Operand;
  /**
   * An activation fused into the op's training-forward kernel (conv -> batchnorm -> relu as one
   * kernel): `outputGradient` is then the activation's output gradient.
   */
  fusedActivation?: ActivationAttrs;
  /** The per-sample shapes of the op's inputs. */
  inputShapes: readonly Shape[];
  /** Whether input `index` leads back to a trainable parameter (else its gradient is not computed). */
  needsGradient(index: number): boolean;
  /** Appends a kernel computing input `index`'s gradient into a new value, bound as `dx`. */
  inputGradient(index: number, work: TrainingWork, operands: Record<string, Operand>): void;
  /** Input `index`'s gradient is the output gradient itself (an identity, such as each operand of a sum). */
  passGradient(index: number): void;
  /** Appends a kernel that writes only parameter gradients. */
  paramGradient(work: TrainingWork, operands: Record<string, Operand>): void;
  /** The buffer holding the gradient of `node`'s parameter `name` (`weight`), written by this step's kernels. */
  gradientOf(node: Node, name: string): Operand;
  /** The buffer holding what the op's training forward saved under `what` (`saved`, `switches`). */
  saved(node: Node, what: string): Operand;
  /** The step's `hyper` buffer (learning rate, dropout seed...). */
  hyper: Operand;
}

/** The op's gradient on the GPU: appends the kernels computing its inputs' and parameters' gradients. */
export type GradientFunction<K extends OpKind> = (node: Node, attrs: OpAttrsOf<K>, context: GradientContext) => void;

export interface OpDefinition<K extends OpKind = OpKind> {
  op: K;
  arity: OpArity;
  traits: OpTraits;
  lowering: OpLowering;
  /** The op as people say it, in the summary and messages: `conv`, `conv1d`, `maxpool`, `global_avgpool`. */
  label(attrs: OpAttrsOf<K>): string;
  /** What inferNodeFacts dispatches to. */
  inferShape: ShapeFunction<K>;
  /**
   * What the reference interpreter dispatches to. Undefined only for `input`, whose value is the tensor
   * the caller gives (runReference reads it).
   */
  reference: ReferenceFunction<K> | undefined;
  /**
   * The reference's backward pass (runReferenceBackward dispatches to it). Undefined for `input`
   * (nothing to propagate into); an op added without one is reported by name by runReferenceBackward.
   */
  referenceGradient?: ReferenceGradientFunction<K>;
  /** The op's forward in a training step, where it differs from inference (see TrainingForwardFunction). */
  trainingForward?: TrainingForwardFunction<K>;
  /**
   * The op's GPU gradient (kernels appended by the differentiate step). Undefined for `input` and views
   * (flatten), and for ops lowered as epilogue stages (activations, add), whose gradients the
   * differentiate step takes stage by stage from the activation table.
   */
  gradient?: GradientFunction<K>;
  /**
   * Scalar buffers PyTorch's module keeps in its state_dict that cnnc neither reads nor computes
   * (BatchNorm's int64 `num_batches_tracked`): part of the expected state_dict (`cnnc weights`), and
   * skipped when a weights file is loaded.
   */
  counterBuffers?: readonly string[];
}

/** Every op kind to its definition; a missing or mistyped entry is a type error. */
export type OpDefinitions = { [K in OpKind]: OpDefinition<K> };

/**
 * The single element of a one-input op's list. inferNodeFacts and the reference check the count first,
 * so another count here is a bug in the caller.
 */
export function onlyInput<T>(inputs: readonly T[]): T {
  const [first] = inputs;
  if (inputs.length !== 1 || first === undefined) throw new Error(`internal: a one-input op was given ${inputs.length} inputs`);
  return first;
}

/** The label of an op whose label is its name (`relu`, `fc`, `add`). */
export function nameLabel<K extends OpKind>(op: K): () => string {
  return () => op;
}
