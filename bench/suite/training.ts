// Part 3 of the suite: images/s of a whole training step (forward, loss, backward, optimizer update)
// at a training batch, cnnc's Trainer (as bench/training.ts) against tfjs-webgpu training the same
// model (tfjsGraph.ts, same initial weights) with tfjs-core's autodiff and its SGD momentum, the
// file's optimizer settings and softmax cross-entropy. The first step's loss must agree before any
// time counts. Steps are timed in blocks synchronized by reading the loss back, interleaved.
import { createRequire } from "node:module";

import * as tf from "@tensorflow/tfjs-core";

import { initWeights, randomNormalTensor } from "../../runtime/init.js";
import { Trainer } from "../../runtime/training/trainer.js";
import { shapeSize, type Graph } from "../../src/ir/graph.js";
import type { TfjsWebgpu } from "../peers/tfjsWebgpu.js";
import { loadNetwork } from "./networks.js";
import { buildTfjsModel, type TfjsModel } from "./tfjsGraph.js";
import { round, spreadOf, timeInterleaved, type Spread } from "./timing.js";

// tfjs-core registers its ops' gradients only on request (the @tensorflow/tfjs bundle does it). Its ESM
// file imports directories, which Node's ESM loader refuses, so it is loaded through require; the
// gradient registry is process-global (tfjs's globals), shared with the tfjs-core imported above.
createRequire(import.meta.url)("@tensorflow/tfjs-core/dist/register_all_gradients.js");

/** Relative difference of the two first-step losses that still counts as the same loss (float32 sums over a batch). */
export const LOSS_RTOL = 1e-3;

export interface TrainingResult {
  network: string;
  file: string;
  batch: number;
  stepsPerSample: number;
  firstLoss: { cnnc: number; tfjs: number | undefined; agrees: boolean };
  cnnc: Spread & { imagesPerSecond: number };
  tfjs?: Spread & { imagesPerSecond: number };
  note?: string;
}

interface TfjsTrainer {
  /** One step; returns its loss tensor (the caller disposes it). */
  step(): tf.Scalar;
  dispose(): void;
}

function tfjsTrainer(graph: Graph, model: TfjsModel, images: Float32Array, labels: Int32Array, batch: number): TfjsTrainer {
  const train = graph.train;
  const optimizerConfig = train?.optimizer ?? { kind: "sgd" as const, momentum: 0.9 };
  if (optimizerConfig.kind !== "sgd") throw new Error(`the suite trains tfjs with SGD only; ${graph.name} uses ${optimizerConfig.kind}`);
  if (train !== undefined && train.loss !== "cross_entropy") throw new Error(`the suite trains with cross_entropy; ${graph.name} uses ${train.loss}`);
  const optimizer = tf.train.momentum(train?.learningRate ?? 0.01, optimizerConfig.momentum ?? 0, optimizerConfig.nesterov === true);
  const weightDecay = optimizerConfig.weightDecay ?? 0;
  const input = graph.nodes[graph.inputs[0]!]!;
  const output = graph.nodes[graph.outputs[0]!]!;
  const classes = shapeSize(output.shape);
  const x = tf.tensor(images, [batch, input.shape[1]!, input.shape[2]!, input.shape[0]!]);
  const onehot = tf.oneHot(tf.tensor1d(labels, "int32"), classes);
  const trainable = [...model.params.values()].filter((variable) => variable.trainable);
  // A softmax output is trained as cnnc does: -log p[label] of the softmax.
  const lossOf = (): tf.Scalar => {
    const result = model.forward(new Map([[input.name, x]]), true).get(output.name)!;
    return (output.attrs.op === "softmax" ? tf.neg(tf.mean(tf.log(tf.sum(tf.mul(result, onehot), 1)))) : tf.losses.softmaxCrossEntropy(onehot, result)) as tf.Scalar;
  };
  return {
    step: () => {
      const { value, grads } = tf.variableGrads(lossOf, trainable);
      // PyTorch's SGD weight decay: the gradient plus weight_decay * w, before momentum.
      const decayed = trainable.map((variable) => ({
        name: variable.name,
        tensor: weightDecay === 0 ? grads[variable.name]! : tf.tidy(() => tf.add(grads[variable.name]!, tf.mul(weightDecay, variable))),
      }));
      optimizer.applyGradients(decayed);
      for (const grad of Object.values(grads)) grad.dispose();
      if (weightDecay !== 0) for (const { tensor } of decayed) tensor.dispose();
      return value;
    },
    dispose: () => {
      x.dispose();
      onehot.dispose();
      optimizer.dispose();
    },
  };
}

/** Measures one network's training step at `batch`, `rounds` blocks of `steps` steps each. */
export async function measureTraining(peer: TfjsWebgpu, file: string, batch: number, rounds: number, steps: number): Promise<TrainingResult> {
  const graph = loadNetwork(file);
  const weights = initWeights(graph, 1);
  const input = graph.nodes[graph.inputs[0]!]!;
  const imagesTensor = randomNormalTensor([batch, ...input.shape], 2, "bench");
  const classes = shapeSize(graph.nodes[graph.outputs[0]!]!.shape);
  const labels = Int32Array.from({ length: batch }, (_, n) => (n * 3) % classes);
  const train = graph.train;
  const trainer = await Trainer.create(peer.gpu, graph, weights, {
    loss: train?.loss ?? "cross_entropy",
    optimizer: train?.optimizer ?? { kind: "sgd", momentum: 0.9 },
    learningRate: train?.learningRate ?? 0.01,
    // A constant rate: tfjs's optimizer has no schedule, and the schedule does not change a step's work.
    schedule: { kind: "constant" },
    warmupEpochs: 0,
    batch,
    seed: 1,
    stepsPerEpoch: 1000,
    totalSteps: 1000,
  });
  const model = buildTfjsModel(graph, weights);
  const prepared = model.prepareInputs(new Map([[input.name, imagesTensor]])).get(input.name)!;
  const peerTrainer = tfjsTrainer(graph, model, prepared.data, labels, batch);
  const batchData = { images: imagesTensor.data, labels };
  try {
    await trainer.step(batchData);
    const cnncLoss = (await trainer.metrics()).loss;
    const firstTfjs = peerTrainer.step();
    const tfjsLoss = (await firstTfjs.data())[0]!;
    firstTfjs.dispose();
    const agrees = Math.abs(cnncLoss - tfjsLoss) <= LOSS_RTOL * Math.max(1, Math.abs(cnncLoss));
    const times = await timeInterleaved(
      [
        {
          name: "cnnc",
          run: async () => {
            for (let i = 0; i < steps; i++) await trainer.step(batchData);
            if (!Number.isFinite((await trainer.metrics()).loss)) throw new Error(`cnnc's loss went non-finite training ${graph.name}`);
          },
        },
        {
          name: "tfjs",
          run: async () => {
            for (let i = 0; i < steps - 1; i++) peerTrainer.step().dispose();
            const last = peerTrainer.step();
            const value = (await last.data())[0]!;
            last.dispose();
            if (!Number.isFinite(value)) throw new Error(`tfjs's loss went non-finite training ${graph.name}`);
          },
        },
      ],
      rounds,
      1,
    );
    const perImage = (name: string): Spread & { imagesPerSecond: number } => {
      const spread = spreadOf(times.get(name)!.map((ms) => ms / steps));
      return { ...spread, imagesPerSecond: round((batch * 1000) / spread.medianMs, 1) };
    };
    const base = { network: graph.name, file, batch, stepsPerSample: steps, firstLoss: { cnnc: cnncLoss, tfjs: tfjsLoss, agrees }, cnnc: perImage("cnnc") };
    const errors = peer.validationErrors();
    if (errors > 0) return { ...base, note: `${errors} WebGPU errors on the device (${peer.errorMessages()[0] ?? ""}): tfjs's time does not count` };
    if (!agrees) return { ...base, note: `first-step losses differ (cnnc ${cnncLoss}, tfjs ${tfjsLoss}): tfjs's time does not count` };
    const batchnorm = graph.nodes.some((node) => node.attrs.op === "batchnorm");
    return { ...base, tfjs: perImage("tfjs"), note: `${batchnorm ? "tfjs does not update batchnorm's running statistics (cnnc does); " : ""}the learning rate is constant on both` };
  } finally {
    peerTrainer.dispose();
    model.dispose();
    await trainer.destroy();
  }
}
