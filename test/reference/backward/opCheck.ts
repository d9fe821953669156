// Checks one op's reference gradient against central finite differences of its forward reference, on a
// single-op graph with random (seeded) inputs, weights and output gradient.
import { expect } from "vitest";
import type { OpAttrs, Shape } from "../../../src/ir/graph.js";
import { opDefinition } from "../../../src/ops/registry.js";
import type { RefValue } from "../../../src/reference/value.js";
import { makeTensor, type WeightMap } from "../../../src/tensor.js";
import { singleOpGraph } from "../graphBuilders.js";
import { expectGradientsClose, numericGradient, quantized } from "./finiteDifferences.js";

/**
 * `adjustWeights` may change the random weights before the check (a variance must be positive, say);
 * each parameter arrives filled with random multiples of 2^-8 in [-1, 1], by state_dict name.
 */
export function checkOpGradient(
  attrs: OpAttrs,
  inputShapes: Shape[],
  batch: number,
  random: () => number,
  label: string,
  adjustWeights: (weights: WeightMap) => void = () => {},
): void {
  const graph = singleOpGraph(attrs, inputShapes.length === 1 ? inputShapes[0]! : inputShapes);
  const node = graph.nodes[graph.nodes.length - 1]!;
  const weights: WeightMap = new Map();
  for (const param of node.params) {
    const tensor = makeTensor(param.shape);
    for (let i = 0; i < tensor.data.length; i++) tensor.data[i] = quantized(random);
    weights.set(`${node.name}.${param.name}`, tensor);
  }
  adjustWeights(weights);
  const inputs: RefValue[] = inputShapes.map((shape) => {
    const size = batch * shape.reduce((a, b) => a * b, 1);
    return { batch, shape, data: Float64Array.from({ length: size }, () => random() * 2 - 1) };
  });
  const definition = opDefinition(attrs.op);
  const reference = definition.reference!;
  const gradientOf = definition.referenceGradient!;
  // A copy: views (flatten, dropout) return their input's array itself.
  const forward = (): Float64Array => Float64Array.from(reference(node, attrs, inputs, weights).data);
  const output = reference(node, attrs, inputs, weights);
  const direction = Float64Array.from(output.data, () => random() * 2 - 1);
  const gradients = gradientOf(node, attrs, inputs, weights, output, { batch, shape: node.shape, data: direction });

  expect(gradients.inputs.length, `${label}: one gradient per input`).toBe(inputs.length);
  inputs.forEach((input, i) => {
    expect(gradients.inputs[i]!.shape, `${label}: input ${i} gradient shape`).toEqual(input.shape);
    expectGradientsClose(`${label} d/d input ${i}`, gradients.inputs[i]!.data, numericGradient(input.data, direction, forward));
  });
  const trainable = node.params.filter((param) => param.trainable).map((param) => `${node.name}.${param.name}`);
  expect([...gradients.params.keys()].sort(), `${label}: parameter gradients`).toEqual(trainable.sort());
  for (const name of trainable) {
    expectGradientsClose(`${label} d/d ${name}`, gradients.params.get(name)!, numericGradient(weights.get(name)!.data, direction, forward));
  }
}

/** An integer in [low, high]. */
export function randomInt(random: () => number, low: number, high: number): number {
  return low + Math.floor(random() * (high - low + 1));
}

export function pick<T>(random: () => number, choices: readonly T[]): T {
  return choices[Math.floor(random() * choices.length)]!;
}
