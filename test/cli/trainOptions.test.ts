// `cnnc train`'s options: every flag parsed, bad values refused with what they must be, and the merge
// with the model's train section (the file's values are the defaults, flags win).
import { describe, expect, it } from "vitest";

import { compileSource } from "../../src/compile.js";
import { OPTIMIZER_DEFAULTS, TRAIN_DEFAULTS } from "../../src/elaborate/train.js";
import type { TrainConfig } from "../../src/ir/graph.js";
import { addTrainOptions, describeTrainSettings, parseTrainOptions, resolveTrainSettings, TRAIN_USAGE, type TrainOptionValues } from "../../src/cli/trainOptions.js";
import { userError } from "../support/userError.js";
import { cnnc } from "./cliHelpers.js";

function trainSection(settings: string): TrainConfig {
  const source = `network Tiny {\n  input image: 1x8x8\n  fc(3)\n}\n\ntrain {\n${settings}\n}\n`;
  const compiled = compileSource(source, "tiny.cnn", { verify: true });
  const train = compiled.graph?.train;
  if (train === undefined) throw new Error(compiled.diagnostics.map((each) => each.message).join("\n"));
  return train;
}

/** Runs `cnnc train-options ARGS`: a command made of addTrainOptions, as `cnnc train`, that prints the parsed options. */
async function trainCli(args: string[]) {
  return cnnc(["train-options", ...args], (program, context) => {
    addTrainOptions(program.command("train-options"))
      .addHelpText("after", TRAIN_USAGE)
      .action((_model: string, values: TrainOptionValues) => {
        context.io.stdout(JSON.stringify(parseTrainOptions(values)));
      });
  });
}

describe("parseTrainOptions", () => {
  it("parses every flag through the declared options", async () => {
    const run = await trainCli([
      "m.cnn",
      ...["--data", "mnist", "--epochs", "3", "--batch", "32", "--lr", "5e-3", "--lr-schedule", "one-cycle", "--warmup", "0.5"],
      ...["--optimizer", "sgd", "--momentum", "0.9", "--weight-decay", "0.0005", "--out", "runs/a", "--resume", "runs/a/"],
      ...["--seed", "7", "--limit", "1000", "--log-every", "50", "--no-fuse", "--backend", "opengles", "--flip", "--crop", "2"],
    ]);
    expect(run.stderr).toBe("");
    expect(JSON.parse(run.stdout)).toEqual({
      data: "mnist",
      epochs: 3,
      batch: 32,
      learningRate: 0.005,
      schedule: "one_cycle",
      warmupEpochs: 0.5,
      optimizer: "sgd",
      momentum: 0.9,
      weightDecay: 0.0005,
      runDirectory: "runs/a/",
      resume: true,
      seed: 7,
      limit: 1000,
      logEvery: 50,
      flip: true,
      cropPadding: 2,
      fuse: false,
      backend: "opengles",
    });
  });

  it("leaves unset what is not given, for the train section to decide", () => {
    expect(parseTrainOptions({})).toEqual({ resume: false, seed: 0, fuse: true, backend: "auto", flip: false, cropPadding: 0 });
    expect(parseTrainOptions({ out: "runs/b" })).toEqual({ runDirectory: "runs/b", resume: false, seed: 0, fuse: true, backend: "auto", flip: false, cropPadding: 0 });
  });

  it.each<[TrainOptionValues, RegExp]>([
    [{ epochs: "0" }, /^--epochs must be at least 1, got `0`$/],
    [{ batch: "8.5" }, /^--batch must be a whole number written in digits/],
    [{ lr: "0" }, /^--lr must be a finite number above 0, got `0`$/],
    [{ lr: "fast" }, /^--lr must be a finite number above 0, got `fast`$/],
    [{ lr: "1e999" }, /^--lr must be a finite number above 0/],
    [{ lr: "0x10" }, /^--lr must be a finite number/],
    [{ warmup: "-1" }, /^--warmup must be a finite number from 0, got `-1`$/],
    [{ momentum: "1" }, /^--momentum must be a finite number from 0 and below 1, got `1`$/],
    [{ weightDecay: "-0.1" }, /^--weight-decay must be a finite number from 0/],
    [{ lrSchedule: "cosin" }, /^--lr-schedule must be constant, step, cosine or one_cycle, got `cosin`$/],
    [{ optimizer: "adamx" }, /^--optimizer must be sgd, adam or adamw, got `adamx`$/],
    [{ seed: "-1" }, /^--seed must be at least 0/],
    [{ limit: "0" }, /^--limit must be at least 1/],
    [{ logEvery: "every" }, /^--log-every must be a whole number/],
    [{ backend: "metal" }, /^unknown backend `metal`$/],
    [{ data: " " }, /^--data needs a dataset/],
    [{ out: "" }, /^--out needs a directory/],
    [{ out: "runs/a", resume: "runs/b" }, /^--out `runs\/a` and --resume `runs\/b` name different directories$/],
  ])("refuses %o", (values, message) => {
    const error = userError(() => parseTrainOptions(values));
    expect(error.message).toMatch(message);
    expect(error.hint).toBeTruthy();
  });

  it("suggests the closest choice", () => {
    expect(userError(() => parseTrainOptions({ lrSchedule: "cosin" })).hint).toMatch(/did you mean `cosine`\?/);
    expect(userError(() => parseTrainOptions({ optimizer: "adamx" })).hint).toMatch(/did you mean `adam/);
  });

  it("reports a bad flag through the CLI as an error, and lists every option in --help", async () => {
    const bad = await cnnc(["train", "m.cnn", "--lr", "-1"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/error: --lr must be a finite number above 0, got `-1`\n {2}= help: e\.g\. --lr 0\.01/);
    const help = await cnnc(["train", "--help"]);
    expect(help.code).toBe(0);
    for (const flag of ["--data", "--epochs", "--batch", "--lr ", "--lr-schedule", "--warmup", "--optimizer", "--momentum", "--weight-decay", "--out", "--resume", "--seed", "--limit", "--log-every", "--flip", "--crop", "--no-fuse", "--backend"]) {
      expect(help.stdout).toContain(flag);
    }
    expect(help.stdout).toContain("Examples:");
    expect(help.stdout).toContain("cnnc train examples/fashion_cnn.cnn --resume runs/fashion");
  });
});

describe("resolveTrainSettings", () => {
  it("uses elaborate/train.ts's defaults without a train section", () => {
    const { span: _span, ...fromEmptySection } = trainSection("");
    expect(resolveTrainSettings(undefined, parseTrainOptions({}))).toEqual(TRAIN_DEFAULTS);
    expect(resolveTrainSettings(undefined, parseTrainOptions({}))).toEqual(fromEmptySection);
  });

  it("keeps the file's values and lets each flag override one", () => {
    const train = trainSection("  optimizer = sgd(momentum=0.9, weight_decay=5e-4)\n  lr = 0.05\n  batch = 128\n  epochs = 4\n  loss = mse");
    const file = resolveTrainSettings(train, parseTrainOptions({}));
    expect(file).toEqual({ loss: "mse", optimizer: { kind: "sgd", momentum: 0.9, nesterov: false, weightDecay: 5e-4 }, learningRate: 0.05, schedule: { kind: "constant" }, warmupEpochs: 0, batch: 128, epochs: 4 });
    const flags = resolveTrainSettings(train, parseTrainOptions({ lr: "0.1", batch: "16", epochs: "2", momentum: "0.5", warmup: "1", lrSchedule: "cosine" }));
    expect(flags).toEqual({ ...file, learningRate: 0.1, batch: 16, epochs: 2, optimizer: { kind: "sgd", momentum: 0.5, nesterov: false, weightDecay: 5e-4 }, warmupEpochs: 1, schedule: { kind: "cosine", minLr: 0 } });
  });

  it("keeps the file's schedule settings for the same kind and gives another kind its defaults", () => {
    const train: TrainConfig = { ...trainSection("  epochs = 9"), schedule: { kind: "step", everyEpochs: 2, gamma: 0.5 } };
    expect(resolveTrainSettings(train, parseTrainOptions({ lrSchedule: "step" })).schedule).toEqual({ kind: "step", everyEpochs: 2, gamma: 0.5 });
    expect(resolveTrainSettings(undefined, parseTrainOptions({ lrSchedule: "step", epochs: "9" })).schedule).toEqual({ kind: "step", everyEpochs: 3, gamma: 0.1 });
    expect(resolveTrainSettings(train, parseTrainOptions({ lrSchedule: "one_cycle" })).schedule).toEqual({ kind: "one_cycle", pctStart: 0.3, divFactor: 25, finalDivFactor: 1e4 });
  });

  it("switching the optimizer's kind drops the other kind's settings", () => {
    const sgd = trainSection("  optimizer = sgd(momentum=0.9, weight_decay=5e-4)");
    expect(resolveTrainSettings(sgd, parseTrainOptions({ optimizer: "adam" })).optimizer).toEqual(OPTIMIZER_DEFAULTS.adam);
    expect(resolveTrainSettings(sgd, parseTrainOptions({ optimizer: "adamw", weightDecay: "0.05" })).optimizer).toEqual({ ...OPTIMIZER_DEFAULTS.adamw, weightDecay: 0.05 });
    const adam = trainSection("  optimizer = adam(beta1=0.8, eps=1e-6, weight_decay=1e-4)");
    // Adam to AdamW keeps the betas and eps; the weight decay means something else there.
    expect(resolveTrainSettings(adam, parseTrainOptions({ optimizer: "adamw" })).optimizer).toEqual({ kind: "adamw", beta1: 0.8, beta2: 0.999, eps: 1e-6, weightDecay: 0.01 });
    expect(resolveTrainSettings(adam, parseTrainOptions({ optimizer: "sgd" })).optimizer).toEqual({ kind: "sgd", momentum: 0, nesterov: false, weightDecay: 0 });
    expect(resolveTrainSettings(adam, parseTrainOptions({})).optimizer).toEqual({ kind: "adam", beta1: 0.8, beta2: 0.999, eps: 1e-6, weightDecay: 1e-4 });
  });

  it("refuses settings that contradict each other", () => {
    const adam = trainSection("  optimizer = adam()");
    expect(userError(() => resolveTrainSettings(adam, parseTrainOptions({ momentum: "0.9" }))).message).toBe("--momentum applies to the sgd optimizer, but this run uses adam");
    const nesterov: TrainConfig = { ...trainSection(""), optimizer: { kind: "sgd", momentum: 0.9, nesterov: true, weightDecay: 0 } };
    expect(userError(() => resolveTrainSettings(nesterov, parseTrainOptions({ momentum: "0" }))).message).toMatch(/Nesterov momentum, but --momentum 0/);
    expect(userError(() => resolveTrainSettings(trainSection("  epochs = 2"), parseTrainOptions({ warmup: "3" }))).message).toBe(
      "the warmup (3 epochs) is longer than the run (2 epochs)",
    );
  });

  it("describes the settings in force in one line", () => {
    const sgd = trainSection("  optimizer = sgd(momentum=0.9, weight_decay=5e-4)\n  epochs = 5");
    expect(describeTrainSettings(resolveTrainSettings(sgd, parseTrainOptions({})))).toBe(
      "loss cross_entropy, sgd(momentum=0.9, nesterov=false, weight_decay=0.0005), lr 0.01, schedule constant, batch 64, 5 epochs",
    );
    expect(describeTrainSettings(resolveTrainSettings(sgd, parseTrainOptions({ optimizer: "adamw", lrSchedule: "cosine", warmup: "1", epochs: "1" })))).toBe(
      "loss cross_entropy, adamw(beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01), lr 0.01, schedule cosine(min_lr=0), warmup 1 epoch, batch 64, 1 epoch",
    );
    expect(describeTrainSettings(resolveTrainSettings(undefined, parseTrainOptions({ lrSchedule: "one_cycle" })))).toContain(
      "schedule one_cycle(pct_start=0.3, div_factor=25, final_div_factor=10000)",
    );
  });
});
