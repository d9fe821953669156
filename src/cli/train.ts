// `cnnc train MODEL.cnn`: the model's train section with the options overriding it, the dataset
// checked before any work, then the GPU trainer (runtime/training/trainingRun.ts) with a live progress
// line (plain lines when not on a terminal), per-epoch test accuracy, checkpoints, metrics.jsonl,
// curves.svg, the confusion matrix and model.safetensors in the run directory.
import type { Command } from "commander";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { basename, join } from "node:path";

import { classNamesOf } from "../../runtime/data/classNames.js";
import { openDevice } from "../../runtime/device.js";
import { loadTrainingData } from "../../runtime/training/trainingData.js";
import { runTraining, type TrainingEvent } from "../../runtime/training/trainingRun.js";
import { compileFile } from "../compile.js";
import { CnncUserError } from "../errors.js";
import { shapeSize, type Graph } from "../ir/graph.js";
import { withLossOutput } from "../training/lossOutput.js";
import { TrainProgress } from "../training/report/progressLine.js";
import { reportCompilation } from "./diagnosticsOutput.js";
import { processIo, type CliContext, type CliIo } from "./io.js";
import { resolveDataSource } from "./trainData.js";
import { addTrainOptions, describeTrainSettings, parseTrainOptions, resolveTrainSettings, TRAIN_DESCRIPTION, TRAIN_USAGE, type TrainOptionValues } from "./trainOptions.js";

/** Steps between loss read-backs (and checkpoints) when --log-every is not given. */
const DEFAULT_LOG_EVERY = 100;

/** The run directory: --out/--resume, else runs/<model name>; a fresh run refuses one holding a run. */
function runDirectoryOf(modelPath: string, given: string | undefined, resume: boolean): string {
  const directory = given ?? join("runs", basename(modelPath).replace(/\.cnn$/, ""));
  if (resume) {
    if (!existsSync(join(directory, "checkpoint.safetensors"))) {
      throw new CnncUserError(`--resume: \`${directory}\` holds no checkpoint.safetensors`, { hint: "give the run directory of a run that saved a checkpoint (its --out)" });
    }
    return directory;
  }
  if (existsSync(directory) && readdirSync(directory).some((name) => name === "checkpoint.safetensors" || name === "metrics.jsonl")) {
    throw new CnncUserError(`\`${directory}\` already holds a training run`, {
      hint: `continue it with --resume ${directory}, or start a new one with --out DIR`,
    });
  }
  mkdirSync(directory, { recursive: true });
  return directory;
}

function percent(value: number | null | undefined): string {
  return value === null || value === undefined ? "-" : `${(value * 100).toFixed(2)}%`;
}

export async function trainModel(modelPath: string, values: TrainOptionValues, io: CliIo = processIo): Promise<number> {
  let compileStatus = 0;
  try {
    const options = parseTrainOptions(values);
    const compilation = compileFile(modelPath);
    const compiled: Graph | undefined = reportCompilation(modelPath, compilation, { io, setExitCode: (code) => (compileStatus = Math.max(compileStatus, code)) });
    if (compiled === undefined) return Math.max(compileStatus, 1);
    const graph = withLossOutput(compiled);
    const settings = resolveTrainSettings(graph.train, options);
    // The data and the run directory are checked before a device is opened.
    const source = resolveDataSource(graph.train?.data, options.data);
    const classes = shapeSize(graph.nodes[graph.outputs[0]!]!.shape);
    const data = loadTrainingData(source, { classCount: classes, ...(options.limit === undefined ? {} : { limit: options.limit }), classNames: classNamesOf });
    const input = graph.nodes[graph.inputs[0]!]!;
    if (graph.inputs.length !== 1 || data.train.shape.slice(1).join("x") !== input.shape.join("x")) {
      throw new CnncUserError(`${graph.name} takes ${input.shape.join("x")} images, but the dataset's are ${data.train.shape.slice(1).join("x")}`, {
        hint: `write the network's input as \`input ${input.name}: ${data.train.shape.slice(1).join("x")}\``,
      });
    }
    const runDirectory = runDirectoryOf(modelPath, options.runDirectory, options.resume);
    const augmentation = [...(options.flip ? ["random flips"] : []), ...(options.cropPadding > 0 ? [`random crops (padding ${options.cropPadding})`] : [])];
    io.stderr(`training ${graph.name}: ${describeTrainSettings(settings)}${augmentation.length > 0 ? `, ${augmentation.join(" and ")}` : ""}\n`);
    if (compiled.outputs.length > 1) io.stderr(`loss on output ${graph.nodes[graph.outputs[0]!]!.name} (of ${compiled.outputs.map((id) => compiled.nodes[id]!.name).join(", ")})\n`);
    io.stderr(`data: ${data.identity}, ${data.train.shape[0]} training and ${data.test.shape[0]} test images; run directory ${runDirectory}\n`);
    const gpu = await openDevice({ backend: options.backend });
    io.stderr(`adapter: ${gpu.description}\n`);
    const stepsPerEpoch = Math.floor(data.train.shape[0] / settings.batch);
    const progress = new TrainProgress(
      { write: (text) => io.stderr(text), isTTY: io.status !== undefined, columns: process.stderr.columns },
      { epochs: settings.epochs, stepsPerEpoch },
    );
    const report = (event: TrainingEvent): void => {
      switch (event.kind) {
        case "compiled":
          progress.line(`compiled the training step: ${event.kernels} kernels (${event.seconds.toFixed(1)} s)`);
          return;
        case "resumed":
          progress.line(`resumed at step ${event.step} (epoch ${event.epoch})`);
          return;
        case "progress":
          progress.update({ epoch: event.epoch, step: event.stepInEpoch, loss: event.loss, accuracy: event.accuracy ?? null, imagesPerSecond: event.imagesPerSecond, elapsedSeconds: event.elapsedSeconds });
          return;
        case "epoch": {
          const record = event.record;
          progress.line(
            `epoch ${record.epoch}/${settings.epochs}: train loss ${record.train_loss?.toFixed(4) ?? "-"} acc ${percent(record.train_acc)}, ` +
              `test loss ${record.test_loss?.toFixed(4) ?? "-"} acc ${percent(record.test_acc)}, ${record.images_per_s?.toFixed(0) ?? "-"} images/s`,
          );
          return;
        }
        case "done":
          progress.finish();
          if (event.confusion !== "") io.stdout(`confusion matrix on the test split (rows: true class, columns: predicted)\n${event.confusion}`);
          io.stdout(`wrote ${event.files.join(", ")}\n`);
          return;
      }
    };
    try {
      const result = await runTraining(gpu, {
        graph,
        settings: {
          loss: settings.loss,
          optimizer: settings.optimizer,
          learningRate: settings.learningRate,
          schedule: settings.schedule,
          warmupEpochs: settings.warmupEpochs,
          batch: settings.batch,
          seed: options.seed,
          fuse: options.fuse,
        },
        epochs: settings.epochs,
        data,
        runDirectory,
        resume: options.resume,
        logEvery: options.logEvery ?? DEFAULT_LOG_EVERY,
        augmentation: { flip: options.flip, cropPadding: options.cropPadding },
        report,
      });
      io.stdout(`test accuracy ${percent(result.testAccuracy)}, test loss ${result.testLoss.toFixed(4)}\n`);
    } finally {
      progress.finish();
      gpu.device.destroy();
    }
    return 0;
  } catch (error) {
    if (!(error instanceof CnncUserError)) throw error;
    io.stderr(`${error.describe()}\n`);
    return 1;
  }
}

/** Adds `cnnc train MODEL.cnn [options]`. */
export function registerTrain(program: Command, context?: CliContext): void {
  addTrainOptions(program.command("train").description(TRAIN_DESCRIPTION))
    .addHelpText("after", TRAIN_USAGE)
    .action(async (model: string, values: TrainOptionValues) => {
      const io = context?.io ?? processIo;
      const code = await trainModel(model, values, io);
      if (context === undefined) process.exitCode = Math.max(code, Number(process.exitCode ?? 0));
      else context.setExitCode(code);
    });
}
