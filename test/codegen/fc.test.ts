// fc (GEMM) kernel on the GPU against the CPU reference: input lengths that are and are not multiples
// of 4 (vec4 and scalar paths), 1-D and image inputs (implicit flatten), batches 1..5, with and
// without bias, and register tiles that do not divide the sizes.
// Tolerance: |gpu - ref| <= atol + rtol * |ref|, rtol = 1e-4, atol = 4e-5 * sqrt(input features).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateFc } from "../../src/codegen/fc.js";
import type { FcSchedule } from "../../src/codegen/schedule.js";
import type { Shape } from "../../src/ir/graph.js";
import { runReference } from "../../src/reference/interpret.js";
import { openDevice, type GpuContext } from "../../runtime/device.js";
import { randomTensor, randomWeights, seededRandom, singleOpGraph } from "../reference/graphBuilders.js";
import { expectClose, runPlan, singleNodePlan, toleranceFor } from "./kernelHarness.js";

let gpu: GpuContext;
beforeAll(async () => {
  gpu = await openDevice();
});
afterAll(() => gpu?.destroy());

interface FcCase {
  input: Shape;
  out: number;
  bias: boolean;
  batch: number;
  schedule?: FcSchedule;
}

const CASES: FcCase[] = [
  { input: [3, 5, 7], out: 10, bias: true, batch: 1 },
  { input: [3, 5, 7], out: 13, bias: false, batch: 3 },
  { input: [8, 2, 2], out: 10, bias: true, batch: 5 },
  { input: [8, 2, 2], out: 1, bias: false, batch: 1 },
  { input: [37], out: 7, bias: true, batch: 2 },
  { input: [64], out: 9, bias: true, batch: 5, schedule: { kind: "gemm", outputsPerInvocation: 3, rowsPerInvocation: 2, workgroupSize: 16 } },
  { input: [5, 3, 3], out: 17, bias: true, batch: 4, schedule: { kind: "gemm", outputsPerInvocation: 1, rowsPerInvocation: 1, workgroupSize: 1 } },
  { input: [600], out: 33, bias: false, batch: 2, schedule: { kind: "gemm", outputsPerInvocation: 8, rowsPerInvocation: 4, workgroupSize: 64 } },
];

describe("fc vs the CPU reference", () => {
  CASES.forEach((testCase, index) => {
    const label = `in [${testCase.input.join(", ")}] -> ${testCase.out}, ${testCase.bias ? "bias" : "no bias"}, batch ${testCase.batch}${testCase.schedule === undefined ? "" : `, ${JSON.stringify(testCase.schedule)}`}`;
    it(label, async () => {
      const graph = singleOpGraph({ op: "fc", outFeatures: testCase.out, bias: testCase.bias }, testCase.input);
      const node = graph.nodes[1]!;
      if (testCase.schedule !== undefined) node.schedule = testCase.schedule;
      const random = seededRandom(500 + index);
      const weights = randomWeights(graph, random);
      const input = randomTensor([testCase.batch, ...testCase.input], random);
      const expected = runReference(graph, new Map([["x", input]]), weights).outputs.get("layer")!;
      const plan = singleNodePlan(graph, node.id, testCase.batch, generateFc);
      expect(plan.steps).toHaveLength(1);
      expect(plan.steps[0]!.wgsl).toContain("fc (GEMM): layer layer");
      const features = testCase.input.reduce((a, b) => a * b, 1);
      expectClose(await runPlan(gpu, plan, weights, input), expected, toleranceFor(features), label);
    });
  });
});
