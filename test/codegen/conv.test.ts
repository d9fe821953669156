// Conv kernels on the GPU against the CPU reference, every case under both schedules (direct and
// im2col + GEMM), with schedule knobs varied across cases (register blocks that do not divide the
// sizes, chunked column buffers, tiny workgroups).
// Tolerance: |gpu - ref| <= atol + rtol * |ref|, rtol = 1e-4, atol = 4e-5 * sqrt(reduction length):
// inputs and weights are uniform in [-1, 1], so float32 rounding of a length-n dot product stays far
// below this, while any indexing mistake is off by O(0.1..1).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emitConv } from "../../src/codegen/conv/conv.js";
import { biasStage, type EpilogueStage } from "../../src/codegen/epilogue.js";
import type { KernelContext } from "../../src/codegen/plan.js";
import type { ConvSchedule } from "../../src/codegen/schedule.js";
import type { Graph } from "../../src/ir/graph.js";
import { chosenSchedule } from "../schedule/chosenSchedule.js";
import { runReference } from "../../src/reference/interpret.js";
import { openDevice, type GpuContext } from "../../runtime/device.js";
import { conv2d, randomTensor, randomWeights, seededRandom, singleOpGraph } from "../reference/graphBuilders.js";
import { HAND_PICKED_CASES, randomCases, type ConvCase } from "./convCases.js";
import { expectClose, runPlan, singleNodePlan, toleranceFor } from "./kernelHarness.js";

let gpu: GpuContext;
beforeAll(async () => {
  gpu = await openDevice();
});
afterAll(() => gpu?.destroy());

const DIRECT_VARIANTS = [
  {},
  { outputChannelsPerInvocation: 2, pixelsPerInvocation: 8 },
  { outputChannelsPerInvocation: 3, pixelsPerInvocation: 5, workgroupSize: 32 },
  { outputChannelsPerInvocation: 1, pixelsPerInvocation: 1 },
];
const IM2COL_VARIANTS = [
  {},
  { tileM: 2, tileN: 4, maxChunkColumns: 12 },
  { tileM: 3, tileN: 12, workgroupSize: 16 },
  { tileM: 8, tileN: 16, maxChunkColumns: 20 },
];

function scheduleFor(graph: Graph, kind: ConvSchedule["kind"], variant: number): ConvSchedule {
  const base = chosenSchedule(graph, graph.nodes[1]!, kind);
  const knobs = kind === "direct" ? DIRECT_VARIANTS[variant % DIRECT_VARIANTS.length]! : IM2COL_VARIANTS[variant % IM2COL_VARIANTS.length]!;
  return { ...base, ...knobs } as ConvSchedule;
}

async function checkConv(testCase: ConvCase, kind: ConvSchedule["kind"], variant: number, seed: number): Promise<void> {
  const graph = singleOpGraph(testCase.attrs, testCase.input);
  const node = graph.nodes[1]!;
  node.schedule = scheduleFor(graph, kind, variant);
  const random = seededRandom(seed);
  const weights = randomWeights(graph, random);
  const input = randomTensor([testCase.batch, ...testCase.input], random);
  const expected = runReference(graph, new Map([["x", input]]), weights).outputs.get("layer")!;
  const plan = singleNodePlan(graph, node.id, testCase.batch, (n, context: KernelContext) => {
    const stages: EpilogueStage[] = testCase.attrs.bias ? [biasStage(context.paramBuffer("bias"))] : [];
    emitConv(n, context, stages);
  });
  const kernels = plan.steps.map((step) => step.name.slice("layer.".length).replace(/_\d+$/, ""));
  if (kind === "direct") {
    expect(kernels).toEqual(["conv_direct"]);
  } else {
    const columns = testCase.batch * node.shape.slice(1).reduce((a, b) => a * b, 1);
    const chunkLimit = node.schedule["maxChunkColumns"] as number;
    const chunks = chunkLimit === 0 ? 1 : Math.ceil(columns / chunkLimit);
    const expected = chunks === 1 ? ["im2col", "gemm"] : ["chunk_reset", ...Array.from({ length: chunks }, () => ["im2col", "gemm", "chunk_advance"]).flat().slice(0, -1)];
    expect(kernels).toEqual(expected);
    // Every chunk runs the same shaders (the chunk index comes from the counter buffer).
    expect(new Set(plan.steps.filter((step) => step.name.includes("gemm")).map((step) => step.wgsl)).size).toBe(1);
  }
  const actual = await runPlan(gpu, plan, weights, input);
  const reduction = (testCase.input[0]! / testCase.attrs.groups) * testCase.attrs.kernel[0] * testCase.attrs.kernel[1];
  expectClose(actual, expected, toleranceFor(reduction), `${testCase.name} (${JSON.stringify(node.schedule)})`);
}

const cases = [...HAND_PICKED_CASES, ...randomCases(8, 2024)];

describe.each(["direct", "im2col"] as const)("conv %s vs the CPU reference", (kind) => {
  cases.forEach((testCase, index) => {
    it(testCase.name, async () => {
      await checkConv(testCase, kind, index, 1000 + index);
    });
  });
});

describe("dispatch limits", () => {
  it("folds more than 65535 workgroups into a 2-D grid", async () => {
    const testCase: ConvCase = { name: "1x1 on 260x260, one output per workgroup", attrs: conv2d({ out: 1, kernel: 1 }), input: [1, 260, 260], batch: 1 };
    const graph = singleOpGraph(testCase.attrs, testCase.input);
    const node = graph.nodes[1]!;
    node.schedule = { kind: "direct", outputChannelsPerInvocation: 1, pixelsPerInvocation: 1, workgroupSize: 1 };
    const random = seededRandom(7);
    const weights = randomWeights(graph, random);
    const input = randomTensor([1, 1, 260, 260], random);
    const expected = runReference(graph, new Map([["x", input]]), weights).outputs.get("layer")!;
    const plan = singleNodePlan(graph, node.id, 1, (n, context) => emitConv(n, context, [biasStage(context.paramBuffer("bias"))]));
    expect(plan.steps[0]!.workgroups[1]).toBeGreaterThan(1);
    expectClose(await runPlan(gpu, plan, weights, input), expected, toleranceFor(1), testCase.name);
  });
});
