// cnnc's layer graph as TensorFlow.js ops, so that tfjs-webgpu runs the same architecture with the same
// weights. Values are NHWC on tfjs's side (its WebGPU kernels are NHWC only); a volume [C, H, W] is an
// [N, H, W, C] tensor, a vector [F] an [N, F] one. Layout changes happen once, outside any timed run:
// conv filters become HWIO, an fc reading a volume gets its weight rows permuted from cnnc's CHW
// flattening order to HWC, and the network's inputs and outputs are converted by the caller's
// prepareInputs / outputsAsNchw. An op or attribute tfjs cannot express is a CnncUserError naming the
// layer, never a silently different network.
import * as tf from "@tensorflow/tfjs-core";

import { CnncUserError } from "../../src/errors.js";
import type { ConvAttrs, Graph, Node, PoolAttrs } from "../../src/ir/graph.js";
import type { Tensor, WeightMap } from "../../src/tensor.js";
import { toHwio, toNchw, toNhwc } from "../peers/tfjsWebgpu.js";

type Layout = "nhwc" | "flat";
interface Value {
  tensor: tf.Tensor;
  layout: Layout;
}

/** Why tfjs cannot run `node` as cnnc defines it, or undefined when the translator handles it. */
export function tfjsUnsupportedReason(graph: Graph, node: Node): string | undefined {
  const attrs = node.attrs;
  const rankOk = node.shape.length === 3 || node.shape.length === 1;
  if (!rankOk) return `its value has shape ${node.shape.join("x")}; the translator handles volumes CxHxW and vectors only`;
  switch (attrs.op) {
    case "conv": {
      if (attrs.spatialRank !== 2) return "1-D convs are not translated";
      if (attrs.paddingMode !== "zeros") return `tfjs pads only with zeros, not \`${attrs.paddingMode}\``;
      const inChannels = graph.nodes[node.inputs[0]!]!.shape[0]!;
      if (attrs.groups !== 1 && attrs.groups !== inChannels) return `tfjs has no grouped conv with ${attrs.groups} groups over ${inChannels} channels`;
      const strided = attrs.stride[0] > 1 || attrs.stride[1] > 1;
      const dilated = attrs.dilation[0] > 1 || attrs.dilation[1] > 1;
      if (strided && dilated) return "tfjs's conv2d takes strides > 1 or dilations > 1, not both";
      return undefined;
    }
    case "pool":
      if (attrs.spatialRank !== 2) return "1-D pooling is not translated";
      return attrs.kind === "l2" ? "tfjs has no L2 (power-average) pooling" : undefined;
    case "lrn":
      return attrs.size % 2 === 1 ? undefined : `tfjs's LRN window is symmetric (2r+1 channels); size ${attrs.size} is even`;
    case "elu":
      return attrs.alpha === 1 ? undefined : `tfjs's elu has alpha 1, not ${attrs.alpha}`;
    case "conv_transpose":
    case "upsample":
      return `the translator has no ${attrs.op} (no benchmark network uses one)`;
    default:
      return undefined;
  }
}

/** Every node tfjs cannot run, with why (empty: the whole network translates). */
export function tfjsUnsupportedNodes(graph: Graph): { layer: string; op: string; reason: string }[] {
  return graph.nodes.flatMap((node) => {
    const reason = tfjsUnsupportedReason(graph, node);
    return reason === undefined ? [] : [{ layer: node.name, op: node.attrs.op, reason }];
  });
}

export interface TfjsModel {
  /** The network's parameters on tfjs's device, by cnnc's state_dict name (fc weights of volumes permuted, filters HWIO). */
  params: Map<string, tf.Variable>;
  /** The graph's outputs by name, from inputs by name (NHWC / flat tensors); `training`: batchnorm uses batch statistics. */
  forward(inputs: ReadonlyMap<string, tf.Tensor>, training: boolean): Map<string, tf.Tensor>;
  /** cnnc's NCHW input tensors as tfjs's host arrays and shapes, converted once. */
  prepareInputs(inputs: ReadonlyMap<string, Tensor>): Map<string, { data: Float32Array; shape: number[] }>;
  /** An output read back from tfjs, in cnnc's layout. */
  outputAsCnnc(name: string, data: Float32Array, shape: readonly number[]): Tensor;
  dispose(): void;
}

function weight(weights: WeightMap, name: string): Tensor {
  const tensor = weights.get(name);
  if (tensor === undefined) throw new Error(`internal: no weight ${name}`);
  return tensor;
}

/** fc weight [out, C*H*W] in CHW order -> [H*W*C, out], rows in NHWC flattening order. */
function fcWeightForVolume(tensor: Tensor, [C, H, W]: readonly number[]): Float32Array {
  const out = tensor.shape[0]!;
  const data = new Float32Array(tensor.data.length);
  for (let o = 0; o < out; o++)
    for (let c = 0; c < C!; c++)
      for (let p = 0; p < H! * W!; p++) data[(p * C! + c) * out + o] = tensor.data[o * C! * H! * W! + c * H! * W! + p]!;
  return data;
}

/** fc weight [out, F] -> [F, out]. */
function transposed(tensor: Tensor): Float32Array {
  const [out, features] = tensor.shape as [number, number];
  const data = new Float32Array(tensor.data.length);
  for (let o = 0; o < out; o++) for (let f = 0; f < features; f++) data[f * out + o] = tensor.data[o * features + f]!;
  return data;
}

/** tfjs's variable names are process-global: each model's get a prefix of their own. */
let modelsBuilt = 0;

function loadParams(graph: Graph, weights: WeightMap): Map<string, tf.Variable> {
  const prefix = `${graph.name}#${++modelsBuilt}/`;
  const params = new Map<string, tf.Variable>();
  for (const node of graph.nodes) {
    const attrs = node.attrs;
    for (const spec of node.params) {
      const name = `${node.name}.${spec.name}`;
      const tensor = weight(weights, name);
      let value: tf.Tensor;
      if (attrs.op === "conv" && spec.name === "weight") {
        const inChannels = graph.nodes[node.inputs[0]!]!.shape[0]!;
        const hwio = toHwio(tensor);
        const depthwise = attrs.groups !== 1;
        value = tf.tensor4d(hwio.data, depthwise ? [attrs.kernel[0], attrs.kernel[1], inChannels, attrs.outChannels / inChannels] : hwio.shape);
      } else if (attrs.op === "fc" && spec.name === "weight") {
        const inputShape = graph.nodes[node.inputs[0]!]!.shape;
        const data = inputShape.length === 3 ? fcWeightForVolume(tensor, inputShape) : transposed(tensor);
        value = tf.tensor2d(data, [tensor.shape[1]!, tensor.shape[0]!]);
      } else {
        value = tf.tensor(tensor.data, tensor.shape);
      }
      params.set(name, tf.variable(value, spec.trainable, `${prefix}${name}`));
      value.dispose();
    }
  }
  return params;
}

/** The padding that makes a 'valid' pool produce cnnc's output size: the explicit padding plus ceil's extra rows/columns. */
function poolPadding(attrs: PoolAttrs, input: readonly number[], output: readonly number[]): [[number, number], [number, number]] {
  const extra = (axis: 0 | 1): number => {
    const size = input[axis + 1]!;
    const before = axis === 0 ? attrs.padding.top : attrs.padding.left;
    const after = axis === 0 ? attrs.padding.bottom : attrs.padding.right;
    return Math.max(0, (output[axis + 1]! - 1) * attrs.stride[axis] + attrs.window[axis] - (size + before + after));
  };
  return [
    [attrs.padding.top, attrs.padding.bottom + extra(0)],
    [attrs.padding.left, attrs.padding.right + extra(1)],
  ];
}

/** The ones/zeros mask of the cells an average pool counts, padded as the input: counted cells over padded size. */
function avgPoolDivisor(attrs: PoolAttrs, input: readonly number[], padding: [[number, number], [number, number]]): tf.Tensor4D | undefined {
  const [[top, bottom], [left, right]] = padding;
  if (top + bottom + left + right === 0) return undefined;
  const [, H, W] = input as [number, number, number];
  const rows = H + top + bottom;
  const columns = W + left + right;
  const mask = new Float32Array(rows * columns);
  // count_include_pad counts the explicit padding but not the cells ceil rounding adds past it.
  const counted = attrs.countPadding
    ? { top: 0, bottom: H + attrs.padding.top + attrs.padding.bottom, left: 0, right: W + attrs.padding.left + attrs.padding.right }
    : { top, bottom: top + H, left, right: left + W };
  for (let y = counted.top; y < counted.bottom; y++) for (let x = counted.left; x < counted.right; x++) mask[y * columns + x] = 1;
  const maskTensor = tf.tensor4d(mask, [1, rows, columns, 1]);
  const divisor = tf.avgPool(maskTensor, attrs.window, attrs.stride, "valid");
  maskTensor.dispose();
  return divisor;
}

/** Builds the tfjs model of `graph` with `weights`; a layer tfjs cannot run is a CnncUserError naming it. */
export function buildTfjsModel(graph: Graph, weights: WeightMap): TfjsModel {
  const unsupported = tfjsUnsupportedNodes(graph);
  if (unsupported.length > 0) {
    throw new CnncUserError(`tfjs cannot run ${graph.name}: ${unsupported.map(({ layer, op, reason }) => `layer ${layer} (${op}): ${reason}`).join("; ")}`, {
      hint: "compare cnnc with tfjs on a network without these layers",
    });
  }
  const params = loadParams(graph, weights);
  const param = (node: Node, name: string): tf.Tensor => params.get(`${node.name}.${name}`)!;
  const consumers = new Map<number, number[]>();
  for (const node of graph.nodes) for (const input of node.inputs) consumers.set(input, [...(consumers.get(input) ?? []), node.id]);
  /** A conv whose only reader is a relu (and not an output) runs as tfjs's fused conv + bias + relu, as tf.layers would. */
  const fusedRelu = new Set<number>();
  for (const node of graph.nodes) {
    const readers = consumers.get(node.id) ?? [];
    if (node.attrs.op === "conv" && node.attrs.groups === 1 && readers.length === 1 && graph.nodes[readers[0]!]!.attrs.op === "relu" && !graph.outputs.includes(node.id)) fusedRelu.add(node.id);
  }
  const divisors = new Map<number, tf.Tensor4D>();
  for (const node of graph.nodes) {
    if (node.attrs.op !== "pool" || node.attrs.kind !== "avg") continue;
    const inputShape = graph.nodes[node.inputs[0]!]!.shape;
    const divisor = avgPoolDivisor(node.attrs, inputShape, poolPadding(node.attrs, inputShape, node.shape));
    if (divisor !== undefined) divisors.set(node.id, divisor);
  }

  const convOf = (node: Node, attrs: ConvAttrs, x: tf.Tensor4D): tf.Tensor4D => {
    const { top, bottom, left, right } = attrs.padding;
    const pad: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [top, bottom], [left, right], [0, 0]];
    const filter = param(node, "weight") as tf.Tensor4D;
    const bias = attrs.bias ? param(node, "bias") : undefined;
    if (attrs.groups !== 1) {
      const convolved = tf.depthwiseConv2d(x, filter, attrs.stride, pad, "NHWC", attrs.dilation);
      return bias === undefined ? convolved : tf.add(convolved, bias);
    }
    return tf.fused.conv2d({ x, filter, strides: attrs.stride, pad, dataFormat: "NHWC", dilations: attrs.dilation, ...(bias === undefined ? {} : { bias }), ...(fusedRelu.has(node.id) ? { activation: "relu" as const } : {}) });
  };

  const evaluate = (node: Node, args: Value[], training: boolean): Value => {
    const attrs = node.attrs;
    const x = args[0]!;
    const same = (tensor: tf.Tensor): Value => ({ tensor, layout: x.layout });
    switch (attrs.op) {
      case "input":
        throw new Error("internal: inputs are bound, not evaluated");
      case "conv":
        return { tensor: convOf(node, attrs, x.tensor as tf.Tensor4D), layout: "nhwc" };
      case "pool": {
        const inputShape = graph.nodes[node.inputs[0]!]!.shape;
        const [rows, columns] = poolPadding(attrs, inputShape, node.shape);
        const padded = rows[0] + rows[1] + columns[0] + columns[1] === 0 ? (x.tensor as tf.Tensor4D) : tf.pad(x.tensor as tf.Tensor4D, [[0, 0], rows, columns, [0, 0]], attrs.kind === "max" ? -3.4028234663852886e38 : 0);
        if (attrs.kind === "max") return { tensor: tf.maxPool(padded, attrs.window, attrs.stride, "valid"), layout: "nhwc" };
        const averaged = tf.avgPool(padded, attrs.window, attrs.stride, "valid");
        const divisor = divisors.get(node.id);
        return { tensor: divisor === undefined ? averaged : tf.div(averaged, divisor), layout: "nhwc" };
      }
      case "global_pool": {
        const keep = node.shape.length === 3;
        return { tensor: attrs.kind === "avg" ? tf.mean(x.tensor, [1, 2], keep) : tf.max(x.tensor, [1, 2], keep), layout: keep ? "nhwc" : "flat" };
      }
      case "fc": {
        const rows = x.tensor.shape[0]!;
        const flat = tf.reshape(x.tensor, [rows, x.tensor.size / rows]) as tf.Tensor2D;
        const product = tf.matMul(flat, param(node, "weight") as tf.Tensor2D);
        return { tensor: attrs.bias ? tf.add(product, param(node, "bias")) : product, layout: "flat" };
      }
      case "flatten":
        return x.layout === "flat" ? x : { tensor: tf.reshape(tf.transpose(x.tensor, [0, 3, 1, 2]), [x.tensor.shape[0]!, -1]), layout: "flat" };
      case "relu":
        return fusedRelu.has(node.inputs[0]!) ? x : same(tf.relu(x.tensor));
      case "leaky_relu":
        return same(tf.leakyRelu(x.tensor, attrs.alpha));
      case "elu":
        return same(tf.elu(x.tensor));
      case "tanh":
        return same(tf.tanh(x.tensor));
      case "sigmoid":
        return same(tf.sigmoid(x.tensor));
      case "relu6":
        return same(tf.relu6(x.tensor));
      case "hardsigmoid":
        return same(tf.div(tf.relu6(tf.add(x.tensor, 3)), 6));
      case "hardswish":
        return same(tf.div(tf.mul(x.tensor, tf.relu6(tf.add(x.tensor, 3))), 6));
      case "silu":
        return same(tf.mul(x.tensor, tf.sigmoid(x.tensor)));
      case "softmax":
        return same(tf.softmax(x.tensor));
      case "dropout":
        return training && attrs.p > 0 ? same(tf.dropout(x.tensor, attrs.p)) : x;
      case "batchnorm": {
        const gamma = param(node, "weight");
        const beta = param(node, "bias");
        if (training) {
          const axes = x.layout === "nhwc" ? [0, 1, 2] : [0];
          const { mean, variance } = tf.moments(x.tensor, axes);
          return same(tf.batchNorm(x.tensor, mean, variance, beta, gamma, attrs.eps));
        }
        return same(tf.batchNorm(x.tensor, param(node, "running_mean"), param(node, "running_var"), beta, gamma, attrs.eps));
      }
      case "lrn":
        return same(tf.localResponseNormalization(x.tensor as tf.Tensor4D, (attrs.size - 1) / 2, attrs.k, attrs.alpha / attrs.size, attrs.beta));
      case "add":
        return same(tf.addN(args.map((arg) => arg.tensor)));
      case "mul": {
        // A gate of one value per channel: [N, C] (an fc's) broadcasts over an NHWC value as [N, 1, 1, C].
        const gate = args[1]!;
        const rows = gate.tensor.shape[0]!;
        const broadcast = x.layout === "nhwc" && gate.layout === "flat" ? tf.reshape(gate.tensor, [rows, 1, 1, gate.tensor.size / rows]) : gate.tensor;
        return same(tf.mul(x.tensor, broadcast));
      }
      case "concat":
        return same(tf.concat(args.map((arg) => arg.tensor), x.layout === "nhwc" ? 3 : 1));
      case "conv_transpose":
      case "upsample":
        throw new Error(`internal: ${node.name} (${attrs.op}) reached the translator, which tfjsUnsupportedReason refuses it from`);
    }
  };

  return {
    params,
    forward: (inputs, training) => {
      const values = new Map<number, Value>();
      for (const node of graph.nodes) {
        if (node.attrs.op === "input") {
          const tensor = inputs.get(node.name);
          if (tensor === undefined) throw new Error(`internal: no tfjs input ${node.name}`);
          values.set(node.id, { tensor, layout: node.shape.length === 3 ? "nhwc" : "flat" });
          continue;
        }
        values.set(node.id, evaluate(node, node.inputs.map((id) => values.get(id)!), training));
      }
      return new Map(graph.outputs.map((id) => [graph.nodes[id]!.name, values.get(id)!.tensor]));
    },
    prepareInputs: (inputs) =>
      new Map(
        [...inputs].map(([name, tensor]) => {
          const [N, C, H, W] = tensor.shape;
          return [name, tensor.shape.length === 4 ? { data: toNhwc(tensor), shape: [N!, H!, W!, C!] } : { data: tensor.data, shape: [...tensor.shape] }];
        }),
      ),
    outputAsCnnc: (name, data, shape) => {
      if (shape.length === 4) return toNchw(data, shape as [number, number, number, number]);
      if (!graph.outputs.some((id) => graph.nodes[id]!.name === name)) throw new Error(`internal: ${graph.name} has no output ${name}`);
      return { shape: [...shape], data };
    },
    dispose: () => {
      for (const variable of params.values()) variable.dispose();
      for (const divisor of divisors.values()) divisor.dispose();
    },
  };
}
