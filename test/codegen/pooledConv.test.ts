// Conv + pool in one kernel (the direct conv computing the pool's output) on the GPU against the CPU
// reference of the unfused chain conv -> batchnorm -> relu -> pool (or conv -> pool): max, avg and l2,
// windows that tile the conv output, overlap it (3x3 stride 2) or leave a floor-rounded remainder,
// grouped and 1-D convs, register blocks that do not divide the sizes, batch 2-3; and many input
// channels (900, 1024) under 3x3 windows: with the window's cells looped around the tap and channel
// loops, those ran past llvmpipe's 65535 loop iterations per invocation, which silently ends the loops.
// Tolerance: |gpu - ref| <= atol + rtol * |ref|, rtol = 1e-4, atol = 4e-5 * sqrt(reduction) doubled
// for the batchnorm scale (|scale| < 1.5): float32 rounding of the dot products stays far below it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emitConv } from "../../src/codegen/conv/conv.js";
import { poolRecomputeFactor, pooledConvSupport, type PooledOutput } from "../../src/codegen/conv/pooled.js";
import { activationStage, biasStage, scaleShiftStage, type EpilogueStage } from "../../src/codegen/epilogue.js";
import type { DirectConvSchedule } from "../../src/schedule/kinds/direct.js";
import { chosenSchedule } from "../schedule/chosenSchedule.js";
import type { ConvAttrs, OpAttrs, PoolAttrs, Shape } from "../../src/ir/graph.js";
import { runReference } from "../../src/reference/interpret.js";
import { compileSource } from "../../src/compile.js";
import { buildKernelGraph } from "../../src/pipeline.js";
import { hasErrors } from "../../grammar/diagnostics.js";
import { compareOutput } from "../../runtime/compareOutputs.js";
import { randomNormalTensor } from "../../runtime/init.js";
import { createSession } from "../../runtime/session.js";
import { openDevice, type GpuContext } from "../../runtime/device.js";
import { chainGraph, conv1d, conv2d, pool1d, pool2d, randomTensor, randomWeights, seededRandom } from "../reference/graphBuilders.js";
import { compareTensors } from "./gpuHarness.js";
import { expectClose, TestPlan, toleranceFor } from "./kernelHarness.js";
import { foldBatchnorm } from "./stageOperands.js";

let gpu: GpuContext;
beforeAll(async () => {
  gpu = await openDevice();
});
afterAll(() => gpu?.destroy());

const EPS = 1e-5;

interface PooledCase {
  name: string;
  input: Shape;
  conv: ConvAttrs;
  pool: PoolAttrs;
  batch: number;
  /** Fuse batchnorm (as scale_shift) and relu between the conv and the pool; otherwise bias only. */
  normalized: boolean;
  knobs?: Partial<DirectConvSchedule>;
}

const HAND_PICKED: PooledCase[] = [
  { name: "LeNet: 5x5 conv -> avgpool 2", input: [1, 14, 14], conv: conv2d({ out: 6, kernel: 5 }), pool: pool2d({ kind: "avg", window: 2 }), batch: 2, normalized: false },
  { name: "FashionCNN: 3x3 pad 1 -> bn -> relu -> maxpool 2", input: [1, 12, 12], conv: conv2d({ out: 8, kernel: 3, padding: 1 }), pool: pool2d({ kind: "max", window: 2 }), batch: 2, normalized: true },
  { name: "VGG: 3x3 pad 1 on 8x10 -> maxpool 2", input: [4, 8, 10], conv: conv2d({ out: 8, kernel: 3, padding: 1 }), pool: pool2d({ kind: "max", window: 2 }), batch: 3, normalized: true },
  { name: "overlapping maxpool 3 stride 2", input: [3, 11, 11], conv: conv2d({ out: 5, kernel: 3 }), pool: pool2d({ kind: "max", window: 3, stride: 2 }), batch: 2, normalized: true },
  { name: "overlapping avgpool 3 stride 2, odd register block", input: [3, 13, 12], conv: conv2d({ out: 6, kernel: 3, padding: 1 }), pool: pool2d({ kind: "avg", window: 3, stride: 2 }), batch: 2, normalized: true, knobs: { outputChannelsPerInvocation: 3, pixelsPerInvocation: 5, workgroupSize: 32 } },
  { name: "l2 pool 2 stride 1", input: [2, 7, 6], conv: conv2d({ out: 4, kernel: 2 }), pool: pool2d({ kind: "l2", window: 2, stride: 1 }), batch: 2, normalized: false },
  { name: "floor rounding leaves the last row and column unused", input: [2, 9, 9], conv: conv2d({ out: 4, kernel: 3 }), pool: pool2d({ kind: "max", window: 2 }), batch: 2, normalized: true },
  { name: "groups 2, stride 2 conv, window 2x3 stride 2x3", input: [4, 13, 17], conv: conv2d({ out: 6, kernel: 3, stride: 2, padding: 1, groups: 2 }), pool: pool2d({ kind: "avg", window: [2, 3] }), batch: 2, normalized: true, knobs: { outputChannelsPerInvocation: 2, pixelsPerInvocation: 3 } },
  { name: "conv1d -> maxpool1d 2", input: [3, 20], conv: conv1d({ out: 5, kernel: 3, padding: 1 }), pool: pool1d({ kind: "max", window: 2 }), batch: 2, normalized: true },
  { name: "one channel, one pixel per invocation", input: [2, 6, 6], conv: conv2d({ out: 3, kernel: 3, padding: 1, mode: "reflect" }), pool: pool2d({ kind: "max", window: 3, stride: 3 }), batch: 2, normalized: false, knobs: { outputChannelsPerInvocation: 1, pixelsPerInvocation: 1 } },
];

/**
 * Many input channels under a 3x3 stride-2 window, with the register block choose-schedules picks
 * (8 channels x 1 pooled pixel of 9 conv pixels): 9 * 9 * C loop iterations when the cells were an
 * outer loop, past llvmpipe's limit of 65535 from C = ~810.
 */
const MANY_CHANNELS: PooledCase[] = [900, 1024].flatMap((channels) =>
  (["max", "avg"] as const).flatMap((kind) =>
    [3, 7].map(
      (size): PooledCase => ({
        name: `${channels} input channels: 3x3 pad 1 on ${size}x${size} -> ${kind}pool 3 stride 2`,
        input: [channels, size, size],
        conv: conv2d({ out: 8, kernel: 3, padding: 1 }),
        pool: pool2d({ kind, window: 3, stride: 2 }),
        batch: 2,
        normalized: kind === "max",
        knobs: { outputChannelsPerInvocation: 8, pixelsPerInvocation: 1 },
      }),
    ),
  ),
);

/** Seeded random cases: conv kernel 1-3, stride 1-2, pool window 2-3, stride 1..window. */
function randomCases(count: number, seed: number): PooledCase[] {
  const random = seededRandom(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
  return Array.from({ length: count }, (_, i) => {
    const kernel = pick([1, 2, 3]);
    const window = pick([2, 3]);
    const stride = 1 + Math.floor(random() * window);
    const conv = conv2d({ out: pick([2, 5, 8]), kernel, stride: pick([1, 2]), padding: Math.floor(kernel / 2) });
    const pool = pool2d({ kind: pick(["max", "avg", "l2"] as const), window, stride });
    const input: Shape = [pick([1, 3, 4]), 6 + Math.floor(random() * 8), 6 + Math.floor(random() * 8)];
    const name = `random ${i}: conv ${kernel}x${kernel} stride ${conv.stride[0]} -> ${pool.kind}pool ${window} stride ${stride} on ${input.join("x")}`;
    return { name, input, conv, pool, batch: pick([2, 3]), normalized: random() < 0.5 };
  });
}

function caseGraph(testCase: PooledCase): ReturnType<typeof chainGraph> {
  const middle: OpAttrs[] = testCase.normalized ? [{ op: "batchnorm", eps: EPS, momentum: 0.1 }, { op: "relu" }] : [];
  return chainGraph(testCase.input, [testCase.conv, ...middle, testCase.pool]);
}

/**
 * A plan whose one kernel is the conv `l0` computing the chain's pool; the stages are the conv's
 * bias, then (normalized cases) the folded batchnorm `l1` and relu.
 */
function pooledPlan(testCase: PooledCase, seed: number, nanAt?: number): { test: TestPlan; expected: ReturnType<typeof runReference>["outputs"] } {
  const graph = caseGraph(testCase);
  const convNode = graph.nodes[1]!;
  const poolNode = graph.nodes[graph.nodes.length - 1]!;
  convNode.schedule = { ...chosenSchedule(graph, convNode, "direct"), ...testCase.knobs };
  const random = seededRandom(seed);
  const weights = randomWeights(graph, random);
  const input = randomTensor([testCase.batch, ...testCase.input], random);
  if (nanAt !== undefined) input.data[nanAt] = Number.NaN;
  const expected = runReference(graph, new Map([["x", input]]), weights).outputs;
  const test = new TestPlan(graph, testCase.batch);
  const inputBuffer = test.input("x", input);
  const outputBuffer = test.output(poolNode.name, [testCase.batch, ...poolNode.shape]);
  const folded = testCase.normalized ? foldBatchnorm(weights, "l1", EPS) : undefined;
  const scale = folded === undefined ? 0 : test.data("l1:scale", folded.scale);
  const shift = folded === undefined ? 0 : test.data("l1:shift", folded.shift);
  const pool: PooledOutput = { attrs: testCase.pool, shape: poolNode.shape };
  test.emit(convNode, weights, { inputBuffers: [inputBuffer], outputBuffer }, (node, context) => {
    const stages: EpilogueStage[] = [biasStage(context.paramBuffer("bias"))];
    if (folded !== undefined) stages.push(scaleShiftStage(scale, shift, "0"), activationStage({ op: "relu" }));
    emitConv(node, context, stages, { pool });
  });
  return { test, expected };
}

describe("conv + pool in the direct conv kernel", () => {
  [...HAND_PICKED, ...randomCases(6, 77), ...MANY_CHANNELS].forEach((testCase, index) => {
    it(testCase.name, async () => {
      const { test, expected } = pooledPlan(testCase, 300 + index);
      const plan = test.plan();
      expect(plan.steps.map((step) => step.name)).toEqual(["l0.conv_direct"]);
      expect(plan.steps[0]!.wgsl).toContain("which is never stored");
      const actual = (await test.run(gpu)).get(plan.outputs[0]!.name)!;
      const reduction = (testCase.input[0]! / testCase.conv.groups) * testCase.conv.kernel[0] * testCase.conv.kernel[1];
      const { atol, rtol } = toleranceFor(reduction);
      expectClose(actual, expected.get(plan.outputs[0]!.name)!, { atol: 2 * atol, rtol }, testCase.name);
    });
  });

  it("keeps a NaN through the epilogue and the max, as the unfused kernels do", async () => {
    const testCase = HAND_PICKED[1]!;
    const { test, expected } = pooledPlan(testCase, 41, 5 * 12 + 7);
    const actual = (await test.run(gpu)).get("l3")!;
    const reference = expected.get("l3")!;
    expect(reference.data.some(Number.isNaN)).toBe(true);
    const { firstBad } = compareTensors(actual, reference, { atol: 4e-4, rtol: 1e-4 });
    expect(firstBad).toBeUndefined();
  });

  it("refuses to pool with the im2col schedule (an internal error: the fusion pass asks pooledConvSupport first)", () => {
    const testCase = HAND_PICKED[0]!;
    const graph = caseGraph(testCase);
    graph.nodes[1]!.schedule = chosenSchedule(graph, graph.nodes[1]!, "im2col");
    const test = new TestPlan(graph, 1);
    const pool: PooledOutput = { attrs: testCase.pool, shape: graph.nodes[2]!.shape };
    expect(() => test.emit(graph.nodes[1]!, new Map(), { inputBuffers: [0], outputBuffer: 0 }, (node, context) => emitConv(node, context, [], { pool }))).toThrow(
      /internal: conv l0: the im2col schedule cannot pool/,
    );
  });
});

function compiledNetwork(source: string): ReturnType<typeof caseGraph> {
  const result = compileSource(source, "pooled.cnn");
  if (hasErrors(result.diagnostics) || result.graph === undefined) throw new Error(`test network does not compile: ${JSON.stringify(result.diagnostics)}`);
  return result.graph;
}

describe("conv + pool through the pipeline", () => {
  // On a 3x3 conv output the 3x3 window tiles it exactly, so fuse-conv-pool fuses it (no recompute).
  it("a 1024-channel conv -> relu -> maxpool 3 stride 2 runs as one kernel and matches the reference", async () => {
    const graph = compiledNetwork("network T {\n  input x: 1024x3x3\n  conv(8, 3, pad=1) -> relu -> maxpool(3, stride=2)\n}\n");
    const session = await createSession(graph, { seed: 3, gpu, fuse: true });
    try {
      const plan = session.planFor(2);
      expect(plan.steps).toHaveLength(1);
      expect(plan.steps[0]!.wgsl).toContain("register block: 8 channels x 1 pooled pixels x 9 window cells");
      const inputs = new Map([["x", randomNormalTensor([2, 1024, 3, 3], 4, "x")]]);
      const outputs = await session.run(inputs);
      for (const [name, expected] of runReference(graph, inputs, session.weights).outputs) {
        const comparison = compareOutput(name, outputs.get(name)!, expected);
        expect(comparison.passed, `${name}: max abs error ${comparison.maxAbsError}`).toBe(true);
      }
    } finally {
      session.destroy();
    }
  });

  it("holds fewer channels per invocation for larger windows, keeping the register block near 64 accumulators", () => {
    const blocks = [2, 3, 5, 7].map((window) => {
      const graph = compiledNetwork(`network T {\n  input x: 4x${window * 2}x${window * 2}\n  conv(8, 3, pad=1) -> relu -> avgpool(${window})\n}\n`);
      const kernel = buildKernelGraph(graph).kernels.find((candidate) => candidate.pool !== undefined)!;
      const schedule = kernel.schedule as DirectConvSchedule;
      return [window, schedule.outputChannelsPerInvocation, schedule.pixelsPerInvocation];
    });
    expect(blocks).toEqual([
      [2, 8, 2],
      [3, 8, 1],
      [5, 2, 1],
      [7, 1, 1],
    ]);
  });
});

describe("pooledConvSupport and poolRecomputeFactor", () => {
  const pooled = (attrs: PoolAttrs, shape: Shape): PooledOutput => ({ attrs, shape });
  it("accepts unpadded windows inside the conv output under the direct schedule", () => {
    expect(pooledConvSupport([8, 10, 10], pooled(pool2d({ kind: "max", window: 2 }), [8, 5, 5]), "direct")).toEqual({ ok: true });
    expect(pooledConvSupport([8, 9, 9], pooled(pool2d({ kind: "avg", window: 3, stride: 2 }), [8, 4, 4]), "direct")).toEqual({ ok: true });
  });
  it("says why it cannot: the im2col schedule, pool padding, a ceil-rounded window past the edge, a window of more than 64 cells", () => {
    const cases: [ReturnType<typeof pooledConvSupport>, RegExp][] = [
      [pooledConvSupport([8, 10, 10], pooled(pool2d({ kind: "max", window: 2 }), [8, 5, 5]), "im2col"), /im2col \+ GEMM.*cannot pool inside the kernel/],
      [pooledConvSupport([8, 10, 10], pooled(pool2d({ kind: "max", window: 3, stride: 2, padding: 1 }), [8, 5, 5]), "direct"), /the pool pads the conv output \(padding top 1 bottom 1 left 1 right 1\)/],
      [pooledConvSupport([8, 9, 9], pooled(pool2d({ kind: "max", window: 2, rounding: "ceil" }), [8, 5, 5]), "direct"), /hangs past the edge of the conv output \(rounding=ceil\)/],
      [pooledConvSupport([8, 18, 18], pooled(pool2d({ kind: "avg", window: 9 }), [8, 2, 2]), "direct"), /the pool window has 81 cells; .* up to 64 cells/],
    ];
    for (const [support, reason] of cases) {
      expect(support.ok).toBe(false);
      if (!support.ok) expect(support.reason).toMatch(reason);
    }
  });
  it("counts conv evaluations per conv output", () => {
    expect(poolRecomputeFactor([8, 10, 10], pooled(pool2d({ kind: "max", window: 2 }), [8, 5, 5]))).toBe(1);
    // 3x3 stride 2 over 9x9: 4x4 windows of 9 cells = 144 evaluations of 81 outputs.
    expect(poolRecomputeFactor([8, 9, 9], pooled(pool2d({ kind: "max", window: 3, stride: 2 }), [8, 4, 4]))).toBeCloseTo(144 / 81);
    // Tends to 9/4 on large maps.
    expect(poolRecomputeFactor([8, 201, 201], pooled(pool2d({ kind: "max", window: 3, stride: 2 }), [8, 100, 100]))).toBeCloseTo(2.23, 2);
    // Floor rounding drops the last row and column of 9x9: 64 of 81 outputs evaluated once.
    expect(poolRecomputeFactor([8, 9, 9], pooled(pool2d({ kind: "max", window: 2 }), [8, 4, 4]))).toBeCloseTo(64 / 81);
  });
});
