// The GPU trainer as a user of the TypeScript API meets it: a small network overfits a tiny synthetic
// batch to near-zero loss, two seeded runs end with bit-identical weights (batchnorm and dropout
// included), evaluation uses the running statistics, and a loss that goes non-finite is caught with
// the step and the first layer it shows up in.
import { describe, expect, it } from "vitest";
import { initWeights, randomNormalTensor } from "../../runtime/init.js";
import { evaluationLoss } from "../../runtime/training/evaluation.js";
import { runReference } from "../../src/reference/interpret.js";
import { nonFiniteStepMessage, diagnoseNonFinite } from "../../runtime/training/diagnose.js";
import { Trainer, type TrainerSettings } from "../../runtime/training/trainer.js";
import { testGpu } from "../codegen/gpuHarness.js";
import { compileText } from "../kernels/kernelHelpers.js";

const SOURCE = `network Tiny {
  input x: 1x8x8
  conv(4, 3, pad=1, bias=false) as c1 -> batchnorm as bn1 -> relu -> maxpool(2)
  conv(8, 3, pad=1) as c2 -> relu
  fc(16) as f1 -> relu -> dropout(0.2)
  fc(4) as out
}`;

const BATCH = 8;

function settings(overrides: Partial<TrainerSettings> = {}): TrainerSettings {
  return {
    loss: "cross_entropy",
    optimizer: { kind: "adam" },
    learningRate: 0.01,
    schedule: { kind: "constant" },
    warmupEpochs: 0,
    batch: BATCH,
    seed: 5,
    stepsPerEpoch: 100,
    totalSteps: 1000,
    evaluationBatch: BATCH,
    ...overrides,
  };
}

function tinyBatch(): { images: Float32Array; labels: Int32Array } {
  return { images: randomNormalTensor([BATCH, 1, 8, 8], 21, "tiny").data, labels: Int32Array.from({ length: BATCH }, (_, n) => n % 4) };
}

async function train(steps: number, overrides: Partial<TrainerSettings> = {}) {
  const graph = compileText(SOURCE);
  const trainer = await Trainer.create(await testGpu(), graph, initWeights(graph, 3), settings(overrides));
  const batch = tinyBatch();
  for (let step = 0; step < steps; step++) await trainer.step(batch);
  return { trainer, batch };
}

describe("Trainer", () => {
  it("overfits a tiny batch to near-zero loss, and evaluates it with the running statistics", async () => {
    const { trainer, batch } = await train(150);
    try {
      const first = await trainer.metrics();
      expect(first.samples).toBe(150 * BATCH);
      for (let step = 0; step < 20; step++) await trainer.step(batch);
      const last = await trainer.metrics();
      expect(last.loss).toBeLessThan(0.05);
      // Dropout is on while training, so a sample may still be missed now and then; evaluation has none.
      expect(last.accuracy).toBeGreaterThan(0.95);
      expect(last.nonFiniteStep).toBeUndefined();
      const evaluation = await trainer.evaluate(batch);
      expect(evaluation.accuracy).toBe(1);
      expect(evaluation.count).toBe(BATCH);
    } finally {
      await trainer.destroy();
    }
  });

  it("evaluates with the trained weights and running statistics as the CPU reference does (batchnorm folded on the device)", async () => {
    const { trainer, batch } = await train(20);
    try {
      const weights = await trainer.readWeights();
      const graph = trainer.graph;
      const logits = runReference(graph, { x: { shape: [BATCH, 1, 8, 8], data: batch.images } }, weights).outputs.get("out")!.data;
      const expected = evaluationLoss("cross_entropy", logits, 4, batch.labels);
      const evaluation = await trainer.evaluate(batch);
      expect([...evaluation.predictions!]).toEqual([...expected.predictions!]);
      expect(evaluation.loss).toBeCloseTo(expected.loss, 4);
    } finally {
      await trainer.destroy();
    }
  });

  it("refuses a batch whose labels do not fit the loss", async () => {
    const { trainer, batch } = await train(0);
    try {
      await expect(trainer.step({ images: batch.images, labels: batch.labels.subarray(1) })).rejects.toThrow(/cross_entropy takes an Int32Array of 8 class indices per step, got Int32Array of 7/);
      await expect(trainer.step({ images: batch.images, labels: Int32Array.from(batch.labels, () => 4) })).rejects.toThrow(/a label is 4, but Tiny has 4 classes/);
    } finally {
      await trainer.destroy();
    }
  });

  it("two runs with one seed end with bit-identical weights and optimizer state", async () => {
    const runs = [];
    for (let run = 0; run < 2; run++) {
      const { trainer } = await train(12, { optimizer: { kind: "sgd", momentum: 0.9, nesterov: true, weightDecay: 5e-4 }, learningRate: 0.05 });
      try {
        runs.push({ weights: await trainer.readWeights(), state: await trainer.readState("optimizer") });
      } finally {
        await trainer.destroy();
      }
    }
    const [a, b] = runs;
    expect([...a!.weights.keys()]).toEqual([...b!.weights.keys()]);
    for (const [name, tensor] of a!.weights) expect(Buffer.from(tensor.data.buffer).equals(Buffer.from(b!.weights.get(name)!.data.buffer)), name).toBe(true);
    expect(a!.state.size).toBeGreaterThan(0);
    for (const [name, tensor] of a!.state) expect(Buffer.from(tensor.data.buffer).equals(Buffer.from(b!.state.get(name)!.data.buffer)), name).toBe(true);
  });

  it("stops at a non-finite loss and names the step and the first layer that went non-finite", async () => {
    const { trainer, batch } = await train(6, { optimizer: { kind: "sgd", momentum: 0 }, learningRate: 1e30 });
    try {
      const metrics = await trainer.metrics();
      expect(metrics.nonFiniteStep).toBeDefined();
      const before = await trainer.readWeights();
      await trainer.step(batch);
      const after = await trainer.readWeights();
      // Updates stop at the flag: the parameters stay those that produced the non-finite loss (the
      // running statistics are buffers the forward keeps updating; a training step does not read them).
      for (const [name, tensor] of before) if (!name.includes("running")) expect([...after.get(name)!.data], name).toEqual([...tensor.data]);
      const report = await diagnoseNonFinite(trainer, batch, metrics.nonFiniteStep!);
      const text = nonFiniteStepMessage(report);
      expect(text).toMatch(new RegExp(`at step ${metrics.nonFiniteStep! + 1}`));
      expect(report.kernel).toBeDefined();
      expect(text).toMatch(/the first non-finite value .* of layer [\w.+]+ \(kernel [\w.]+\)/);
    } finally {
      await trainer.destroy();
    }
  });
});
