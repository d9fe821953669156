// One op's float64 reference forward and backward on a single-op graph, with seeded random float32
// inputs, weights and output gradient: the oracle the training kernels' tests compare against.
import type { Node, OpAttrs, Shape } from "../../../src/ir/graph.js";
import type { ReferenceGradients } from "../../../src/ops/definition.js";
import { opDefinition } from "../../../src/ops/registry.js";
import type { RefValue } from "../../../src/reference/value.js";
import type { Tensor, WeightMap } from "../../../src/tensor.js";
import { randomTensor, singleOpGraph } from "../../reference/graphBuilders.js";

export interface ReferenceBackward {
  node: Node;
  /** Each input's values (float32), flat over the batch. */
  inputs: Float32Array[];
  weights: WeightMap;
  /** The forward output, rounded to float32 (what a forward kernel would have saved). */
  output: Float32Array;
  outputGradient: Float32Array;
  gradients: ReferenceGradients;
}

function randomValues(length: number, random: () => number): Float32Array {
  return randomTensor([length], random).data;
}

/**
 * Runs `attrs` on random inputs of `inputShapes` (per sample) at `batch`, then its reference gradient
 * for a random output gradient. `inputValues` overrides the random inputs (for NaN or tie cases).
 */
export function referenceBackward(
  attrs: OpAttrs,
  inputShapes: Shape[],
  batch: number,
  random: () => number,
  inputValues?: Float32Array[],
): ReferenceBackward {
  const graph = singleOpGraph(attrs, inputShapes.length === 1 ? inputShapes[0]! : inputShapes);
  const node = graph.nodes[graph.nodes.length - 1]!;
  const weights: WeightMap = new Map();
  for (const param of node.params) {
    const tensor: Tensor = randomTensor(param.shape, random);
    weights.set(`${node.name}.${param.name}`, tensor);
  }
  const inputs = inputShapes.map((shape, i) => inputValues?.[i] ?? randomValues(batch * shape.reduce((a, b) => a * b, 1), random));
  const values: RefValue[] = inputs.map((data, i) => ({ batch, shape: inputShapes[i]!, data: Float64Array.from(data) }));
  const definition = opDefinition(attrs.op);
  const output = definition.reference!(node, attrs, values, weights);
  // The backward sees the float32 output a GPU forward would have stored.
  const storedOutput = Float32Array.from(output.data);
  const outputGradient = randomValues(storedOutput.length, random);
  const gradients = definition.referenceGradient!(
    node,
    attrs,
    values,
    weights,
    { batch, shape: output.shape, data: Float64Array.from(storedOutput) },
    { batch, shape: output.shape, data: Float64Array.from(outputGradient) },
  );
  return { node, inputs, weights, output: storedOutput, outputGradient, gradients };
}

/** A flat tensor of `values` (for expectClose). */
export function flat(values: Float32Array | Float64Array): Tensor {
  return { shape: [values.length], data: Float32Array.from(values) };
}
