// The `train { ... }` section: checked and typed into a TrainConfig for the trainer to come. Every setting
// has a default, so `train { epochs = 5 }` is complete.
import type { CallStep, Expr, SourceSpan, TrainDecl, TrainSetting } from "../../grammar/ast.js";
import { closestMatch } from "../../grammar/diagnostics.js";
import type { LossKind, LrScheduleConfig, OptimizerConfig, TrainConfig } from "../ir/graph.js";
import { LayerArgs } from "./arguments.js";
import { bindArguments } from "./bind.js";
import { evaluate } from "./evaluate.js";
import { type Reporter, formatLocation } from "./reporter.js";
import type { Scope } from "./scope.js";
import type { Value } from "./values.js";

/** Datasets `data = kind("path")` may name; the training runtime knows how to read each. */
const DATASET_KINDS: readonly string[] = ["fashion_mnist", "mnist", "cifar10"];

const KEYS = ["loss", "optimizer", "lr", "learning_rate", "batch", "epochs", "data"] as const;
const LOSSES: readonly LossKind[] = ["cross_entropy", "mse"];

/** The settings of a train section that leaves them out, and of a model without one (`cnnc train`). */
export const TRAIN_DEFAULTS: Readonly<Omit<TrainConfig, "span" | "data">> = Object.freeze({
  loss: "cross_entropy",
  optimizer: Object.freeze({ kind: "sgd", momentum: 0, weightDecay: 0 }),
  learningRate: 0.01,
  schedule: Object.freeze({ kind: "constant" }),
  warmupEpochs: 0,
  batch: 64,
  epochs: 1,
});

const ADAM_DEFAULTS = { beta1: 0.9, beta2: 0.999, eps: 1e-8 } as const;

/** Each optimizer's settings when not given: PyTorch's defaults (AdamW's weight decay is 0.01 there too). */
export const OPTIMIZER_DEFAULTS: Readonly<Record<OptimizerConfig["kind"], Readonly<OptimizerConfig>>> = Object.freeze({
  sgd: TRAIN_DEFAULTS.optimizer,
  adam: Object.freeze({ kind: "adam", ...ADAM_DEFAULTS, weightDecay: 0 }),
  adamw: Object.freeze({ kind: "adamw", ...ADAM_DEFAULTS, weightDecay: 0.01 }),
});

/**
 * A schedule's settings when only its kind is named: StepLR dividing by 10 about twice over the run,
 * cosine down to 0, and PyTorch's OneCycleLR defaults.
 */
export function defaultSchedule(kind: LrScheduleConfig["kind"], epochs: number): LrScheduleConfig {
  switch (kind) {
    case "constant":
      return { kind };
    case "step":
      return { kind, everyEpochs: Math.max(1, Math.ceil(epochs / 3)), gamma: 0.1 };
    case "cosine":
      return { kind, minLr: 0 };
    case "one_cycle":
      return { kind, pctStart: 0.3, divFactor: 25, finalDivFactor: 1e4 };
  }
}

export function elaborateTrain(decl: TrainDecl, scope: Scope, reporter: Reporter): TrainConfig | undefined {
  const config: TrainConfig = { ...TRAIN_DEFAULTS, optimizer: { ...TRAIN_DEFAULTS.optimizer }, schedule: { ...TRAIN_DEFAULTS.schedule }, span: decl.span };
  const errorsBefore = reporter.errors;
  const seen = new Map<string, SourceSpan>();
  const env = { scope, reporter, lookupValue: () => undefined };
  for (const setting of decl.settings) {
    const key = setting.key === "learning_rate" ? "lr" : setting.key;
    if (!(KEYS as readonly string[]).includes(setting.key)) {
      const suggestion = closestMatch(setting.key, KEYS);
      reporter.error("unknown-train-setting", `unknown train setting \`${setting.key}\``, setting.keySpan, {
        hint: `${suggestion !== undefined ? `did you mean \`${suggestion}\`? ` : ""}settings are loss, optimizer, lr, batch, epochs, data`,
      });
      continue;
    }
    const previous = seen.get(key);
    if (previous !== undefined) {
      reporter.error("duplicate-train-setting", `train setting \`${key}\` is given twice`, setting.keySpan, {
        notes: [`first given at ${formatLocation(previous)}`],
        hint: "remove one of them",
      });
      continue;
    }
    seen.set(key, setting.keySpan);
    if (key === "optimizer") {
      const optimizer = elaborateOptimizer(setting, env);
      if (optimizer !== undefined) config.optimizer = optimizer;
      continue;
    }
    if (key === "data") {
      const data = elaborateData(setting, env);
      if (data !== undefined) config.data = data;
      continue;
    }
    if (isCall(setting.value) && (setting.value.hasParens || key !== "loss")) {
      reporter.error("bad-train-value", `\`${key}\` takes a value, not a call`, setting.value.span, { hint: usageOf(key) });
      continue;
    }
    const expr: Expr = isCall(setting.value) ? { kind: "name", name: setting.value.callee, span: setting.value.span } : setting.value;
    const value = evaluate(expr, env);
    if (value === undefined) continue;
    const args = new LayerArgs(new Map([[key, value]]), env);
    if (key === "loss") config.loss = args.choice("loss", LOSSES, "cross_entropy");
    if (key === "lr") config.learningRate = args.float("lr", config.learningRate, { above: 0 });
    if (key === "batch") config.batch = args.integer("batch", config.batch);
    if (key === "epochs") config.epochs = args.integer("epochs", config.epochs);
  }
  return reporter.errors > errorsBefore ? undefined : config;
}

function isCall(value: Expr | CallStep): value is CallStep {
  return value.kind === "call";
}

function usageOf(key: string): string {
  switch (key) {
    case "loss":
      return "write `loss = cross_entropy` or `loss = mse`";
    case "lr":
      return "write e.g. `lr = 0.01`";
    default:
      return `write e.g. \`${key} = 10\``;
  }
}

type Env = { scope: Scope; reporter: Reporter; lookupValue: () => undefined };

function elaborateOptimizer(setting: TrainSetting, env: Env): OptimizerConfig | undefined {
  const { reporter } = env;
  const value = setting.value;
  const call: CallStep | undefined = isCall(value) ? value : undefined;
  const kind = call !== undefined ? call.callee : value.kind === "name" ? value.name : undefined;
  if (kind !== "sgd" && kind !== "adam") {
    const suggestion = kind === undefined ? undefined : closestMatch(kind, ["sgd", "adam"]);
    reporter.error("bad-train-value", `unknown optimizer${kind === undefined ? "" : ` \`${kind}\``}`, call?.calleeSpan ?? value.span, {
      hint: `${suggestion !== undefined ? `did you mean \`${suggestion}\`? ` : ""}use sgd(momentum=, weight_decay=) or adam(beta1=, beta2=, eps=, weight_decay=)`,
    });
    return undefined;
  }
  const params =
    kind === "sgd"
      ? [
          { name: "momentum", required: false, defaultText: "0" },
          { name: "weight_decay", required: false, defaultText: "0" },
        ]
      : [
          { name: "beta1", required: false, defaultText: String(ADAM_DEFAULTS.beta1) },
          { name: "beta2", required: false, defaultText: String(ADAM_DEFAULTS.beta2) },
          { name: "eps", required: false, defaultText: String(ADAM_DEFAULTS.eps) },
          { name: "weight_decay", required: false, defaultText: "0" },
        ];
  const bound = call === undefined ? new Map() : bindArguments({ title: `optimizer \`${kind}\``, name: kind, params }, call, reporter);
  if (bound === undefined) return undefined;
  const values = new Map<string, Value>();
  for (const [name, arg] of bound) {
    const evaluated = evaluate(arg.value, env);
    if (evaluated === undefined) return undefined;
    values.set(name, evaluated);
  }
  const args = new LayerArgs(values, env);
  const weightDecay = args.float("weight_decay", 0, { atLeast: 0 });
  const optimizer: OptimizerConfig =
    kind === "sgd"
      ? { kind, momentum: args.float("momentum", 0, { atLeast: 0, below: 1 }), weightDecay }
      : {
          kind,
          beta1: args.float("beta1", ADAM_DEFAULTS.beta1, { atLeast: 0, below: 1 }),
          beta2: args.float("beta2", ADAM_DEFAULTS.beta2, { atLeast: 0, below: 1 }),
          eps: args.float("eps", ADAM_DEFAULTS.eps, { above: 0 }),
          weightDecay,
        };
  return args.failed ? undefined : optimizer;
}

function elaborateData(setting: TrainSetting, env: Env): TrainConfig["data"] {
  const { reporter } = env;
  const value = setting.value;
  const call: CallStep | undefined = isCall(value) ? value : undefined;
  const kind = call !== undefined ? call.callee : value.kind === "name" ? value.name : undefined;
  if (kind === undefined || !DATASET_KINDS.includes(kind)) {
    const suggestion = kind === undefined ? undefined : closestMatch(kind, DATASET_KINDS);
    reporter.error("bad-train-value", `unknown dataset${kind === undefined ? "" : ` \`${kind}\``}`, call?.calleeSpan ?? value.span, {
      hint: `${suggestion !== undefined ? `did you mean \`${suggestion}\`? ` : ""}datasets are ${DATASET_KINDS.map((d) => `${d}("path")`).join(", ")}`,
    });
    return undefined;
  }
  const bound = call === undefined ? new Map() : bindArguments({ title: `dataset \`${kind}\``, name: kind, params: [{ name: "path", required: false }] }, call, reporter);
  if (bound === undefined) return undefined;
  const pathArg = bound.get("path");
  if (pathArg === undefined) return { kind };
  const path = evaluate(pathArg.value, env);
  if (path === undefined) return undefined;
  if (path.kind !== "string") {
    reporter.error("wrong-argument-type", "a dataset path must be a string", path.span, { hint: `write e.g. ${kind}("/usr/share/datasets/${kind.replace("_", "-")}")` });
    return undefined;
  }
  return { kind, path: path.value };
}
