// conv_transpose on the GPU (the conv data-gradient GEMM as a forward, src/codegen/convTranspose.ts)
// against the float64 reference on random shapes: strides 1-3, padding, output_padding, dilation,
// groups, odd sizes, batch > 1, with and without bias; and with relu and batchnorm -> relu fused into
// its epilogue (one kernel).
import { describe, expect, it } from "vitest";
import type { ConvTransposeAttrs, Shape } from "../../src/ir/graph.js";
import { buildPlan } from "../../src/pipeline.js";
import { randomInt } from "../reference/backward/opCheck.js";
import { chainGraph, outputShape, randomTensor, randomWeights, seededRandom, singleOpGraph } from "../reference/graphBuilders.js";
import { expectGpuMatchesReference } from "./gpuHarness.js";

function randomCase(random: () => number): { attrs: ConvTransposeAttrs; input: Shape; batch: number } | undefined {
  const groups = randomInt(random, 1, 3);
  const stride: [number, number] = [randomInt(random, 1, 3), randomInt(random, 1, 3)];
  const dilation: [number, number] = [randomInt(random, 1, 2), randomInt(random, 1, 2)];
  const attrs: ConvTransposeAttrs = {
    op: "conv_transpose",
    outChannels: groups * randomInt(random, 1, 5),
    kernel: [randomInt(random, 1, 4), randomInt(random, 1, 4)],
    stride,
    dilation,
    padding: [randomInt(random, 0, 2), randomInt(random, 0, 2)],
    outputPadding: [randomInt(random, 0, Math.max(stride[0], dilation[0]) - 1), randomInt(random, 0, Math.max(stride[1], dilation[1]) - 1)],
    groups,
    bias: random() < 0.7,
  };
  const input: Shape = [groups * randomInt(random, 1, 6), randomInt(random, 1, 7), randomInt(random, 2, 7)];
  if (outputShape(attrs, [input]).some((size) => size < 1)) return undefined;
  return { attrs, input, batch: randomInt(random, 1, 3) };
}

describe("conv_transpose kernel", () => {
  it("matches the reference over random configurations", async () => {
    const random = seededRandom(2101);
    let checked = 0;
    for (let trial = 0; checked < 24 && trial < 60; trial++) {
      const drawn = randomCase(random);
      if (drawn === undefined) continue;
      const { attrs, input, batch } = drawn;
      const graph = singleOpGraph(attrs, input);
      const weights = randomWeights(graph, random);
      const x = randomTensor([batch, ...input], random);
      await expectGpuMatchesReference(graph, new Map([["x", x]]), weights, `trial ${trial}: ${JSON.stringify({ ...attrs, op: undefined })} on ${batch}x${input.join("x")}`);
      checked++;
    }
    expect(checked).toBe(24);
  });

  it("fuses relu, and batchnorm -> relu, into its epilogue", async () => {
    const random = seededRandom(2102);
    const attrs: ConvTransposeAttrs = { op: "conv_transpose", outChannels: 6, kernel: [3, 3], stride: [2, 2], dilation: [1, 1], padding: [1, 1], outputPadding: [1, 1], groups: 2, bias: true };
    for (const tail of [[{ op: "relu" as const }], [{ op: "batchnorm" as const, eps: 1e-5, momentum: 0.1 }, { op: "relu" as const }]]) {
      const graph = chainGraph([4, 5, 7], [attrs, ...tail]);
      const plan = buildPlan(graph, 2);
      expect(plan.steps.map((step) => step.name)).toEqual(["l0.conv_transpose"]);
      expect(plan.steps[0]!.wgsl).toContain("// relu");
      const weights = randomWeights(graph, random);
      await expectGpuMatchesReference(graph, new Map([["x", randomTensor([2, 4, 5, 7], random)]]), weights, `conv_transpose -> ${tail.map((op) => op.op).join(" -> ")}`);
    }
  });
});
