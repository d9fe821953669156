// Conv kernels on the GPU against the CPU reference, every case under every schedule kind (direct,
// im2col + GEMM, implicit GEMM, and the plain GEMM for the 1x1 stride-1 unpadded ungrouped cases), with
// schedule knobs varied across cases (register blocks that do not divide the sizes, chunked column
// buffers, tiny workgroups, vectorWidth 1/4, split-K, workgroup memory).
// Tolerance: |gpu - ref| <= atol + rtol * |ref|, rtol = 1e-4, atol = 4e-5 * sqrt(reduction length):
// inputs and weights are uniform in [-1, 1], so float32 rounding of a length-n dot product stays far
// below this, while any indexing mistake is off by O(0.1..1).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emitConv } from "../../src/codegen/conv/conv.js";
import { biasStage, type EpilogueStage } from "../../src/codegen/epilogue.js";
import type { KernelContext } from "../../src/codegen/plan.js";
import type { ConvSchedule } from "../../src/codegen/schedule.js";
import { chosenSchedule } from "../schedule/chosenSchedule.js";
import type { ConvAttrs, Graph } from "../../src/ir/graph.js";
import { runReference } from "../../src/reference/interpret.js";
import { openDevice, type GpuContext } from "../../runtime/device.js";
import { pointwiseConvIllegal } from "../../src/schedule/kinds/gemm.js";
import { conv1d, conv2d, randomTensor, randomWeights, seededRandom, singleOpGraph } from "../reference/graphBuilders.js";
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
  { tileM: 4, tileN: 8, splitK: 3, maxChunkColumns: 16 },
  { tileM: 2, tileN: 8, workgroupSize: 16, workgroupMemory: true },
];
const GEMM_VARIANTS = [
  {},
  { tileM: 3, tileN: 5, vectorWidth: 1 },
  { tileM: 2, tileN: 8, workgroupSize: 16, splitK: 2 },
  { tileM: 4, tileN: 4, workgroupSize: 32, workgroupMemory: true },
  { tileM: 1, tileN: 3, vectorWidth: 1, workgroupSize: 8, splitK: 4, workgroupMemory: true },
];

function scheduleFor(graph: Graph, kind: ConvSchedule["kind"], variant: number): ConvSchedule {
  const base = chosenSchedule(graph, graph.nodes[1]!, kind);
  const variants: readonly object[] = kind === "direct" ? DIRECT_VARIANTS : kind === "im2col" ? IM2COL_VARIANTS : GEMM_VARIANTS;
  return { ...base, ...variants[variant % variants.length]! } as ConvSchedule;
}

/** The kernel steps each kind emits (im2col's are checked in full below). */
const SINGLE_KERNEL: Record<"direct" | "implicit_gemm" | "winograd" | "gemm", string> = { direct: "conv_direct", implicit_gemm: "implicit_gemm", winograd: "winograd", gemm: "gemm" };

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
  const kernels = plan.steps.map((step) => step.name.slice("layer.".length).replace(/_\d+/g, ""));
  if (kind !== "im2col") {
    const splitK = node.schedule["splitK"];
    const single = SINGLE_KERNEL[kind];
    expect(kernels).toEqual(typeof splitK === "number" && splitK > 1 ? [single, `${single}_sum`] : [single]);
  } else {
    const columns = testCase.batch * node.shape.slice(1).reduce((a, b) => a * b, 1);
    const chunkLimit = node.schedule["maxChunkColumns"] as number;
    const chunks = chunkLimit === 0 ? 1 : Math.ceil(columns / chunkLimit);
    const gemm = node.schedule["splitK"] === 1 ? ["gemm"] : ["gemm", "gemm_sum"];
    const expected = chunks === 1 ? ["im2col", ...gemm] : ["chunk_reset", ...Array.from({ length: chunks }, () => ["im2col", ...gemm, "chunk_advance"]).flat().slice(0, -1)];
    expect(kernels).toEqual(expected);
    // Every chunk runs the same shaders (the chunk index comes from the counter buffer).
    expect(new Set(plan.steps.filter((step) => /gemm(_\d+)?$/.test(step.name)).map((step) => step.wgsl)).size).toBe(1);
  }
  const actual = await runPlan(gpu, plan, weights, input);
  const reduction = (testCase.input[0]! / testCase.attrs.groups) * testCase.attrs.kernel[0] * testCase.attrs.kernel[1];
  expectClose(actual, expected, toleranceFor(reduction), `${testCase.name} (${JSON.stringify(node.schedule)})`);
}

const cases = [...HAND_PICKED_CASES, ...randomCases(8, 2024)];

describe.each(["direct", "im2col", "implicit_gemm"] as const)("conv %s vs the CPU reference", (kind) => {
  cases.forEach((testCase, index) => {
    it(testCase.name, async () => {
      await checkConv(testCase, kind, index, 1000 + index);
    });
  });
});

/** The cases the plain GEMM computes: 1x1, stride 1, unpadded, ungrouped (dilation is irrelevant). */
const pointwiseCases: ConvCase[] = [
  ...cases.filter((testCase) => pointwiseConvIllegal(convShapeOfAttrs(testCase.attrs)) === undefined),
  { name: "1x1 C=5 K=3 on 7x3, batch 3, no bias", attrs: conv2d({ out: 3, kernel: 1, bias: false }), input: [5, 7, 3], batch: 3 },
  { name: "1x1 dilation 2 C=8 K=9", attrs: conv2d({ out: 9, kernel: 1, dilation: 2 }), input: [8, 4, 4], batch: 1 },
  { name: "conv1d 1x1 C=6 K=10", attrs: conv1d({ out: 10, kernel: 1 }), input: [6, 11], batch: 2 },
];

function convShapeOfAttrs(attrs: ConvAttrs): Parameters<typeof pointwiseConvIllegal>[0] {
  return { KH: attrs.kernel[0], KW: attrs.kernel[1], stride: attrs.stride, padding: attrs.padding, groups: attrs.groups };
}

describe("conv gemm (1x1 as a plain GEMM) vs the CPU reference", () => {
  it("has cases", () => {
    expect(pointwiseCases.length).toBeGreaterThanOrEqual(4);
  });
  pointwiseCases.forEach((testCase, index) => {
    it(testCase.name, async () => {
      await checkConv(testCase, "gemm", index, 3000 + index);
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
