// Hand-built IR graphs for tests: one op (or a short chain) with its shape computed here, so that the
// reference and the kernels can be tested without the real front end and shape inference. Also
// deterministic random tensors and weights. Shared by the reference tests and the GPU-vs-reference tests.
import type { SourceSpan } from "../../grammar/ast.js";
import type {
  ConvAttrs,
  Graph,
  Node,
  OpAttrs,
  Padding2d,
  PaddingMode,
  ParamSpec,
  PoolAttrs,
  PoolKind,
  Rounding,
  Shape,
} from "../../src/ir/graph.js";
import { makeTensor, type Tensor, type WeightMap } from "../../src/tensor.js";
export { seededRandom } from "../support/seededRandom.js";

const testSpan: SourceSpan = {
  file: "test.cnn",
  startOffset: 0,
  endOffset: 0,
  startLine: 1,
  startColumn: 1,
  endLine: 1,
  endColumn: 1,
};

/** [top, bottom, left, right], or one number for all four sides. */
export type PaddingSpec = number | [number, number, number, number];

export function padding(spec: PaddingSpec = 0): Padding2d {
  const [top, bottom, left, right] = typeof spec === "number" ? [spec, spec, spec, spec] : spec;
  return { top, bottom, left, right };
}

export interface Conv2dOptions {
  out: number;
  kernel: number | [number, number];
  stride?: number | [number, number];
  dilation?: number | [number, number];
  padding?: PaddingSpec;
  mode?: PaddingMode;
  groups?: number;
  bias?: boolean;
}

const pair = (value: number | [number, number]): [number, number] =>
  typeof value === "number" ? [value, value] : value;

export function conv2d(options: Conv2dOptions): ConvAttrs {
  return {
    op: "conv",
    spatialRank: 2,
    outChannels: options.out,
    kernel: pair(options.kernel),
    stride: pair(options.stride ?? 1),
    dilation: pair(options.dilation ?? 1),
    padding: padding(options.padding),
    paddingMode: options.mode ?? "zeros",
    groups: options.groups ?? 1,
    bias: options.bias ?? true,
  };
}

export interface Conv1dOptions {
  out: number;
  kernel: number;
  stride?: number;
  dilation?: number;
  /** [left, right] or one number for both. */
  padding?: number | [number, number];
  mode?: PaddingMode;
  groups?: number;
  bias?: boolean;
}

/** A 1-D conv stored as the IR stores it: height 1 everywhere. */
export function conv1d(options: Conv1dOptions): ConvAttrs {
  const [left, right] = pair(options.padding ?? 0);
  return {
    op: "conv",
    spatialRank: 1,
    outChannels: options.out,
    kernel: [1, options.kernel],
    stride: [1, options.stride ?? 1],
    dilation: [1, options.dilation ?? 1],
    padding: { top: 0, bottom: 0, left, right },
    paddingMode: options.mode ?? "zeros",
    groups: options.groups ?? 1,
    bias: options.bias ?? true,
  };
}

export interface PoolOptions {
  kind: PoolKind;
  window: number | [number, number];
  stride?: number | [number, number];
  padding?: PaddingSpec;
  rounding?: Rounding;
  countPadding?: boolean;
}

export function pool2d(options: PoolOptions): PoolAttrs {
  const window = pair(options.window);
  return {
    op: "pool",
    kind: options.kind,
    spatialRank: 2,
    window,
    stride: pair(options.stride ?? window),
    padding: padding(options.padding),
    rounding: options.rounding ?? "floor",
    countPadding: options.countPadding ?? true,
  };
}

/** 1-D pooling on [C, L]; padding is [left, right]. */
export function pool1d(options: Omit<PoolOptions, "window" | "stride" | "padding"> & {
  window: number;
  stride?: number;
  padding?: number | [number, number];
}): PoolAttrs {
  const [left, right] = pair(options.padding ?? 0);
  return {
    op: "pool",
    kind: options.kind,
    spatialRank: 1,
    window: [1, options.window],
    stride: [1, options.stride ?? options.window],
    padding: { top: 0, bottom: 0, left, right },
    rounding: options.rounding ?? "floor",
    countPadding: options.countPadding ?? true,
  };
}

function slidingSize(size: number, window: number, stride: number, dilation: number, before: number, after: number, rounding: Rounding): number {
  const reach = size + before + after - dilation * (window - 1) - 1;
  let count = (rounding === "ceil" ? Math.ceil(reach / stride) : Math.floor(reach / stride)) + 1;
  // PyTorch: with ceil, the last window must start inside the input or its left padding.
  if (rounding === "ceil" && (count - 1) * stride >= size + before) count -= 1;
  return count;
}

/** The per-sample output shape of `attrs` applied to `inputs` (the builder's own shape rules). */
export function outputShape(attrs: OpAttrs, inputs: Shape[]): Shape {
  const x = inputs[0]!;
  switch (attrs.op) {
    case "input":
      return x;
    case "conv":
    case "pool": {
      const dilation = attrs.op === "conv" ? attrs.dilation : [1, 1];
      const window = attrs.op === "conv" ? attrs.kernel : attrs.window;
      const rounding = attrs.op === "conv" ? "floor" : attrs.rounding;
      const channels = attrs.op === "conv" ? attrs.outChannels : x[0]!;
      const { top, bottom, left, right } = attrs.padding;
      const width = slidingSize(x[x.length - 1]!, window[1], attrs.stride[1], dilation[1]!, left, right, rounding);
      if (attrs.spatialRank === 1) return [channels, width];
      return [channels, slidingSize(x[1]!, window[0], attrs.stride[0], dilation[0]!, top, bottom, rounding), width];
    }
    case "conv_transpose": {
      // PyTorch's ConvTranspose2d: (in - 1)*S - 2P + D*(F - 1) + output_padding + 1 per axis.
      const size = (axis: 0 | 1): number =>
        (x[axis + 1]! - 1) * attrs.stride[axis] - 2 * attrs.padding[axis] + attrs.dilation[axis] * (attrs.kernel[axis] - 1) + attrs.outputPadding[axis] + 1;
      return [attrs.outChannels, size(0), size(1)];
    }
    case "upsample":
      return [x[0]!, x[1]! * attrs.scale[0], x[2]! * attrs.scale[1]];
    case "global_pool":
      return x.map((size, axis) => (axis === 0 ? size : 1));
    case "fc":
      return [attrs.outFeatures];
    case "flatten":
      return [x.reduce((a, b) => a * b, 1)];
    case "concat":
      return [inputs.reduce((total, shape) => total + shape[0]!, 0), ...x.slice(1)];
    default:
      return [...x];
  }
}

function paramSpecs(attrs: OpAttrs, inputs: Shape[]): ParamSpec[] {
  const x = inputs[0]!;
  const spec = (name: ParamSpec["name"], shape: number[]): ParamSpec => ({
    name,
    shape,
    trainable: name === "weight" || name === "bias",
    init: name === "running_var" || (name === "weight" && attrs.op === "batchnorm") ? "ones" : name === "weight" ? "kaiming" : "zeros",
  });
  switch (attrs.op) {
    case "conv": {
      const perGroup = x[0]! / attrs.groups;
      const weight =
        attrs.spatialRank === 1
          ? [attrs.outChannels, perGroup, attrs.kernel[1]]
          : [attrs.outChannels, perGroup, ...attrs.kernel];
      return attrs.bias ? [spec("weight", weight), spec("bias", [attrs.outChannels])] : [spec("weight", weight)];
    }
    case "conv_transpose": {
      const weight = [x[0]!, attrs.outChannels / attrs.groups, ...attrs.kernel];
      return attrs.bias ? [spec("weight", weight), spec("bias", [attrs.outChannels])] : [spec("weight", weight)];
    }
    case "fc": {
      const weight = [attrs.outFeatures, x.reduce((a, b) => a * b, 1)];
      return attrs.bias ? [spec("weight", weight), spec("bias", [attrs.outFeatures])] : [spec("weight", weight)];
    }
    case "batchnorm":
      return (["weight", "bias", "running_mean", "running_var"] as const).map((name) => spec(name, [x[0]!]));
    default:
      return [];
  }
}

function makeNode(id: number, name: string, attrs: OpAttrs, inputIds: number[], inputShapes: Shape[], shape?: Shape): Node {
  const outShape = shape ?? outputShape(attrs, inputShapes);
  const params = paramSpecs(attrs, inputShapes);
  const activations = outShape.reduce((a, b) => a * b, 1);
  const paramCount = params
    .filter((param) => param.trainable)
    .reduce((total, param) => total + param.shape.reduce((a, b) => a * b, 1), 0);
  let macs = 0;
  if (attrs.op === "conv") macs = activations * (inputShapes[0]![0]! / attrs.groups) * attrs.kernel[0] * attrs.kernel[1];
  if (attrs.op === "fc") macs = attrs.outFeatures * inputShapes[0]!.reduce((a, b) => a * b, 1);
  return { id, name, attrs, inputs: inputIds, shape: outShape, params, paramCount, macs, activations, span: testSpan };
}

/**
 * A graph of inputs (named `x` for one, `x0`, `x1`, ... for several) feeding one op named `name`.
 * `shape` overrides the computed output shape (to test how a wrong IR shape is reported).
 */
export function singleOpGraph(attrs: OpAttrs, inputShapes: Shape | Shape[], name = "layer", shape?: Shape): Graph {
  const shapes = Array.isArray(inputShapes[0]) ? (inputShapes as Shape[]) : [inputShapes as Shape];
  const nodes = shapes.map((inputShape, i) =>
    makeNode(i, shapes.length === 1 ? "x" : `x${i}`, { op: "input" }, [], [], inputShape),
  );
  const inputIds = nodes.map((node) => node.id);
  nodes.push(makeNode(nodes.length, name, attrs, inputIds, shapes, shape));
  return { name: `test_${attrs.op}`, nodes, inputs: inputIds, outputs: [nodes.length - 1] };
}

/** Input `x` followed by the ops in order, named `l0`, `l1`, ...; the last one is the output. */
export function chainGraph(inputShape: Shape, ops: OpAttrs[]): Graph {
  const nodes = [makeNode(0, "x", { op: "input" }, [], [], inputShape)];
  for (const attrs of ops) {
    const previous = nodes[nodes.length - 1]!;
    nodes.push(makeNode(nodes.length, `l${nodes.length - 1}`, attrs, [previous.id], [previous.shape]));
  }
  return { name: "test_chain", nodes, inputs: [0], outputs: [nodes.length - 1] };
}

/** Uniform values in [low, high). */
export function randomTensor(shape: number[], random: () => number, low = -1, high = 1): Tensor {
  const tensor = makeTensor(shape);
  for (let i = 0; i < tensor.data.length; i++) tensor.data[i] = low + (high - low) * random();
  return tensor;
}

/** Random weights for every param of the graph; running_var stays positive. */
export function randomWeights(graph: Graph, random: () => number): WeightMap {
  const weights: WeightMap = new Map();
  for (const node of graph.nodes) {
    for (const param of node.params) {
      const [low, high] = param.name === "running_var" ? [0.5, 2] : [-1, 1];
      weights.set(`${node.name}.${param.name}`, randomTensor(param.shape, random, low, high));
    }
  }
  return weights;
}

export function tensorOf(shape: number[], values: number[]): Tensor {
  return makeTensor(shape, Float32Array.from(values));
}

/** One layer of `layerGraph`: its name, attrs and the names of the values it reads. */
export interface LayerSpec {
  name: string;
  attrs: OpAttrs;
  inputs: string[];
}

/** Input `x` of `inputShape`, then the layers in order (any DAG: add, concat); the last one is the output. */
export function layerGraph(inputShape: Shape, layers: LayerSpec[]): Graph {
  const nodes = [makeNode(0, "x", { op: "input" }, [], [], inputShape)];
  const byName = new Map([["x", nodes[0]!]]);
  for (const layer of layers) {
    const sources = layer.inputs.map((name) => {
      const source = byName.get(name);
      if (source === undefined) throw new Error(`layerGraph: ${layer.name} reads unknown ${name}`);
      return source;
    });
    const node = makeNode(nodes.length, layer.name, layer.attrs, sources.map((source) => source.id), sources.map((source) => source.shape));
    nodes.push(node);
    byName.set(layer.name, node);
  }
  return { name: "test_layers", nodes, inputs: [0], outputs: [nodes.length - 1] };
}

/**
 * A random 2-D pooling case for the GPU-vs-reference tests: a window of 1..4 per axis, stride 1..3,
 * asymmetric padding of at most half the window (PyTorch's rule), either rounding, count_pad or not,
 * and an input [C, H, W] at least one window large, with a batch of 1..3.
 */
export function randomPool2dCase(random: () => number, kind: PoolKind): { attrs: PoolAttrs; C: number; H: number; W: number; batch: number } {
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
  const windowH = 1 + Math.floor(random() * 4);
  const windowW = 1 + Math.floor(random() * 4);
  const stride: [number, number] = [1 + Math.floor(random() * 3), 1 + Math.floor(random() * 3)];
  const padding: [number, number, number, number] = [
    Math.floor(random() * (Math.floor(windowH / 2) + 1)),
    Math.floor(random() * (Math.floor(windowH / 2) + 1)),
    Math.floor(random() * (Math.floor(windowW / 2) + 1)),
    Math.floor(random() * (Math.floor(windowW / 2) + 1)),
  ];
  const rounding = pick<Rounding>(["floor", "ceil"]);
  const countPadding = random() < 0.5;
  const C = pick([1, 3, 5, 7]);
  const H = windowH + Math.floor(random() * 9);
  const W = windowW + Math.floor(random() * 9);
  const batch = pick([1, 2, 3]);
  return { attrs: pool2d({ kind, window: [windowH, windowW], stride, padding, rounding, countPadding }), C, H, W, batch };
}
