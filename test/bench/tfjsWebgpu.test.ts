// The tfjs-webgpu peer harness: its conv2d, with cnnc's layouts and padding converted to tfjs's, equals
// cnnc's float64 reference, with no WebGPU errors on tfjs's device and no tfjs tensors left behind.
import { afterAll, describe, expect, it } from "vitest";

import { openTfjsWebgpu, runTfjsConv2d, tfjsConvUnsupported, tfjsMemory, type TfjsWebgpu } from "../../bench/peers/tfjsWebgpu.js";
import { CnncUserError } from "../../src/errors.js";
import { runReference } from "../../src/reference/interpret.js";
import { compareTensors, FLOAT32_TOLERANCE } from "../codegen/gpuHarness.js";
import { conv2d, randomTensor, randomWeights, seededRandom, singleOpGraph, type Conv2dOptions } from "../reference/graphBuilders.js";

let peer: TfjsWebgpu | undefined;
afterAll(() => peer?.destroy());

interface ConvCase {
  what: string;
  conv: Conv2dOptions;
  input: [number, number, number, number];
}

const CASES: ConvCase[] = [
  { what: "3x3, stride 2, padding 1", conv: { out: 5, kernel: 3, stride: 2, padding: 1 }, input: [2, 3, 9, 8] },
  { what: "asymmetric padding, no bias", conv: { out: 4, kernel: [3, 2], padding: [0, 2, 1, 0], bias: false }, input: [1, 3, 6, 7] },
  { what: "dilation 2", conv: { out: 6, kernel: 3, dilation: 2, padding: 2 }, input: [1, 4, 8, 8] },
  { what: "depthwise (groups = channels), 2 outputs per group", conv: { out: 8, kernel: 3, groups: 4, padding: 1 }, input: [1, 4, 5, 6] },
  { what: "depthwise, stride 2, asymmetric padding", conv: { out: 3, kernel: 3, groups: 3, stride: 2, padding: [1, 0, 0, 2] }, input: [2, 3, 7, 6] },
];

describe("tfjs-webgpu peer conv2d", () => {
  it.each(CASES)("$what equals the float64 reference", async ({ conv, input }) => {
    peer ??= await openTfjsWebgpu();
    const attrs = conv2d(conv);
    const graph = singleOpGraph(attrs, input.slice(1));
    const random = seededRandom(11);
    const weights = randomWeights(graph, random);
    const x = randomTensor(input, random);
    const expected = runReference(graph, new Map([["x", x]]), weights).outputs.get("layer")!;
    const before = tfjsMemory();
    const bias = weights.get("layer.bias");
    const result = await runTfjsConv2d(peer, x, { weight: weights.get("layer.weight")!, ...(bias === undefined ? {} : { bias }) }, attrs, { warmup: 1, runs: 2 });
    expect(result.validationErrors, peer.errorMessages().join("\n")).toBe(0);
    expect(result.timesMs).toHaveLength(2);
    const { firstBad, maxAbsError } = compareTensors(result.output, expected, FLOAT32_TOLERANCE);
    expect(firstBad, `max abs error ${maxAbsError}`).toBeUndefined();
    expect(tfjsMemory()).toEqual(before);
  });

  it("counts WebGPU errors on tfjs's device (what marks a run as untrustworthy)", async () => {
    peer ??= await openTfjsWebgpu();
    const before = peer.validationErrors();
    // A buffer with no usage is a validation error, reported asynchronously like a shader's.
    peer.gpu.device.createBuffer({ size: 16, usage: 0 });
    await peer.gpu.device.queue.onSubmittedWorkDone();
    await expect.poll(() => peer!.validationErrors(), { timeout: 2000 }).toBe(before + 1);
    expect(peer.errorMessages().at(-1)).toMatch(/usage/i);
  });

  it("reports a conv tfjs cannot run, and why", async () => {
    peer ??= await openTfjsWebgpu();
    expect(tfjsConvUnsupported(conv2d({ out: 4, kernel: 3, groups: 2 }), 4)).toMatch(/no grouped conv with 2 groups over 4 channels/);
    expect(tfjsConvUnsupported(conv2d({ out: 4, kernel: 3, stride: 2, dilation: 2 }), 4)).toMatch(/strides > 1 or dilations > 1, not both/);
    expect(tfjsConvUnsupported(conv2d({ out: 4, kernel: 3, padding: 1, mode: "reflect" }), 4)).toMatch(/only with zeros, not `reflect`/);
    const attrs = conv2d({ out: 4, kernel: 3, groups: 2 });
    const graph = singleOpGraph(attrs, [4, 5, 5]);
    const weights = randomWeights(graph, seededRandom(3));
    const run = runTfjsConv2d(peer, randomTensor([1, 4, 5, 5], seededRandom(4)), { weight: weights.get("layer.weight")! }, attrs, { warmup: 0, runs: 1 });
    await expect(run).rejects.toThrow(CnncUserError);
    await expect(run).rejects.toThrow(/cannot run on tfjs: tfjs has no grouped conv/);
  });
});
