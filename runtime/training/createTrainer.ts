// `createTrainer(graph, options)` for library users: the GPU opened, the settings taken from the
// model's train section with `options` overriding them, and the weights initialized from the seed
// (or given). The trainer closes the device it opened when it is destroyed.
import type { Graph, LossKind, LrScheduleConfig, OptimizerConfig } from "../../src/ir/graph.js";
import { TRAIN_DEFAULTS } from "../../src/elaborate/train.js";
import type { WeightMap } from "../../src/tensor.js";
import { withLossOutput } from "../../src/training/lossOutput.js";
import { openDevice, type BackendChoice } from "../device.js";
import { initWeights } from "../init.js";
import { Trainer } from "./trainer.js";

export interface CreateTrainerOptions {
  /** Steps per epoch (the learning-rate schedule's unit); the run is `epochs` of them. */
  stepsPerEpoch: number;
  epochs?: number;
  loss?: LossKind;
  optimizer?: OptimizerConfig;
  learningRate?: number;
  schedule?: LrScheduleConfig;
  warmupEpochs?: number;
  batch?: number;
  /** Seeds the initial weights (unless `weights` are given) and the dropout masks. */
  seed?: number;
  weights?: WeightMap;
  fuse?: boolean;
  evaluationBatch?: number;
  backend?: BackendChoice;
}

export async function createTrainer(model: Graph, options: CreateTrainerOptions): Promise<Trainer> {
  // Several outputs: the loss reads the one the train section names (an error when it names none).
  const graph = withLossOutput(model);
  const train = graph.train ?? TRAIN_DEFAULTS;
  const epochs = options.epochs ?? train.epochs;
  const seed = options.seed ?? 0;
  const gpu = await openDevice(options.backend === undefined ? {} : { backend: options.backend });
  try {
    const trainer = await Trainer.create(gpu, graph, options.weights ?? initWeights(graph, seed), {
      loss: options.loss ?? train.loss,
      optimizer: options.optimizer ?? train.optimizer,
      learningRate: options.learningRate ?? train.learningRate,
      schedule: options.schedule ?? train.schedule,
      warmupEpochs: options.warmupEpochs ?? train.warmupEpochs,
      batch: options.batch ?? train.batch,
      seed,
      stepsPerEpoch: options.stepsPerEpoch,
      totalSteps: options.stepsPerEpoch * epochs,
      ...(options.fuse === undefined ? {} : { fuse: options.fuse }),
      ...(options.evaluationBatch === undefined ? {} : { evaluationBatch: options.evaluationBatch }),
    });
    trainer.closeDeviceOnDestroy();
    return trainer;
  } catch (error) {
    gpu.device.destroy();
    throw error;
  }
}
