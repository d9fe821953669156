// An OptimizerConfig resolved into the settings one update step needs, every default applied (the
// train section fills them all; a config built in code may leave them out). Shared by the GPU update
// kernels and their float64 references.
import type { OptimizerConfig } from "../ir/graph.js";

/** PyTorch's SGD with dampening 0. */
export interface SgdSettings {
  momentum: number;
  nesterov: boolean;
  /** L2: added to the gradient as weightDecay · param. */
  weightDecay: number;
}

/** PyTorch's Adam (`decoupled` false: L2 added to the gradient) and AdamW (`decoupled`: param *= 1 − lr·wd). */
export interface AdamSettings {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  decoupled: boolean;
}

export type OptimizerSettings = ({ kind: "sgd" } & SgdSettings) | ({ kind: "adam" } & AdamSettings);

/** PyTorch's defaults for what `config` leaves out (AdamW's weight decay defaults to 0.01). */
export function optimizerSettings(config: OptimizerConfig): OptimizerSettings {
  if (config.kind === "sgd") {
    const momentum = config.momentum ?? 0;
    const nesterov = config.nesterov ?? false;
    if (nesterov && !(momentum > 0)) throw new Error("internal: Nesterov momentum without momentum (the train section refuses it)");
    return { kind: "sgd", momentum, nesterov, weightDecay: config.weightDecay ?? 0 };
  }
  return {
    kind: "adam",
    beta1: config.beta1 ?? 0.9,
    beta2: config.beta2 ?? 0.999,
    eps: config.eps ?? 1e-8,
    weightDecay: config.weightDecay ?? (config.kind === "adamw" ? 0.01 : 0),
    decoupled: config.kind === "adamw",
  };
}
