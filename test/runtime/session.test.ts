// The library session: one session runs any batch (plans cached per batch), initializes or checks
// weights, and matches the CPU reference. Tolerance: FLOAT32_TOLERANCE (rtol 1e-4, atol 1e-5) scaled
// for the conv's reduction length via toleranceFor.
import { afterAll, describe, expect, it } from "vitest";

import { createSession, type Session } from "../../runtime/session.js";
import { initWeights } from "../../runtime/init.js";
import { buildPlan } from "../../src/pipeline.js";
import type { OpAttrs } from "../../src/ir/graph.js";
import { runReference } from "../../src/reference/interpret.js";
import { CnncUserError } from "../../src/errors.js";
import { makeTensor } from "../../src/tensor.js";
import { compareTensors, testGpu } from "../codegen/gpuHarness.js";
import { toleranceFor } from "../codegen/kernelHarness.js";
import { chainGraph, conv2d, pool2d, randomTensor, seededRandom } from "../reference/graphBuilders.js";

const ops: OpAttrs[] = [
  conv2d({ out: 6, kernel: 3, padding: 1 }),
  { op: "relu" },
  pool2d({ kind: "max", window: 2 }),
  { op: "flatten" },
  { op: "fc", outFeatures: 5, bias: true },
  { op: "softmax" },
];
const graph = chainGraph([3, 8, 8], ops);
const sessions: Session[] = [];
afterAll(() => sessions.forEach((session) => session.destroy()));

async function open(options: Parameters<typeof createSession>[1] = {}): Promise<Session> {
  const session = await createSession(graph, { gpu: await testGpu(), ...options });
  sessions.push(session);
  return session;
}

describe("createSession", () => {
  it("runs batch 1 and batch 4 in the same session, each matching the reference", async () => {
    const session = await open({ seed: 3 });
    const random = seededRandom(5);
    for (const batch of [1, 4, 1]) {
      const input = randomTensor([batch, 3, 8, 8], random);
      const outputs = await session.run({ x: input });
      const expected = runReference(graph, new Map([["x", input]]), session.weights).outputs;
      const output = outputs.get("l5")!;
      expect(output.shape).toEqual([batch, 5]);
      const { firstBad } = compareTensors(output, expected.get("l5")!, toleranceFor(6 * 4 * 4));
      expect(firstBad, `batch ${batch}`).toBeUndefined();
    }
    expect(session.planFor(1)).toBe(session.planFor(1));
    expect(session.planFor(4).batch).toBe(4);
  });

  it("initializes weights deterministically from the seed", async () => {
    const session = await open({ seed: 7 });
    const expected = initWeights(graph, 7);
    expect([...session.weights.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [name, tensor] of expected) expect(session.weights.get(name)!.data).toEqual(tensor.data);
  });

  it("uses given weights after checking them", async () => {
    const weights = initWeights(graph, 11);
    const session = await open({ weights });
    expect(session.weights).toBe(weights);
    const input = makeTensor([2, 3, 8, 8], new Float32Array(2 * 3 * 64).fill(0.5));
    const a = (await session.run(new Map([["x", input]]))).get("l5")!;
    const expected = runReference(graph, new Map([["x", input]]), weights).outputs.get("l5")!;
    expect(compareTensors(a, expected, toleranceFor(54)).firstBad).toBeUndefined();

    const broken = new Map(weights);
    broken.delete("l0.bias");
    broken.set("l4.weight", makeTensor([5, 7]));
    const error = await createSession(graph, { weights: broken, weightsSource: "w.safetensors", gpu: await testGpu() }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(CnncUserError);
    const message = (error as CnncUserError).message;
    expect(message).toContain("w.safetensors");
    expect(message).toContain("l0.bias");
    expect(message).toContain("l4.weight");
  });

  it("rejects inputs of the wrong shape with the expected one", async () => {
    const session = await open();
    await expect(session.run({ x: makeTensor([3, 8, 8]) })).rejects.toThrow(/\[N, 3, 8, 8\].*NCHW/);
    await expect(session.run({ y: makeTensor([1, 3, 8, 8]) })).rejects.toThrow(/no input named `y`/);
  });

  it("prepares a batch once, checking its buffers against the device, and runs given plans as they are", async () => {
    const gpu = await testGpu();
    const limit = Math.min(gpu.device.limits.maxStorageBufferBindingSize, gpu.device.limits.maxBufferSize);
    // Unfused, conv l0's output, 6x8x8 floats per sample, is the largest value (fused with its pool, it is never stored).
    const largest = Math.floor(limit / (6 * 64 * 4));
    const plan = buildPlan(graph, largest + 1, { fuse: false });
    const session = await open({ plans: [plan], fuse: false });
    expect(session.planFor(largest + 1)).toBe(plan);
    const error = await session.prepare(largest + 1).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(CnncUserError);
    expect((error as CnncUserError).message).toMatch(new RegExp(`^the output of layer l0 \\[${largest + 1}, 6, 8, 8\\] needs .* at batch ${(largest + 1).toLocaleString("en-US")}, more than this GPU allows`));
    expect((error as CnncUserError).hint).toBe(`use a smaller batch: at most ${largest.toLocaleString("en-US")} fits this GPU's storage buffers`);
    await session.prepare(2);
    const outputs = await session.run({ x: makeTensor([2, 3, 8, 8]) });
    expect(outputs.get("l5")!.shape).toEqual([2, 5]);
  });

  it("reports the adapter it runs on", async () => {
    const session = await open();
    expect(session.adapterDescription).toBe((await testGpu()).description);
    expect(session.adapterDescription.length).toBeGreaterThan(0);
  });
});
