// Runs exported ONNX bytes in onnxruntime-node (CPU) and compares them with cnnc's float64 reference,
// with `cnnc run --check`'s tolerance (runtime/compareOutputs.ts).
import * as ort from "onnxruntime-node";
import { expect } from "vitest";

import { compareOutput } from "../../../runtime/compareOutputs.js";
import { initWeights, randomNormalTensor } from "../../../runtime/init.js";
import { exportOnnx } from "../../../src/export/onnx/exportOnnx.js";
import type { Graph } from "../../../src/ir/graph.js";
import { paramFullName } from "../../../src/ir/graph.js";
import { runReference } from "../../../src/reference/interpret.js";
import { makeTensor, type Tensor, type WeightMap } from "../../../src/tensor.js";

/** The model's outputs for `inputs`, by output name. */
export async function runOnnx(bytes: Uint8Array, inputs: ReadonlyMap<string, Tensor>): Promise<Map<string, Tensor>> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ["cpu"] });
  try {
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, tensor] of inputs) feeds[name] = new ort.Tensor("float32", tensor.data, tensor.shape);
    const results = await session.run(feeds);
    const outputs = new Map<string, Tensor>();
    for (const name of session.outputNames) {
      const value = results[name]!;
      if (!(value.data instanceof Float32Array)) throw new Error(`ONNX output ${name} is ${value.type}, not float32`);
      outputs.set(name, makeTensor(value.dims.map(Number), value.data));
    }
    return outputs;
  } finally {
    await session.release();
  }
}

/**
 * Every parameter drawn from N(0, 1), running variances as |N(0, 1)| + 0.5: unlike the initial weights
 * (batchnorm's are ones and zeros), they exercise every operand.
 */
export function randomWeights(graph: Graph, seed: number): WeightMap {
  const weights: WeightMap = new Map();
  for (const node of graph.nodes) {
    for (const param of node.params) {
      const name = paramFullName(node, param);
      const tensor = randomNormalTensor(param.shape, seed, name);
      if (param.name === "running_var") tensor.data.forEach((value, index) => (tensor.data[index] = Math.abs(value) + 0.5));
      weights.set(name, tensor);
    }
  }
  return weights;
}

/** One N(0, 1) tensor per network input, [batch, ...shape], by input name. */
export function randomInputs(graph: Graph, batch: number, seed: number): Map<string, Tensor> {
  return new Map(
    graph.inputs.map((id) => {
      const node = graph.nodes[id]!;
      return [node.name, randomNormalTensor([batch, ...node.shape], seed, node.name)];
    }),
  );
}

/** Exports `graph` with `weights` (or its seed-0 initial weights), runs it at `batch` and checks every output against the reference. */
export async function expectOnnxMatchesReference(graph: Graph, batch: number, weights: WeightMap | undefined, context: string): Promise<void> {
  const bytes = exportOnnx(graph, weights);
  await expectModelMatchesReference(bytes, graph, batch, weights ?? initWeights(graph, 0), context);
}

/** Runs exported `bytes` on random inputs at `batch` and checks every output against the reference with `weights`. */
export async function expectModelMatchesReference(bytes: Uint8Array, graph: Graph, batch: number, weights: WeightMap, context: string): Promise<void> {
  const inputs = randomInputs(graph, batch, 7);
  const outputs = await runOnnx(bytes, inputs);
  const reference = runReference(graph, inputs, weights).outputs;
  expect([...outputs.keys()].sort()).toEqual([...reference.keys()].sort());
  for (const [name, expected] of reference) {
    const actual = outputs.get(name)!;
    expect(actual.shape, `${context}: ${name}'s shape`).toEqual(expected.shape);
    const comparison = compareOutput(name, actual, expected);
    expect(comparison.passed, `${context}: ${name} max abs error ${comparison.maxAbsError}, max rel error ${comparison.maxRelError}`).toBe(true);
    // An all-zero output would pass trivially.
    expect(expected.data.some((value) => value !== 0), `${context}: ${name} is all zeros`).toBe(true);
  }
}
