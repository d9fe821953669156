// A whole training run, as `cnnc train` does it: epochs of shuffled mini-batches through the GPU
// trainer, the loss and accuracy read back every `logEvery` steps (appended to metrics.jsonl, shown on
// the progress line), the test split evaluated after each epoch, a checkpoint written atomically at
// each read so that a killed run resumes where it stopped (bit for bit: the batches, dropout masks and
// learning rates are functions of the seed and the step), and at the end the trained weights, the
// curves and the confusion matrix.
import { join } from "node:path";
import { CnncUserError } from "../../src/errors.js";
import type { Graph } from "../../src/ir/graph.js";
import type { WeightMap } from "../../src/tensor.js";
import { appendMetrics, truncateMetrics, type MetricsRecord } from "../../src/training/report/metricsLog.js";
import { curvesSvg } from "../../src/training/report/curvesSvg.js";
import { confusionMatrix, confusionSvg, formatConfusion } from "../../src/training/report/confusion.js";
import { BatchLoader } from "../data/loader.js";
import type { Augmentation } from "../data/augment.js";
import type { BatchOptions } from "../data/batches.js";
import type { Dataset } from "../data/dataset.js";
import { normalizeImages, type Normalization } from "../data/normalize.js";
import type { GpuContext } from "../device.js";
import { initWeights } from "../init.js";
import { writeSafetensorsFile } from "../safetensors.js";
import { writeFileAtomically } from "../writeUserFile.js";
import { nonFiniteStepMessage, diagnoseNonFinite } from "./diagnose.js";
import { Trainer, type TrainerSettings } from "./trainer.js";

export interface TrainingData {
  train: Dataset;
  test: Dataset;
  /** Per-channel standardization, computed from the training split. */
  normalization: Normalization;
  /** The dataset's identity (kind and directory), checked on resume. */
  identity: string;
  classNames: string[];
}

export interface TrainingRunOptions {
  graph: Graph;
  settings: Omit<TrainerSettings, "stepsPerEpoch" | "totalSteps">;
  epochs: number;
  data: TrainingData;
  /** The run directory (created by the caller): metrics.jsonl, checkpoint, curves, confusion, model. */
  runDirectory: string;
  /** Continue the run saved in `runDirectory`. */
  resume: boolean;
  /** Steps between reads of the loss (and checkpoints). */
  logEvery: number;
  /** Random flips and crops of the training images (seeded per epoch and batch). */
  augmentation?: Augmentation;
  /** Progress: called after each read and at each epoch's end. */
  report(event: TrainingEvent): void;
}

export type TrainingEvent =
  | { kind: "compiled"; seconds: number; kernels: number }
  | { kind: "resumed"; step: number; epoch: number }
  | { kind: "progress"; epoch: number; stepInEpoch: number; stepsPerEpoch: number; loss: number; accuracy: number | undefined; imagesPerSecond: number; elapsedSeconds: number }
  | { kind: "epoch"; record: MetricsRecord }
  | { kind: "done"; confusion: string; files: string[] };

export interface TrainingRunResult {
  weights: WeightMap;
  testAccuracy: number | undefined;
  testLoss: number;
  records: MetricsRecord[];
}

const CHECKPOINT = "checkpoint.safetensors";

/** Settings a resumed run must share with the run it continues. */
function runSettings(options: TrainingRunOptions): Record<string, string> {
  const { settings } = options;
  return {
    seed: String(settings.seed),
    batch: String(settings.batch),
    epochs: String(options.epochs),
    loss: settings.loss,
    optimizer: JSON.stringify(settings.optimizer),
    learning_rate: String(settings.learningRate),
    schedule: JSON.stringify(settings.schedule),
    warmup_epochs: String(settings.warmupEpochs),
    fuse: String(settings.fuse !== false),
    data: options.data.identity,
    augmentation: JSON.stringify(options.augmentation ?? {}),
  };
}

export async function runTraining(gpu: GpuContext, options: TrainingRunOptions): Promise<TrainingRunResult> {
  const { graph, data, runDirectory } = options;
  const batch = options.settings.batch;
  const stepsPerEpoch = Math.floor(data.train.shape[0] / batch);
  if (stepsPerEpoch < 1) {
    throw new CnncUserError(`the training split has ${data.train.shape[0]} images, fewer than one batch of ${batch}`, { hint: "use a smaller --batch or a larger --limit" });
  }
  const totalSteps = stepsPerEpoch * options.epochs;
  const settings: TrainerSettings = { ...options.settings, stepsPerEpoch, totalSteps };
  const checkpointPath = join(runDirectory, CHECKPOINT);
  const metricsPath = join(runDirectory, "metrics.jsonl");
  const expectedSettings = runSettings(options);

  const started = performance.now();
  const trainer = await Trainer.create(gpu, graph, initWeights(graph, options.settings.seed), settings);
  try {
    options.report({ kind: "compiled", seconds: (performance.now() - started) / 1000, kernels: trainer.trainPlan.steps.length });
    let records: MetricsRecord[] = [];
    if (options.resume) {
      const checkpoint = await trainer.load(checkpointPath, expectedSettings);
      records = truncateMetrics(metricsPath, checkpoint.step);
      options.report({ kind: "resumed", step: checkpoint.step, epoch: Math.floor(checkpoint.step / stepsPerEpoch) + 1 });
    }
    // mse trains class labels as one-hot target rows; cross-entropy takes the class indices.
    const classes = data.classNames.length;
    const targetsOf = (labels: Int32Array): Int32Array | Float32Array => (options.settings.loss === "mse" ? oneHot(labels, classes) : labels);
    const testImages = data.test.images.slice();
    normalizeImages(testImages, data.test.shape, data.normalization);
    let savedStep: number | undefined = options.resume ? trainer.steps : undefined;
    const save = async (): Promise<void> => {
      await trainer.save(checkpointPath, expectedSettings);
      savedStep = trainer.steps;
    };
    const runStart = performance.now();
    let intervalStart = performance.now();
    let intervalSteps = 0;
    const read = async (epoch: number, stepInEpoch: number): Promise<MetricsRecord> => {
      const metrics = await trainer.metrics();
      if (metrics.nonFiniteStep !== undefined) {
        const batchOfStep = await rebuildBatch(options, stepsPerEpoch, metrics.nonFiniteStep);
        const report = await diagnoseNonFinite(trainer, { images: batchOfStep.images, labels: targetsOf(batchOfStep.labels) }, metrics.nonFiniteStep);
        const checkpoint = savedStep === undefined ? "" : `; ${checkpointPath} holds the weights after step ${savedStep}`;
        throw new CnncUserError(`training stopped: ${nonFiniteStepMessage(report)}`, {
          hint: `lower the learning rate (--lr) or add warmup (--warmup 1)${checkpoint}`,
        });
      }
      const seconds = (performance.now() - intervalStart) / 1000;
      const imagesPerSecond = (intervalSteps * batch) / Math.max(seconds, 1e-9);
      intervalStart = performance.now();
      intervalSteps = 0;
      options.report({ kind: "progress", epoch, stepInEpoch, stepsPerEpoch, loss: metrics.loss, accuracy: metrics.accuracy, imagesPerSecond, elapsedSeconds: (performance.now() - runStart) / 1000 });
      return { epoch, step: trainer.steps, train_loss: metrics.loss, train_acc: metrics.accuracy ?? null, test_loss: null, test_acc: null, images_per_s: imagesPerSecond, lr: trainer.learningRate(trainer.steps - 1) };
    };

    const firstEpoch = Math.floor(trainer.steps / stepsPerEpoch);
    for (let epoch = firstEpoch; epoch < options.epochs; epoch++) {
      const loader = new BatchLoader(data.train, batchOptions(options), epoch);
      const skip = epoch === firstEpoch ? trainer.steps - epoch * stepsPerEpoch : 0;
      for (let index = 0; index < skip; index++) await loader.next();
      for (let stepInEpoch = skip; stepInEpoch < stepsPerEpoch; stepInEpoch++) {
        const next = await loader.next();
        if (next === undefined) throw new Error(`internal: epoch ${epoch + 1} ended after ${stepInEpoch} of ${stepsPerEpoch} batches`);
        await trainer.step({ images: next.images, labels: targetsOf(next.labels) });
        intervalSteps++;
        const done = stepInEpoch + 1;
        if (done % options.logEvery === 0 && done !== stepsPerEpoch) {
          const record = await read(epoch + 1, done);
          records.push(record);
          appendMetrics(metricsPath, record);
          await save();
        }
      }
      const record = await read(epoch + 1, stepsPerEpoch);
      const evaluation = await trainer.evaluate({ images: testImages, labels: targetsOf(data.test.labels) });
      const intervals = [...records.filter((earlier) => earlier.step > epoch * stepsPerEpoch), record];
      const epochRecord: MetricsRecord = { ...record, ...epochMeans(intervals, epoch * stepsPerEpoch, batch), test_loss: evaluation.loss, test_acc: evaluation.accuracy ?? null };
      records.push(epochRecord);
      appendMetrics(metricsPath, epochRecord);
      options.report({ kind: "epoch", record: epochRecord });
      await save();
    }

    const evaluation = await trainer.evaluate({ images: testImages, labels: targetsOf(data.test.labels) });
    const weights = await trainer.readWeights();
    const files: string[] = [];
    const modelPath = join(runDirectory, "model.safetensors");
    writeSafetensorsFile(modelPath, weights, { network: graph.name, step: String(trainer.steps) });
    files.push(modelPath);
    const curvesPath = join(runDirectory, "curves.svg");
    writeFileAtomically(curvesPath, [new TextEncoder().encode(curvesSvg(records, `${graph.name} on ${data.identity}`, stepsPerEpoch))]);
    files.push(curvesPath);
    let confusionText = "";
    if (evaluation.predictions !== undefined) {
      const matrix = confusionMatrix(evaluation.predictions, data.test.labels, data.classNames.length);
      confusionText = formatConfusion(matrix, data.classNames);
      for (const [name, text] of [
        ["confusion.txt", confusionText],
        ["confusion.svg", confusionSvg(matrix, data.classNames)],
      ] as const) {
        const path = join(runDirectory, name);
        writeFileAtomically(path, [new TextEncoder().encode(text)]);
        files.push(path);
      }
    }
    options.report({ kind: "done", confusion: confusionText, files });
    return { weights, testAccuracy: evaluation.accuracy, testLoss: evaluation.loss, records };
  } finally {
    await trainer.destroy();
  }
}

/** The batch of 0-based step `step`, rebuilt from the seed. */
async function rebuildBatch(options: TrainingRunOptions, stepsPerEpoch: number, step: number): Promise<{ images: Float32Array; labels: Int32Array }> {
  const epoch = Math.floor(step / stepsPerEpoch);
  const loader = new BatchLoader(options.data.train, batchOptions(options), epoch);
  for (let index = 0; index < step - epoch * stepsPerEpoch; index++) await loader.next();
  const batch = await loader.next();
  if (batch === undefined) throw new Error(`internal: no batch for step ${step}`);
  return { images: batch.images, labels: batch.labels };
}

/** Class indices as one-hot rows of `classes` values. */
function oneHot(labels: Int32Array, classes: number): Float32Array {
  const rows = new Float32Array(labels.length * classes);
  labels.forEach((label, index) => (rows[index * classes + label] = 1));
  return rows;
}

/** The batches of a run: shuffled from the seed, the last partial batch dropped, augmented and standardized. */
function batchOptions(options: TrainingRunOptions): BatchOptions {
  return { batchSize: options.settings.batch, seed: options.settings.seed, dropLast: true, normalization: options.data.normalization, ...options.augmentation };
}

/**
 * The epoch's training loss and accuracy (means over all its steps) and images/s (its images over the
 * time its steps took), from the records of its read intervals (a resumed run has them from
 * metrics.jsonl): each record covers the steps since the previous one.
 */
export function epochMeans(intervals: readonly MetricsRecord[], epochStart: number, batch: number): Pick<MetricsRecord, "train_loss" | "train_acc" | "images_per_s"> {
  let previous = epochStart;
  let steps = 0;
  let loss = 0;
  let correct: number | null = 0;
  let seconds = 0;
  for (const record of intervals) {
    const covered = record.step - previous;
    previous = record.step;
    steps += covered;
    loss += (record.train_loss ?? NaN) * covered;
    correct = record.train_acc === null || correct === null ? null : correct + record.train_acc * covered;
    seconds += record.images_per_s === null ? NaN : (covered * batch) / record.images_per_s;
  }
  return { train_loss: loss / steps, train_acc: correct === null ? null : correct / steps, images_per_s: (steps * batch) / seconds };
}
