// runReferenceBackward on a whole small network (conv -> relu -> conv, a residual add, relu, max pool,
// flatten, fc) against finite differences through runReference itself: every input element and every
// parameter. The input and weights are multiples of 2^-8 so that the float32 tensors runReference takes
// hold the perturbed values exactly (finiteDifferences.ts states the step and tolerance).
import { describe, expect, it } from "vitest";
import type { Graph } from "../../../src/ir/graph.js";
import { runReferenceBackward } from "../../../src/reference/backward.js";
import { runReference } from "../../../src/reference/interpret.js";
import { makeTensor, type Tensor, type WeightMap } from "../../../src/tensor.js";
import { userError } from "../../support/userError.js";
import { conv2d, layerGraph, pool2d, seededRandom } from "../graphBuilders.js";
import { expectGradientsClose, numericGradient, quantized } from "./finiteDifferences.js";

function residualNetwork(): Graph {
  return layerGraph([2, 7, 7], [
    { name: "c1", attrs: conv2d({ out: 3, kernel: 3, padding: [1, 1, 0, 2], dilation: [1, 2] }), inputs: ["x"] },
    { name: "r1", attrs: { op: "relu" }, inputs: ["c1"] },
    { name: "c2", attrs: conv2d({ out: 3, kernel: 3, padding: 1, groups: 3, mode: "reflect" }), inputs: ["r1"] },
    { name: "sum", attrs: { op: "add" }, inputs: ["c2", "r1"] },
    { name: "r2", attrs: { op: "relu" }, inputs: ["sum"] },
    { name: "p", attrs: pool2d({ kind: "max", window: 2, stride: 2, rounding: "ceil" }), inputs: ["r2"] },
    { name: "flat", attrs: { op: "flatten" }, inputs: ["p"] },
    { name: "fc", attrs: { op: "fc", outFeatures: 4, bias: true }, inputs: ["flat"] },
  ]);
}

function quantizedTensor(shape: number[], random: () => number): Tensor {
  const tensor = makeTensor(shape);
  for (let i = 0; i < tensor.data.length; i++) tensor.data[i] = quantized(random);
  return tensor;
}

describe("runReferenceBackward", () => {
  const graph = residualNetwork();
  const random = seededRandom(8003);
  const batch = 2;
  const weights: WeightMap = new Map();
  for (const node of graph.nodes) {
    for (const param of node.params) weights.set(`${node.name}.${param.name}`, quantizedTensor(param.shape, random));
  }
  const input = quantizedTensor([batch, 2, 7, 7], random);
  const outputGradient = Float64Array.from({ length: batch * 4 }, () => random() * 2 - 1);
  const forward = (): Float64Array => runReference(graph, { x: input }, weights, { keep: [graph.outputs[0]!] }).values!.get(graph.outputs[0]!)!;

  it("matches finite differences through runReference for the input and every parameter", () => {
    const result = runReferenceBackward(graph, { x: input }, weights, new Map([["fc", outputGradient]]));
    expect([...result.outputs.get("fc")!]).toEqual([...forward()]);
    expectGradientsClose("d/d x", result.inputs.get("x")!, numericGradient(input.data, outputGradient, forward));
    const trainable = ["c1.weight", "c1.bias", "c2.weight", "c2.bias", "fc.weight", "fc.bias"];
    expect([...result.params.keys()].sort()).toEqual([...trainable].sort());
    for (const name of trainable) {
      expectGradientsClose(`d/d ${name}`, result.params.get(name)!, numericGradient(weights.get(name)!.data, outputGradient, forward));
    }
  });

  it("reports a missing or wrongly sized output gradient", () => {
    expect(userError(() => runReferenceBackward(graph, { x: input }, weights, new Map())).message).toContain('gradient of output "fc" is missing');
    const short = userError(() => runReferenceBackward(graph, { x: input }, weights, new Map([["fc", new Float64Array(3)]])));
    expect(short.message).toContain("3 values long");
    expect(short.hint).toContain("8 values ([2, 4])");
  });
});
