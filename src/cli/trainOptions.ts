// `cnnc train MODEL.cnn [options]`: the command-line options, parsed and checked before any work, and
// merged with the model's `train { ... }` section, whose values are the defaults that flags override
// (a model without one gets elaborate/train.ts's defaults). The command itself is registered by the
// trainer's wiring: addTrainOptions declares the options and TRAIN_USAGE is the help's closing text.
import { resolve } from "node:path";

import type { Command } from "commander";

import { closestMatch } from "../../grammar/diagnostics.js";
import { type BackendChoice, parseBackend } from "../../runtime/device.js";
import { defaultSchedule, OPTIMIZER_DEFAULTS, TRAIN_DEFAULTS } from "../elaborate/train.js";
import { CnncUserError } from "../errors.js";
import type { LrScheduleConfig, OptimizerConfig, TrainConfig } from "../ir/graph.js";
import { formatAlternatives } from "../ir/format.js";
import { parseCountOption } from "./wholeNumber.js";

/** The options as commander hands them over (text, as typed). */
export interface TrainOptionValues {
  data?: string;
  epochs?: string;
  batch?: string;
  lr?: string;
  lrSchedule?: string;
  warmup?: string;
  optimizer?: string;
  momentum?: string;
  weightDecay?: string;
  out?: string;
  resume?: string;
  seed?: string;
  limit?: string;
  logEvery?: string;
  flip?: boolean;
  crop?: string;
  /** false with --no-fuse. */
  fuse?: boolean;
  backend?: string;
}

/** The options checked and typed; an absent setting leaves the train section's (or the default) in force. */
export interface TrainOptions {
  /** `fashion-mnist`, `mnist` or a directory, as given: resolveDataSource checks it. */
  data?: string;
  epochs?: number;
  batch?: number;
  learningRate?: number;
  schedule?: LrScheduleConfig["kind"];
  warmupEpochs?: number;
  optimizer?: OptimizerConfig["kind"];
  momentum?: number;
  weightDecay?: number;
  /** --out or --resume (which then name the same directory); undefined: the trainer picks one. */
  runDirectory?: string;
  /** --resume: continue the run in runDirectory from its last checkpoint. */
  resume: boolean;
  seed: number;
  /** Train on the first N training images only (a quick run). */
  limit?: number;
  /** Read loss and accuracy back every this many steps. */
  logEvery?: number;
  /** Augmentation of the training images: random left-right flips, random crops of the image padded by this many pixels. */
  flip: boolean;
  cropPadding: number;
  fuse: boolean;
  backend: BackendChoice;
}

/** The training settings in force: the train section's, with the flags applied. */
export type ResolvedTrainSettings = Omit<TrainConfig, "span" | "data">;

const SCHEDULE_KINDS: readonly LrScheduleConfig["kind"][] = ["constant", "step", "cosine", "one_cycle"];
const OPTIMIZER_KINDS: readonly OptimizerConfig["kind"][] = ["sgd", "adam", "adamw"];

/** How a number option's value may range; every bound is checked against finite values only. */
interface NumberRange {
  above?: number;
  atLeast?: number;
  below?: number;
}

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function rangeText(range: NumberRange): string {
  const low = range.above !== undefined ? `above ${range.above}` : range.atLeast !== undefined ? `from ${range.atLeast}` : "";
  const high = range.below !== undefined ? `below ${range.below}` : "";
  return [low, high].filter((part) => part !== "").join(" and ");
}

/** A decimal option's value (`0.01`, `5e-4`), or a CnncUserError naming the option and its range. */
export function parseNumberOption(text: string, option: string, range: NumberRange, example: string): number {
  const value = Number(text.trim());
  const fits =
    DECIMAL.test(text.trim()) &&
    Number.isFinite(value) &&
    (range.above === undefined || value > range.above) &&
    (range.atLeast === undefined || value >= range.atLeast) &&
    (range.below === undefined || value < range.below);
  if (fits) return value;
  throw new CnncUserError(`${option} must be a finite number ${rangeText(range)}, got \`${text}\``, { hint: `e.g. ${option} ${example}` });
}

/** One of `choices` (with `-` read as `_`), or an error suggesting the closest. */
function parseChoice<T extends string>(text: string, option: string, choices: readonly T[]): T {
  const choice = choices.find((candidate) => candidate === text.trim().replace(/-/g, "_"));
  if (choice !== undefined) return choice;
  const suggestion = closestMatch(text, choices);
  throw new CnncUserError(`${option} must be ${formatAlternatives([...choices])}, got \`${text}\``, {
    hint: `${suggestion === undefined ? "" : `did you mean \`${suggestion}\`? `}e.g. ${option} ${choices[choices.length - 1]}`,
  });
}

/** --out and --resume: one run directory; both given, they must name the same one. */
function runDirectoryOf(values: TrainOptionValues): { runDirectory?: string; resume: boolean } {
  for (const [option, path] of [["--out", values.out], ["--resume", values.resume]] as const) {
    if (path !== undefined && path.trim() === "") throw new CnncUserError(`${option} needs a directory, got an empty path`, { hint: `e.g. ${option} runs/fashion` });
  }
  if (values.out !== undefined && values.resume !== undefined && resolve(values.out) !== resolve(values.resume)) {
    throw new CnncUserError(`--out \`${values.out}\` and --resume \`${values.resume}\` name different directories`, {
      hint: "a resumed run writes to the directory it resumes from: give --resume DIR alone (or the same directory to both)",
    });
  }
  const runDirectory = values.resume ?? values.out;
  return { ...(runDirectory === undefined ? {} : { runDirectory }), resume: values.resume !== undefined };
}

/** Checks and types every option; the first bad one is a CnncUserError saying what it must be. */
export function parseTrainOptions(values: TrainOptionValues): TrainOptions {
  const options: TrainOptions = {
    ...runDirectoryOf(values),
    seed: values.seed === undefined ? 0 : parseCountOption(values.seed, "--seed", 0, "1"),
    fuse: values.fuse !== false,
    backend: parseBackend(values.backend ?? "auto"),
    flip: values.flip === true,
    cropPadding: values.crop === undefined ? 0 : parseCountOption(values.crop, "--crop", 1, "4"),
  };
  if (values.data !== undefined) {
    if (values.data.trim() === "") throw new CnncUserError("--data needs a dataset, got an empty value", { hint: "e.g. --data fashion-mnist, --data mnist or --data DIR" });
    options.data = values.data;
  }
  if (values.epochs !== undefined) options.epochs = parseCountOption(values.epochs, "--epochs", 1, "5");
  if (values.batch !== undefined) options.batch = parseCountOption(values.batch, "--batch", 1, "64");
  if (values.lr !== undefined) options.learningRate = parseNumberOption(values.lr, "--lr", { above: 0 }, "0.01");
  if (values.lrSchedule !== undefined) options.schedule = parseChoice(values.lrSchedule, "--lr-schedule", SCHEDULE_KINDS);
  if (values.warmup !== undefined) options.warmupEpochs = parseNumberOption(values.warmup, "--warmup", { atLeast: 0 }, "1 (epochs; 0.5 is half an epoch)");
  if (values.optimizer !== undefined) options.optimizer = parseChoice(values.optimizer, "--optimizer", OPTIMIZER_KINDS);
  if (values.momentum !== undefined) options.momentum = parseNumberOption(values.momentum, "--momentum", { atLeast: 0, below: 1 }, "0.9");
  if (values.weightDecay !== undefined) options.weightDecay = parseNumberOption(values.weightDecay, "--weight-decay", { atLeast: 0 }, "5e-4");
  if (values.limit !== undefined) options.limit = parseCountOption(values.limit, "--limit", 1, "1000");
  if (values.logEvery !== undefined) options.logEvery = parseCountOption(values.logEvery, "--log-every", 1, "50");
  return options;
}

const isAdam = (kind: OptimizerConfig["kind"]) => kind === "adam" || kind === "adamw";

/**
 * The optimizer in force. Naming another kind than the train section's starts from that kind's
 * defaults: momentum and nesterov are SGD's alone, and weight decay does not carry over (SGD and Adam
 * add it to the gradient, AdamW decays the weights directly: the same number means different things);
 * Adam and AdamW keep each other's betas and eps, which mean the same in both.
 */
function resolveOptimizer(base: Readonly<OptimizerConfig>, options: TrainOptions): OptimizerConfig {
  const kind = options.optimizer ?? base.kind;
  let optimizer: OptimizerConfig;
  if (kind === base.kind) optimizer = { ...base };
  else if (isAdam(kind) && isAdam(base.kind)) {
    const defaults = OPTIMIZER_DEFAULTS[kind];
    optimizer = { ...defaults, beta1: base.beta1 ?? defaults.beta1, beta2: base.beta2 ?? defaults.beta2, eps: base.eps ?? defaults.eps };
  } else optimizer = { ...OPTIMIZER_DEFAULTS[kind] };
  if (options.momentum !== undefined) {
    if (kind !== "sgd") {
      throw new CnncUserError(`--momentum applies to the sgd optimizer, but this run uses ${kind}`, {
        hint: `${kind}'s momentum is its beta1 (set in the train section); drop --momentum, or add --optimizer sgd`,
      });
    }
    optimizer.momentum = options.momentum;
  }
  if (options.weightDecay !== undefined) optimizer.weightDecay = options.weightDecay;
  if (optimizer.nesterov === true && !((optimizer.momentum ?? 0) > 0)) {
    throw new CnncUserError("the train section asks for Nesterov momentum, but --momentum 0 turns momentum off", {
      hint: "give a momentum above 0 (e.g. --momentum 0.9), or drop nesterov from the train section",
    });
  }
  return optimizer;
}

/** The train section's settings (or the defaults, without one) with the flags in `options` applied. */
export function resolveTrainSettings(train: TrainConfig | undefined, options: TrainOptions): ResolvedTrainSettings {
  const base = train ?? TRAIN_DEFAULTS;
  const epochs = options.epochs ?? base.epochs;
  const warmupEpochs = options.warmupEpochs ?? base.warmupEpochs;
  if (warmupEpochs > epochs) {
    throw new CnncUserError(`the warmup (${warmupEpochs} epochs) is longer than the run (${epochs} epoch${epochs === 1 ? "" : "s"})`, {
      hint: "the learning rate would never reach its base value: lower --warmup or raise --epochs",
    });
  }
  const scheduleKind = options.schedule ?? base.schedule.kind;
  return {
    loss: base.loss,
    optimizer: resolveOptimizer(base.optimizer, options),
    learningRate: options.learningRate ?? base.learningRate,
    // The same kind keeps the train section's settings; another kind starts from its defaults.
    schedule: scheduleKind === base.schedule.kind ? { ...base.schedule } : defaultSchedule(scheduleKind, epochs),
    warmupEpochs,
    batch: options.batch ?? base.batch,
    epochs,
  };
}

/** `name(key=value, ...)` of the settings that are set, in the train section's spelling. */
function callText(name: string, settings: [string, number | boolean | undefined][]): string {
  const given = settings.filter((entry): entry is [string, number | boolean] => entry[1] !== undefined);
  return `${name}(${given.map(([key, value]) => `${key}=${value}`).join(", ")})`;
}

/**
 * One line of the settings in force, for the start of a run (so a setting a flag dropped is seen):
 * `loss cross_entropy, sgd(momentum=0.9, nesterov=false, weight_decay=0.0005), lr 0.01, schedule constant, batch 64, 5 epochs`.
 */
export function describeTrainSettings(settings: ResolvedTrainSettings): string {
  const { optimizer, schedule } = settings;
  const optimizerText = callText(optimizer.kind, [
    ["momentum", optimizer.momentum],
    ["nesterov", optimizer.nesterov],
    ["beta1", optimizer.beta1],
    ["beta2", optimizer.beta2],
    ["eps", optimizer.eps],
    ["weight_decay", optimizer.weightDecay],
  ]);
  const scheduleText =
    schedule.kind === "constant"
      ? "constant"
      : schedule.kind === "step"
        ? callText("step", [["every_epochs", schedule.everyEpochs], ["gamma", schedule.gamma]])
        : schedule.kind === "cosine"
          ? callText("cosine", [["min_lr", schedule.minLr]])
          : callText("one_cycle", [["pct_start", schedule.pctStart], ["div_factor", schedule.divFactor], ["final_div_factor", schedule.finalDivFactor]]);
  const warmup = settings.warmupEpochs > 0 ? `, warmup ${settings.warmupEpochs} epoch${settings.warmupEpochs === 1 ? "" : "s"}` : "";
  const epochs = `${settings.epochs} epoch${settings.epochs === 1 ? "" : "s"}`;
  return `loss ${settings.loss}, ${optimizerText}, lr ${settings.learningRate}, schedule ${scheduleText}${warmup}, batch ${settings.batch}, ${epochs}`;
}

export const TRAIN_DESCRIPTION = "train a network on the GPU: the model's train section, with the options overriding it";

/** Declares `cnnc train`'s argument and options on `command` (the trainer's wiring registers it). */
export function addTrainOptions(command: Command): Command {
  return command
    .argument("<model>", "the .cnn file; its `train { ... }` section gives the settings the options override")
    .option("--data <source>", "fashion-mnist, mnist, or a directory of IDX or .npy files (default: the train section's data, else fashion-mnist)")
    .option("--epochs <n>", "epochs to train")
    .option("--batch <n>", "images per optimizer step")
    .option("--lr <x>", "base learning rate")
    .option("--lr-schedule <kind>", `learning-rate schedule: ${formatAlternatives([...SCHEDULE_KINDS])}`)
    .option("--warmup <epochs>", "linear warmup from 0 over this many epochs (fractions allowed)")
    .option("--optimizer <kind>", `${formatAlternatives([...OPTIMIZER_KINDS])}; another kind than the train section's starts from its defaults`)
    .option("--momentum <m>", "SGD momentum, from 0 to below 1")
    .option("--weight-decay <w>", "weight decay (L2 for sgd and adam, decoupled for adamw)")
    .option("--out <dir>", "the run directory: checkpoints, metrics.jsonl, curves.svg, confusion matrix (default runs/<model>)")
    .option("--resume <dir>", "continue the run in this directory from its last checkpoint")
    .option("--seed <n>", "seed of the initial weights, the shuffling, the augmentation and the dropout masks", "0")
    .option("--limit <n>", "train and evaluate on the first N images of each split (a quick run)")
    .option("--log-every <steps>", "read loss and accuracy back, and checkpoint, every this many steps (default 100)")
    .option("--flip", "augment: mirror training images left-right at random")
    .option("--crop <pad>", "augment: pad training images by this many pixels and crop a random window of their size")
    .option("--no-fuse", "one kernel per layer (what the fusion passes are compared against)")
    .option("--backend <name>", "auto, vulkan or opengles", "auto");
}

/** The closing text of `cnnc train --help`: where settings come from, what a run writes, examples. */
export const TRAIN_USAGE = `
Settings come from the model's train { ... } section; each option given overrides one of them.
A model without a train section trains with loss cross_entropy, sgd, lr 0.01, batch 64, 1 epoch.

The run directory (--out) receives metrics.jsonl (one JSON record per logged step and per epoch;
NaN and Inf are written as null and listed under "nonfinite"), curves.svg (loss and accuracy over
epochs, train and test), the test set's confusion matrix (text and SVG), and the checkpoints that
--resume continues from.

Examples:
  cnnc train examples/fashion_cnn.cnn --epochs 5 --out runs/fashion
  cnnc train examples/fashion_cnn.cnn --optimizer adamw --lr 1e-3 --lr-schedule cosine --warmup 0.5
  cnnc train examples/fashion_cnn.cnn --limit 2000 --epochs 1
  cnnc train examples/fashion_cnn.cnn --resume runs/fashion --epochs 10
`;
