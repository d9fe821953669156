// Channel-slice stores (a concat written in place by its producers) on the GPU: two kernels write the
// two halves of one [N, C0 + C1, H, W] buffer, each through `output_index`, and the result must be the
// concat of the references. Covers the direct conv (plain and pooled), the im2col GEMM (with a residual
// stage, which reads the operand at the kernel's own dense index), the pool kernel and the elementwise
// concat of the references. Covers the direct conv (plain and pooled), the GEMM-core convs (im2col, implicit GEMM with split-K, the 1x1 GEMM with workgroup memory; with a residual
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emitConv } from "../../src/codegen/conv/conv.js";
import { activationStage, biasStage, residualAddStage } from "../../src/codegen/epilogue.js";
import { emitElementwise } from "../../src/codegen/elementwise.js";
import { generatePool } from "../../src/codegen/pool.js";
import type { ConvScheduleKind } from "../../src/codegen/schedule.js";
import { chosenSchedule } from "../schedule/chosenSchedule.js";
import type { OutputStore } from "../../src/codegen/store.js";
import type { ConvAttrs, Graph } from "../../src/ir/graph.js";
import { runReference } from "../../src/reference/interpret.js";
import type { Tensor } from "../../src/tensor.js";
import { openDevice, type GpuContext } from "../../runtime/device.js";
import { chainGraph, conv2d, pool2d, randomTensor, randomWeights, seededRandom } from "../reference/graphBuilders.js";
import { expectClose, TestPlan, toleranceFor } from "./kernelHarness.js";
import { concatChannels, mapTensor, zipTensors } from "./stageOperands.js";

let gpu: GpuContext;
beforeAll(async () => {
  gpu = await openDevice();
});
afterAll(() => gpu?.destroy());

const slice = (channelOffset: number, totalChannels: number): OutputStore => ({ kind: "channel_slice", channelOffset, totalChannels });

/** A chain graph whose layers are renamed `<prefix>0`, `<prefix>1`, ... so two chains' weights do not collide. */
function namedChain(prefix: string, ...args: Parameters<typeof chainGraph>): Graph {
  const graph = chainGraph(...args);
  graph.nodes.slice(1).forEach((node, i) => (node.name = `${prefix}${i}`));
  return graph;
}

function reference(graph: Graph, input: Tensor, weights: ReturnType<typeof randomWeights>): Tensor {
  const outputs = runReference(graph, new Map([["x", input]]), weights).outputs;
  return outputs.get(graph.nodes[graph.outputs[0]!]!.name)!;
}

describe("channel-slice stores: two producers fill one buffer", () => {
  const secondProducers: { label: string; conv: ConvAttrs; kind: ConvScheduleKind; knobs: Record<string, number | boolean> }[] = [
    { label: "im2col GEMM", conv: conv2d({ out: 5, kernel: 3, stride: 1, padding: 1 }), kind: "im2col", knobs: { tileM: 2, tileN: 8, maxChunkColumns: 24 } },
    { label: "implicit GEMM (split-K)", conv: conv2d({ out: 5, kernel: 3, stride: 1, padding: 1 }), kind: "implicit_gemm", knobs: { tileM: 2, tileN: 8, splitK: 2 } },
    { label: "1x1 conv GEMM (workgroup memory)", conv: conv2d({ out: 5, kernel: 1 }), kind: "gemm", knobs: { tileM: 2, tileN: 4, workgroupSize: 16, workgroupMemory: true } },
  ];
  it.each(secondProducers)("direct conv -> channels 0..3, $label + residual + relu -> channels 4..8", async ({ conv: convB, kind, knobs }) => {
    const batch = 2;
    const random = seededRandom(91);
    const convA = conv2d({ out: 4, kernel: 3, padding: 1 });
    const graphA = namedChain("a", [3, 7, 6], [convA]);
    const graphB = namedChain("b", [3, 7, 6], [convB]);
    graphA.nodes[1]!.schedule = { ...chosenSchedule(graphA, graphA.nodes[1]!, "direct"), pixelsPerInvocation: 3 };
    graphB.nodes[1]!.schedule = { ...chosenSchedule(graphB, graphB.nodes[1]!, kind), ...knobs };
    const weightsA = randomWeights(graphA, random);
    const weightsB = randomWeights(graphB, random);
    const input = randomTensor([batch, 3, 7, 6], random);
    const residual = randomTensor([batch, 5, 7, 6], random);

    const test = new TestPlan(graphA, batch);
    const x = test.input("x", input);
    const output = test.output("concat", [batch, 9, 7, 6]);
    const residualBuffer = test.data("residual", residual);
    test.emit(graphA.nodes[1]!, weightsA, { inputBuffers: [x], outputBuffer: output, outputStore: slice(0, 9) }, (node, context) =>
      emitConv(node, context, [biasStage(context.paramBuffer("bias"))]),
    );
    test.emit(graphB.nodes[1]!, weightsB, { graph: graphB, inputBuffers: [x], outputBuffer: output, outputStore: slice(4, 9) }, (node, context) =>
      emitConv(node, context, [biasStage(context.paramBuffer("bias")), residualAddStage(residualBuffer, "0"), activationStage({ op: "relu" })]),
    );
    // Every kernel writing the output (the direct conv, each chunk's GEMM or split-K sum) stores through output_index.
    const storing = test.plan().steps.filter((step) => /read_write> output:/.test(step.wgsl));
    expect(storing.length).toBeGreaterThanOrEqual(2);
    for (const step of storing) expect(step.wgsl, step.name).toContain("output[output_index(");

    const expectedB = mapTensor(
      zipTensors(reference(graphB, input, weightsB), residual, (a, b) => a + b),
      (value) => Math.max(value, 0),
    );
    const expected = concatChannels([reference(graphA, input, weightsA), expectedB]);
    expectClose((await test.run(gpu)).get("concat")!, expected, toleranceFor(27), "conv halves of one buffer");
  });

  it("pool -> channels 0..2, elementwise sum + relu -> channels 3..4", async () => {
    const batch = 3;
    const random = seededRandom(92);
    const poolGraph = namedChain("p", [3, 8, 8], [pool2d({ kind: "max", window: 2 })]);
    const elementwiseGraph = namedChain("e", [2, 4, 4], [{ op: "relu" }]);
    const input = randomTensor([batch, 3, 8, 8], random);
    const a = randomTensor([batch, 2, 4, 4], random);
    const b = randomTensor([batch, 2, 4, 4], random);

    const test = new TestPlan(poolGraph, batch);
    const x = test.input("x", input);
    const aBuffer = test.input("a", a);
    const bBuffer = test.input("b", b);
    const output = test.output("concat", [batch, 5, 4, 4]);
    test.emit(poolGraph.nodes[1]!, new Map(), { inputBuffers: [x], outputBuffer: output, outputStore: slice(0, 5) }, generatePool);
    test.emit(elementwiseGraph.nodes[1]!, new Map(), { graph: elementwiseGraph, inputBuffers: [aBuffer, bBuffer], outputBuffer: output, outputStore: slice(3, 5) }, (node, context) =>
      emitElementwise(node, context, [activationStage({ op: "relu" })]),
    );

    const sum = mapTensor(zipTensors(a, b, (p, q) => p + q), (value) => Math.max(value, 0));
    const expected = concatChannels([reference(poolGraph, input, new Map()), sum]);
    expectClose((await test.run(gpu)).get("concat")!, expected, toleranceFor(1), "pool and elementwise halves");
  });

  it("avgpool -> channels 0..2, conv + maxpool in one kernel -> channels 3..8", async () => {
    const batch = 2;
    const random = seededRandom(93);
    const conv = conv2d({ out: 6, kernel: 3, padding: 1 });
    const pool = pool2d({ kind: "max", window: 2 });
    const poolGraph = namedChain("p", [3, 8, 8], [pool2d({ kind: "avg", window: 2 })]);
    const convGraph = namedChain("c", [3, 8, 8], [conv, pool]);
    convGraph.nodes[1]!.schedule = { ...chosenSchedule(convGraph, convGraph.nodes[1]!, "direct"), outputChannelsPerInvocation: 3, pixelsPerInvocation: 3 };
    const weights = randomWeights(convGraph, random);
    const input = randomTensor([batch, 3, 8, 8], random);

    const test = new TestPlan(poolGraph, batch);
    const x = test.input("x", input);
    const output = test.output("concat", [batch, 9, 4, 4]);
    test.emit(poolGraph.nodes[1]!, new Map(), { inputBuffers: [x], outputBuffer: output, outputStore: slice(0, 9) }, generatePool);
    test.emit(convGraph.nodes[1]!, weights, { graph: convGraph, inputBuffers: [x], outputBuffer: output, outputStore: slice(3, 9) }, (node, context) =>
      emitConv(node, context, [biasStage(context.paramBuffer("bias"))], { pool: { attrs: pool, shape: convGraph.nodes[2]!.shape } }),
    );

    const expected = concatChannels([reference(poolGraph, input, new Map()), reference(convGraph, input, weights)]);
    expectClose((await test.run(gpu)).get("concat")!, expected, toleranceFor(27), "pool and pooled-conv halves");
  });

  it("rejects a slice that does not fit the value, and stores the other kernels cannot make (internal errors)", () => {
    const graph = namedChain("p", [3, 8, 8], [pool2d({ kind: "max", window: 2 }), { op: "softmax" }]);
    const test = new TestPlan(graph, 1);
    expect(() => test.emit(graph.nodes[1]!, new Map(), { inputBuffers: [0], outputBuffer: 0, outputStore: slice(2, 4) }, generatePool)).toThrow(
      /internal: a channel slice \[2, 5\) does not fit 4 channels/,
    );
    expect(() =>
      test.emit(graph.nodes[2]!, new Map(), { inputBuffers: [0], outputBuffer: 0, outputStore: slice(0, 6) }, (node, context) => emitElementwise(node, { ...context, inPlace: true }, [])),
    ).toThrow(/internal: p1: elementwise kernel cannot run in place and store into a channel slice/);
  });
});
