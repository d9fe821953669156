// fc (GEMM) kernel on the GPU against the CPU reference: input lengths that are and are not multiples
// of 4 (vec4 and scalar paths), 1-D and image inputs (implicit flatten), batches 1..5, with and
// without bias, and register tiles that do not divide the sizes; and weights split across bindings in
// slices of output features (forced on small layers by a low maxWeightBindingBytes), uneven slices
// included.
// Tolerance: |gpu - ref| <= atol + rtol * |ref|, rtol = 1e-4, atol = 4e-5 * sqrt(input features).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateFc } from "../../src/codegen/fc.js";
import type { Plan } from "../../src/codegen/plan.js";
import type { GemmSchedule as FcSchedule } from "../../src/schedule/kinds/gemm.js";
import type { Shape } from "../../src/ir/graph.js";
import { runReference } from "../../src/reference/interpret.js";
import { openDevice, type GpuContext } from "../../runtime/device.js";
import { randomTensor, randomWeights, seededRandom, singleOpGraph } from "../reference/graphBuilders.js";
import { expectClose, runPlan, singleNodePlan, toleranceFor } from "./kernelHarness.js";
import { chosenSchedule } from "../schedule/chosenSchedule.js";

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
  { input: [64], out: 9, bias: true, batch: 5, schedule: { kind: "gemm", tileM: 3, tileN: 2, vectorWidth: 1, workgroupSize: 16, splitK: 1, workgroupMemory: false } },
  { input: [5, 3, 3], out: 17, bias: true, batch: 4, schedule: { kind: "gemm", tileM: 1, tileN: 1, vectorWidth: 1, workgroupSize: 1, splitK: 1, workgroupMemory: false } },
  { input: [600], out: 33, bias: false, batch: 2, schedule: { kind: "gemm", tileM: 8, tileN: 4, vectorWidth: 1, workgroupSize: 64, splitK: 1, workgroupMemory: false } },
  // The GEMM core's other knobs on fc: split-K, vec4 accumulators along the samples, workgroup memory.
  { input: [300], out: 11, bias: true, batch: 3, schedule: { kind: "gemm", tileM: 4, tileN: 2, vectorWidth: 1, workgroupSize: 16, splitK: 3, workgroupMemory: false } },
  { input: [3, 5, 7], out: 9, bias: true, batch: 6, schedule: { kind: "gemm", tileM: 2, tileN: 4, vectorWidth: 4, workgroupSize: 8, splitK: 1, workgroupMemory: false } },
  { input: [64], out: 19, bias: true, batch: 5, schedule: { kind: "gemm", tileM: 3, tileN: 4, vectorWidth: 4, workgroupSize: 16, splitK: 2, workgroupMemory: true } },
];

describe("fc vs the CPU reference", () => {
  CASES.forEach((testCase, index) => {
    const label = `in [${testCase.input.join(", ")}] -> ${testCase.out}, ${testCase.bias ? "bias" : "no bias"}, batch ${testCase.batch}${testCase.schedule === undefined ? "" : `, ${JSON.stringify(testCase.schedule)}`}`;
    it(label, async () => {
      const graph = singleOpGraph({ op: "fc", outFeatures: testCase.out, bias: testCase.bias }, testCase.input);
      const node = graph.nodes[1]!;
      node.schedule = testCase.schedule ?? chosenSchedule(graph, node);
      const random = seededRandom(500 + index);
      const weights = randomWeights(graph, random);
      const input = randomTensor([testCase.batch, ...testCase.input], random);
      const expected = runReference(graph, new Map([["x", input]]), weights).outputs.get("layer")!;
      const plan = singleNodePlan(graph, node.id, testCase.batch, generateFc);
      expect(plan.steps).toHaveLength(testCase.schedule !== undefined && testCase.schedule.splitK > 1 ? 2 : 1);
      expect(plan.steps[0]!.wgsl.split("\n")[0]).toBe("// fc (GEMM)");
      const features = testCase.input.reduce((a, b) => a * b, 1);
      expectClose(await runPlan(gpu, plan, weights, input), expected, toleranceFor(features), label);
    });
  });
});

interface SlicedFcCase extends FcCase {
  schedule: FcSchedule;
  /** Output features of each slice, in order. */
  slices: number[];
}

const SLICED_CASES: SlicedFcCase[] = [
  // Scalar loads (37 features), 3 rows per slice: 3 + 3 + 3 + 1.
  { input: [37], out: 10, bias: true, batch: 3, slices: [3, 3, 3, 1], schedule: { kind: "gemm", tileM: 1, tileN: 4, vectorWidth: 1, workgroupSize: 64, splitK: 1, workgroupMemory: false, maxWeightBindingBytes: 3 * 37 * 4 } },
  // vec4 loads, slices aligned to the 4-feature register tile: 8 + 5.
  { input: [8, 2, 2], out: 13, bias: false, batch: 1, slices: [8, 5], schedule: { kind: "gemm", tileM: 4, tileN: 4, vectorWidth: 1, workgroupSize: 64, splitK: 1, workgroupMemory: false, maxWeightBindingBytes: 8 * 32 * 4 + 12 } },
  { input: [64], out: 9, bias: true, batch: 1, slices: [4, 4, 1], schedule: { kind: "gemm", tileM: 2, tileN: 2, vectorWidth: 1, workgroupSize: 16, splitK: 1, workgroupMemory: false, maxWeightBindingBytes: 5 * 64 * 4 } },
  { input: [5, 3, 3], out: 17, bias: false, batch: 3, slices: [6, 6, 5], schedule: { kind: "gemm", tileM: 3, tileN: 2, vectorWidth: 1, workgroupSize: 8, splitK: 1, workgroupMemory: false, maxWeightBindingBytes: 7 * 45 * 4 } },
];

/** The bytes bound as each step's weight (the GEMM core binds its row operand, the weight, first). */
function weightBytesOfSteps(plan: Plan): number[] {
  return plan.steps.map((step) => plan.buffers[step.bindings[0]!.buffer]!.bytes);
}

describe("fc with its weight split across bindings vs the CPU reference", () => {
  SLICED_CASES.forEach((testCase, index) => {
    const label = `in [${testCase.input.join(", ")}] -> ${testCase.out} in slices ${testCase.slices.join(" + ")}, ${testCase.bias ? "bias" : "no bias"}, batch ${testCase.batch}`;
    it(label, async () => {
      const graph = singleOpGraph({ op: "fc", outFeatures: testCase.out, bias: testCase.bias }, testCase.input);
      const node = graph.nodes[1]!;
      node.schedule = testCase.schedule;
      const random = seededRandom(700 + index);
      const weights = randomWeights(graph, random);
      const input = randomTensor([testCase.batch, ...testCase.input], random);
      const expected = runReference(graph, new Map([["x", input]]), weights).outputs.get("layer")!;
      const plan = singleNodePlan(graph, node.id, testCase.batch, generateFc);
      const features = testCase.input.reduce((a, b) => a * b, 1);
      expect(plan.steps.map((step) => step.name)).toEqual(testCase.slices.map((_, slice) => `layer.gemm_${slice}`));
      expect(weightBytesOfSteps(plan)).toEqual(testCase.slices.map((rows) => rows * features * 4));
      // Only the slices are bound; no buffer holds the whole weight.
      expect(plan.buffers.filter((buffer) => buffer.label === "layer.weight")).toEqual([]);
      let start = 0;
      plan.steps.forEach((step, slice) => {
        const end = start + testCase.slices[slice]!;
        expect(step.wgsl).toContain(`output features [${start}, ${end}) of every sample`);
        start = end;
      });
      expectClose(await runPlan(gpu, plan, weights, input), expected, toleranceFor(features), label);
    });
  });
});
