// How large the float32 values inside a layer's kernel can get: its sums (conv, fc, average pooling,
// add) and squares (l2 pooling, LRN) can exceed float32's range even where the layer's result fits,
// e.g. a global average of 49 values near 1e38. From the reference's float64 values of the layer's
// inputs and the weights, this gives an upper bound, so a layer whose GPU output is Inf while the
// reference's is finite can be told apart: float32 overflow inside the layer, or a kernel bug.
import { shapeSize, type Graph, type Node } from "../src/ir/graph.js";
import type { WeightMap } from "../src/tensor.js";
import { scanNonFinite } from "./nonFinite.js";

export interface IntermediateBound {
  /** No float32 value the layer's kernel computes on the way to its output exceeds this (in magnitude). */
  bound: number;
  /** What reaches it, for messages: `its sums of 49 inputs of |value| up to 3.2e+37`. */
  description: string;
}

const format = (value: number): string => value.toExponential(1);

/** Largest |value| of a parameter tensor (0 when the layer has no such parameter). */
function largestParam(weights: WeightMap, node: Node, param: string): number {
  const tensor = weights.get(`${node.name}.${param}`);
  return tensor === undefined ? 0 : scanNonFinite(tensor.data).largestFinite;
}

/**
 * The bound for `node` given the reference's values of every node (`values`, by node id), or
 * undefined for layers that compute nothing larger than their inputs and output (activations, max
 * pooling, softmax after subtracting the max, concatenation).
 */
export function intermediateBound(graph: Graph, node: Node, values: Map<number, Float64Array>, weights: WeightMap): IntermediateBound | undefined {
  const inputValues = node.inputs.map((id) => {
    const value = values.get(id);
    if (value === undefined) throw new Error(`internal: no reference value for ${graph.nodes[id]!.name}`);
    return value;
  });
  const largestInput = inputValues.reduce((largest, value) => Math.max(largest, scanNonFinite(value).largestFinite), 0);
  const inputShape = graph.nodes[node.inputs[0] ?? node.id]!.shape;
  const attrs = node.attrs;
  const sums = (terms: number, bound: number, what: string): IntermediateBound => ({
    bound,
    description: `its sums of ${terms} ${what}`,
  });
  switch (attrs.op) {
    case "conv":
    case "conv_transpose":
    case "fc": {
      const terms = attrs.op === "fc" ? shapeSize(inputShape) : (inputShape[0]! / attrs.groups) * attrs.kernel[0] * attrs.kernel[1];
      const weight = largestParam(weights, node, "weight");
      return sums(
        terms,
        terms * largestInput * weight + largestParam(weights, node, "bias"),
        `products of inputs of |value| up to ${format(largestInput)} and weights up to ${format(weight)}`,
      );
    }
    case "pool": {
      const terms = attrs.window[0] * attrs.window[1];
      if (attrs.kind === "max") return undefined;
      if (attrs.kind === "avg") return sums(terms, terms * largestInput, `inputs of |value| up to ${format(largestInput)}`);
      return sums(terms, terms * largestInput * largestInput, `squares of inputs of |value| up to ${format(largestInput)}`);
    }
    case "global_pool": {
      const terms = shapeSize(inputShape.slice(1));
      return attrs.kind === "max" ? undefined : sums(terms, terms * largestInput, `inputs of |value| up to ${format(largestInput)}`);
    }
    case "lrn":
      return sums(attrs.size, attrs.size * largestInput * largestInput, `squares of inputs of |value| up to ${format(largestInput)}`);
    case "add":
      return {
        bound: inputValues.length * largestInput,
        description: `its sum of ${inputValues.length} inputs of |value| up to ${format(largestInput)}`,
      };
    case "batchnorm": {
      const scale = batchNormLargestScale(weights, node, attrs.eps);
      const centered = largestInput + largestParam(weights, node, "running_mean");
      return {
        bound: centered * scale + largestParam(weights, node, "bias"),
        description: `its (x - running_mean) * scale with |x - running_mean| up to ${format(centered)} and scales up to ${format(scale)}`,
      };
    }
    default:
      return undefined;
  }
}

/** max over channels of |weight / sqrt(running_var + eps)|. */
function batchNormLargestScale(weights: WeightMap, node: Node, eps: number): number {
  const weight = weights.get(`${node.name}.weight`)?.data;
  const variance = weights.get(`${node.name}.running_var`)?.data;
  if (weight === undefined || variance === undefined) return 0;
  let largest = 0;
  for (let c = 0; c < weight.length; c++) largest = Math.max(largest, Math.abs(weight[c]! / Math.sqrt(variance[c]! + eps)));
  return largest;
}
