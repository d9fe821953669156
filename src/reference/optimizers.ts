// float64 references of one optimizer step, written as PyTorch's single-tensor SGD, Adam and AdamW
// compute them, updating the given arrays in place: the oracle of the GPU update kernels.
import type { AdamSettings, SgdSettings } from "../training/optimizerSettings.js";

export interface SgdState {
  param: Float64Array;
  /** The momentum buffer; absent when momentum is 0. Zeros before the first step. */
  momentumBuffer?: Float64Array;
}

export interface AdamState {
  param: Float64Array;
  expAvg: Float64Array;
  expAvgSq: Float64Array;
}

/** One SGD step (dampening 0): g = grad + wd·param; buf = momentum·buf + g; param −= lr·(nesterov ? g + momentum·buf : buf). */
export function sgdStepReference(state: SgdState, grad: Float64Array, settings: SgdSettings, learningRate: number): void {
  const { param, momentumBuffer } = state;
  checkLengths(param, [grad, ...(momentumBuffer === undefined ? [] : [momentumBuffer])]);
  if (settings.momentum !== 0 && momentumBuffer === undefined) throw new Error("internal: SGD with momentum needs a momentum buffer");
  for (let i = 0; i < param.length; i++) {
    const g = grad[i]! + settings.weightDecay * param[i]!;
    let step = g;
    if (momentumBuffer !== undefined && settings.momentum !== 0) {
      // PyTorch starts the buffer as a copy of g: momentum·0 + g is the same.
      const buffer = settings.momentum * momentumBuffer[i]! + g;
      momentumBuffer[i] = buffer;
      step = settings.nesterov ? g + settings.momentum * buffer : buffer;
    }
    param[i] = param[i]! - learningRate * step;
  }
}

/** One Adam/AdamW step with t = `step` (1-based, as PyTorch's state["step"] after its increment). */
export function adamStepReference(state: AdamState, grad: Float64Array, settings: AdamSettings, learningRate: number, step: number): void {
  const { param, expAvg, expAvgSq } = state;
  checkLengths(param, [grad, expAvg, expAvgSq]);
  if (!Number.isInteger(step) || step < 1) throw new Error(`internal: Adam step ${step} (t counts from 1)`);
  const biasCorrection1 = 1 - settings.beta1 ** step;
  const biasCorrection2 = 1 - settings.beta2 ** step;
  const stepSize = learningRate / biasCorrection1;
  const biasCorrection2Sqrt = Math.sqrt(biasCorrection2);
  for (let i = 0; i < param.length; i++) {
    let g = grad[i]!;
    if (settings.decoupled) param[i] = param[i]! * (1 - learningRate * settings.weightDecay);
    else g += settings.weightDecay * param[i]!;
    expAvg[i] = expAvg[i]! + (1 - settings.beta1) * (g - expAvg[i]!);
    expAvgSq[i] = settings.beta2 * expAvgSq[i]! + (1 - settings.beta2) * g * g;
    const denominator = Math.sqrt(expAvgSq[i]!) / biasCorrection2Sqrt + settings.eps;
    param[i] = param[i]! - (stepSize * expAvg[i]!) / denominator;
  }
}

function checkLengths(param: Float64Array, others: Float64Array[]): void {
  for (const other of others) {
    if (other.length !== param.length) throw new Error(`internal: optimizer arrays of ${param.length} and ${other.length} elements`);
  }
}
