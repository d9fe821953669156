// The training-step gradient check shared by the gradient tests: one step at learning rate 0 (so nothing
// moves) on random images, then every parameter's gradient buffer read back and compared with the
// float64 reference's (runReferenceBackward), to the tolerance of the largest layer's sums.
import { expect } from "vitest";
import type { Graph } from "../../src/ir/graph.js";
import type { ScheduleConvsOptions } from "../../src/passes/scheduleOptions.js";
import { runReference } from "../../src/reference/interpret.js";
import { runReferenceBackward } from "../../src/reference/backward.js";
import { shapeSize } from "../../src/ir/graph.js";
import { initWeights, randomNormalTensor } from "../../runtime/init.js";
import { Trainer, type TrainerSettings } from "../../runtime/training/trainer.js";
import { testGpu } from "../codegen/gpuHarness.js";
import { expectClose, toleranceFor } from "../codegen/kernelHarness.js";

const BATCH = 3;

function settings(loss: "cross_entropy" | "mse", fuse: boolean): TrainerSettings {
  return {
    loss,
    optimizer: { kind: "sgd", momentum: 0 },
    learningRate: 0,
    schedule: { kind: "constant" },
    warmupEpochs: 0,
    batch: BATCH,
    seed: 1,
    stepsPerEpoch: 1,
    totalSteps: 1,
    fuse,
    evaluationBatch: BATCH,
  };
}

/**
 * d loss / d output of the mean cross-entropy: (softmax - onehot) / N of logits, or -1 / (N p[label])
 * of probabilities (a network ending in softmax); or of the mean squared error.
 */
function lossGradient(loss: "cross_entropy" | "mse", outputs: Float32Array, classes: number, labels: Int32Array, targets: Float32Array, probabilities: boolean): Float64Array {
  const gradient = new Float64Array(outputs.length);
  if (loss === "cross_entropy" && probabilities) {
    for (let n = 0; n < BATCH; n++) gradient[n * classes + labels[n]!] = -1 / (BATCH * outputs[n * classes + labels[n]!]!);
    return gradient;
  }
  if (loss === "mse") {
    for (let i = 0; i < outputs.length; i++) gradient[i] = (2 * (outputs[i]! - targets[i]!)) / outputs.length;
    return gradient;
  }
  for (let n = 0; n < BATCH; n++) {
    const row = Array.from(outputs.subarray(n * classes, (n + 1) * classes));
    const largest = Math.max(...row);
    const sum = row.reduce((total, value) => total + Math.exp(value - largest), 0);
    row.forEach((value, k) => (gradient[n * classes + k] = (Math.exp(value - largest) / sum - (k === labels[n] ? 1 : 0)) / BATCH));
  }
  return gradient;
}

/** Checks one training step's gradients of `graph` (forward convs scheduled by `convSchedules`, default: the default rule). */
export async function checkGradients(graph: Graph, loss: "cross_entropy" | "mse", fuse: boolean, convSchedules?: ScheduleConvsOptions): Promise<void> {
  const weights = initWeights(graph, 7);
  // Biases start at zero; give them values so every path carries a gradient.
  for (const [name, tensor] of weights) if (name.endsWith(".bias")) tensor.data.set(randomNormalTensor(tensor.shape, 3, name).data);
  const input = graph.nodes[graph.inputs[0]!]!;
  const output = graph.nodes[graph.outputs[0]!]!;
  const images = randomNormalTensor([BATCH, ...input.shape], 11, "images");
  const classes = shapeSize(output.shape);
  const labels = Int32Array.from({ length: BATCH }, (_, n) => (n * 7 + 1) % classes);
  const targets = randomNormalTensor([BATCH, ...output.shape], 13, "targets").data;
  const reference = runReference(graph, { [input.name]: images }, weights);
  const logits = reference.outputs.get(output.name)!.data;
  const expected = runReferenceBackward(graph, { [input.name]: images }, weights, new Map([[output.name, lossGradient(loss, logits, classes, labels, targets, output.attrs.op === "softmax")]]));
  const trainer = await Trainer.create(await testGpu(), graph, weights, { ...settings(loss, fuse), ...(convSchedules === undefined ? {} : { convSchedules }) });
  try {
    await trainer.step({ images: images.data, labels: loss === "mse" ? targets : labels });
    const gradients = await trainer.readState("gradient");
    const trainable = graph.nodes.flatMap((node) => node.params.filter((param) => param.trainable).map((param) => `${node.name}.${param.name}`));
    expect([...gradients.keys()].sort()).toEqual(trainable.map((name) => `${name}:grad`).sort());
    for (const name of trainable) {
      const want = expected.params.get(name)!;
      const got = gradients.get(`${name}:grad`)!;
      const terms = graph.nodes.reduce((most, node) => Math.max(most, node.macs), 1);
      expectClose({ shape: [got.data.length], data: got.data }, { shape: [want.length], data: Float32Array.from(want) }, toleranceFor(terms), `${graph.name} d loss / d ${name}${fuse ? "" : " (unfused)"}${convSchedules === undefined ? "" : ` (${JSON.stringify(convSchedules)})`}`);
    }
  } finally {
    await trainer.destroy();
  }
}
