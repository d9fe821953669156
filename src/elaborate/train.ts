// The `train { ... }` section: checked and typed into a TrainConfig for `cnnc train`. Every setting
// has a default, so `train { epochs = 5 }` is complete.
import type { CallStep, Expr, SourceSpan, TrainDecl, TrainSetting } from "../../grammar/ast.js";
import { closestMatch } from "../../grammar/diagnostics.js";
import type { LossKind, LrScheduleConfig, OptimizerConfig, TrainConfig } from "../ir/graph.js";
import { LayerArgs } from "./arguments.js";
import { type SignatureParam, bindArguments } from "./bind.js";
import { evaluate } from "./evaluate.js";
import { type Reporter, formatLocation } from "./reporter.js";
import type { Scope } from "./scope.js";
import type { Value } from "./values.js";

/** Datasets `data = kind("path")` may name; the training runtime knows how to read each. */
const DATASET_KINDS: readonly string[] = ["fashion_mnist", "mnist", "cifar10"];

const KEYS = ["loss", "output", "optimizer", "lr", "learning_rate", "schedule", "warmup", "batch", "epochs", "data"] as const;
const LOSSES: readonly LossKind[] = ["cross_entropy", "mse"];

/** The settings of a train section that leaves them out, and of a model without one (`cnnc train`). */
export const TRAIN_DEFAULTS: Readonly<Omit<TrainConfig, "span" | "data">> = Object.freeze({
  loss: "cross_entropy",
  optimizer: Object.freeze({ kind: "sgd", momentum: 0, nesterov: false, weightDecay: 0 }),
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

/** Finds the network output a train section's `output = NAME` names (and reports it when there is none). */
export type OutputResolver = (name: string, span: SourceSpan) => number | undefined;

export function elaborateTrain(decl: TrainDecl, scope: Scope, reporter: Reporter, resolveOutput: OutputResolver): TrainConfig | undefined {
  const config: TrainConfig = { ...TRAIN_DEFAULTS, optimizer: { ...TRAIN_DEFAULTS.optimizer }, schedule: { ...TRAIN_DEFAULTS.schedule }, span: decl.span };
  const errorsBefore = reporter.errors;
  const seen = new Map<string, SourceSpan>();
  const env = { scope, reporter, lookupValue: () => undefined };
  for (const setting of decl.settings) {
    const key = setting.key === "learning_rate" ? "lr" : setting.key;
    if (!(KEYS as readonly string[]).includes(setting.key)) {
      const suggestion = closestMatch(setting.key, KEYS);
      reporter.error("unknown-train-setting", `unknown train setting \`${setting.key}\``, setting.keySpan, {
        hint: `${suggestion !== undefined ? `did you mean \`${suggestion}\`? ` : ""}settings are loss, output, optimizer, lr, schedule, warmup, batch, epochs, data`,
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
    if (key === "schedule") {
      const schedule = elaborateSchedule(setting, env);
      if (schedule !== undefined) config.schedule = schedule;
      continue;
    }
    if (key === "data") {
      const data = elaborateData(setting, env);
      if (data !== undefined) config.data = data;
      continue;
    }
    if (key === "output") {
      // A value's name, not a constant: resolved against the network's outputs.
      const name = setting.value.kind === "name" ? setting.value : isCall(setting.value) && !setting.value.hasParens ? { name: setting.value.callee, span: setting.value.span } : undefined;
      if (name === undefined) {
        reporter.error("bad-train-value", "`output` takes the name of one of the network's outputs", setting.value.span, { hint: usageOf(key) });
        continue;
      }
      const node = resolveOutput(name.name, name.span);
      if (node !== undefined) config.lossOutput = node;
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
    if (key === "warmup") config.warmupEpochs = args.float("warmup", 0, { atLeast: 0 });
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
    case "output":
      return "write e.g. `output = scores` (a name the network's `outputs` lists)";
    case "lr":
      return "write e.g. `lr = 0.01`";
    case "warmup":
      return "write the warmup length in epochs, e.g. `warmup = 0.5`";
    default:
      return `write e.g. \`${key} = 10\``;
  }
}

type Env = { scope: Scope; reporter: Reporter; lookupValue: () => undefined };

/** The kinds a call-valued setting (`optimizer`, `schedule`) may name, each with its parameters. */
type CallKinds<K extends string> = Record<K, SignatureParam[]>;

/**
 * `key = kind(arguments)` or a bare `key = kind`: the kind, checked against `kinds`, and its evaluated
 * arguments (bound to the kind's parameters, so missing, unknown and repeated ones are reported).
 */
function elaborateCall<K extends string>(
  setting: TrainSetting,
  env: Env,
  what: string,
  kinds: CallKinds<K>,
  usage: string,
): { kind: K; args: LayerArgs; values: Map<string, Value> } | undefined {
  const { reporter } = env;
  const value = setting.value;
  const call: CallStep | undefined = isCall(value) ? value : undefined;
  const kind = call !== undefined ? call.callee : value.kind === "name" ? value.name : undefined;
  const names = Object.keys(kinds) as K[];
  if (kind === undefined || !(names as string[]).includes(kind)) {
    const suggestion = kind === undefined ? undefined : closestMatch(kind, names);
    reporter.error("bad-train-value", `unknown ${what}${kind === undefined ? "" : ` \`${kind}\``}`, call?.calleeSpan ?? value.span, {
      hint: `${suggestion !== undefined ? `did you mean \`${suggestion}\`? ` : ""}use ${usage}`,
    });
    return undefined;
  }
  const known = kind as K;
  // A bare name is a call without arguments: bound too, so a required argument is still asked for.
  const site = call ?? { args: [], span: value.span };
  const bound = bindArguments({ title: `${what} \`${known}\``, name: known, params: kinds[known] }, site, reporter);
  if (bound === undefined) return undefined;
  const values = new Map<string, Value>();
  for (const [name, arg] of bound) {
    const evaluated = evaluate(arg.value, env);
    if (evaluated === undefined) return undefined;
    values.set(name, evaluated);
  }
  return { kind: known, args: new LayerArgs(values, env), values };
}

const optional = (name: string, defaultText: string): SignatureParam => ({ name, required: false, defaultText });

const ADAM_PARAMS = (weightDecay: string) => [
  optional("beta1", String(ADAM_DEFAULTS.beta1)),
  optional("beta2", String(ADAM_DEFAULTS.beta2)),
  optional("eps", String(ADAM_DEFAULTS.eps)),
  optional("weight_decay", weightDecay),
];

const OPTIMIZERS: CallKinds<OptimizerConfig["kind"]> = {
  sgd: [optional("momentum", "0"), optional("nesterov", "false"), optional("weight_decay", "0")],
  adam: ADAM_PARAMS("0"),
  // PyTorch's AdamW default: decoupled decay is meant to be on.
  adamw: ADAM_PARAMS("0.01"),
};

const OPTIMIZER_USAGE = "sgd(momentum=, nesterov=, weight_decay=), adam(beta1=, beta2=, eps=, weight_decay=) or adamw(beta1=, beta2=, eps=, weight_decay=)";

function elaborateOptimizer(setting: TrainSetting, env: Env): OptimizerConfig | undefined {
  const elaborated = elaborateCall(setting, env, "optimizer", OPTIMIZERS, OPTIMIZER_USAGE);
  if (elaborated === undefined) return undefined;
  const { kind, args, values } = elaborated;
  if (kind === "sgd") {
    const momentum = args.float("momentum", 0, { atLeast: 0, below: 1 });
    const nesterov = args.bool("nesterov", false);
    const weightDecay = args.float("weight_decay", 0, { atLeast: 0 });
    if (args.failed) return undefined;
    if (nesterov && momentum === 0) {
      env.reporter.error("bad-train-value", "Nesterov momentum needs a momentum above 0", values.get("nesterov")!.span, {
        hint: "give the momentum too, e.g. sgd(momentum=0.9, nesterov=true), or drop `nesterov`",
      });
      return undefined;
    }
    return { kind, momentum, nesterov, weightDecay };
  }
  const optimizer: OptimizerConfig = {
    kind,
    beta1: args.float("beta1", ADAM_DEFAULTS.beta1, { atLeast: 0, below: 1 }),
    beta2: args.float("beta2", ADAM_DEFAULTS.beta2, { atLeast: 0, below: 1 }),
    eps: args.float("eps", ADAM_DEFAULTS.eps, { above: 0 }),
    weightDecay: args.float("weight_decay", kind === "adamw" ? 0.01 : 0, { atLeast: 0 }),
  };
  return args.failed ? undefined : optimizer;
}

const SCHEDULES: CallKinds<LrScheduleConfig["kind"]> = {
  constant: [],
  step: [{ name: "every", required: true }, optional("gamma", "0.1")],
  cosine: [optional("min_lr", "0")],
  one_cycle: [optional("pct_start", "0.3"), optional("div_factor", "25"), optional("final_div_factor", "1e4")],
};

const SCHEDULE_USAGE = "constant, step(every=EPOCHS, gamma=0.1), cosine(min_lr=0) or one_cycle(pct_start=0.3, div_factor=25, final_div_factor=1e4)";

function elaborateSchedule(setting: TrainSetting, env: Env): LrScheduleConfig | undefined {
  const elaborated = elaborateCall(setting, env, "schedule", SCHEDULES, SCHEDULE_USAGE);
  if (elaborated === undefined) return undefined;
  const { kind, args } = elaborated;
  const schedule: LrScheduleConfig =
    kind === "constant"
      ? { kind }
      : kind === "step"
        ? { kind, everyEpochs: args.integer("every", 1), gamma: args.float("gamma", 0.1, { above: 0 }) }
        : kind === "cosine"
          ? { kind, minLr: args.float("min_lr", 0, { atLeast: 0 }) }
          : {
              kind,
              pctStart: args.float("pct_start", 0.3, { above: 0, below: 1 }),
              divFactor: args.float("div_factor", 25, { above: 0 }),
              finalDivFactor: args.float("final_div_factor", 1e4, { above: 0 }),
            };
  return args.failed ? undefined : schedule;
}

const DATASETS: CallKinds<string> = Object.fromEntries(DATASET_KINDS.map((kind) => [kind, [{ name: "path", required: false }]]));

function elaborateData(setting: TrainSetting, env: Env): TrainConfig["data"] {
  const usage = `${DATASET_KINDS.slice(0, -1).map((d) => `${d}("path")`).join(", ")} or ${DATASET_KINDS.at(-1)!}("path")`;
  const elaborated = elaborateCall(setting, env, "dataset", DATASETS, usage);
  if (elaborated === undefined) return undefined;
  const { kind, values } = elaborated;
  const path = values.get("path");
  if (path === undefined) return { kind };
  if (path.kind !== "string") {
    env.reporter.error("wrong-argument-type", "a dataset path must be a string", path.span, { hint: `write e.g. ${kind}("/usr/share/datasets/${kind.replace("_", "-")}")` });
    return undefined;
  }
  return { kind, path: path.value };
}
