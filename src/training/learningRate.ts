// The learning rate of each optimizer step: the train section's schedule, as PyTorch's schedulers
// compute it when stepped once per batch (lengths in epochs converted to steps), times a linear
// warmup over the first steps.
import type { LrScheduleConfig, TrainConfig } from "../ir/graph.js";

export type LearningRateSettings = Pick<TrainConfig, "learningRate" | "schedule" | "warmupEpochs">;

/**
 * The rate used by the 0-based optimizer step `step` of a run of `totalSteps` steps with
 * `stepsPerEpoch` steps per epoch.
 */
export function learningRateAt(settings: LearningRateSettings, step: number, stepsPerEpoch: number, totalSteps: number): number {
  if (!Number.isInteger(stepsPerEpoch) || stepsPerEpoch < 1) throw new Error(`internal: ${stepsPerEpoch} steps per epoch`);
  if (!Number.isInteger(totalSteps) || totalSteps < 1) throw new Error(`internal: a run of ${totalSteps} steps`);
  if (!Number.isInteger(step) || step < 0 || step >= totalSteps) throw new Error(`internal: step ${step} of a run of ${totalSteps} steps`);
  const scheduled = scheduledRate(settings.learningRate, settings.schedule, step, stepsPerEpoch, totalSteps);
  const warmupSteps = Math.round(settings.warmupEpochs * stepsPerEpoch);
  return step < warmupSteps ? (scheduled * (step + 1)) / warmupSteps : scheduled;
}

function scheduledRate(baseRate: number, schedule: LrScheduleConfig, step: number, stepsPerEpoch: number, totalSteps: number): number {
  switch (schedule.kind) {
    case "constant":
      return baseRate;
    case "step":
      // StepLR(step_size = every epochs in steps): base * gamma^(completed periods).
      return baseRate * schedule.gamma ** Math.floor(step / (schedule.everyEpochs * stepsPerEpoch));
    case "cosine":
      // CosineAnnealingLR(T_max = total steps), its closed form.
      return cosineAnneal(baseRate, schedule.minLr, step / totalSteps);
    case "one_cycle":
      return oneCycleRate(baseRate, schedule, step, totalSteps);
  }
}

/** PyTorch's `_annealing_cos`: from `start` at fraction 0 to `end` at fraction 1 along half a cosine. */
function cosineAnneal(start: number, end: number, fraction: number): number {
  return end + ((start - end) / 2) * (Math.cos(Math.PI * fraction) + 1);
}

/**
 * OneCycleLR(max_lr = base, total_steps, pct_start, div_factor, final_div_factor, anneal_strategy
 * "cos", three_phase false): up from base / div_factor to base by step pct_start·total − 1, then down
 * to base / div_factor / final_div_factor at the last step. Phase boundaries are fractional steps, as
 * in PyTorch.
 */
function oneCycleRate(maxRate: number, schedule: Extract<LrScheduleConfig, { kind: "one_cycle" }>, step: number, totalSteps: number): number {
  const initialRate = maxRate / schedule.divFactor;
  const finalRate = initialRate / schedule.finalDivFactor;
  const peakStep = schedule.pctStart * totalSteps - 1;
  const lastStep = totalSteps - 1;
  // PyTorch divides by the phase's length; a phase of length 0 (a 1-step run, or a rise that ends at
  // step 0) would divide 0 by 0 there: such a phase is over, so it stands at its end rate.
  const fraction = (from: number, to: number) => (to > from ? (step - from) / (to - from) : 1);
  if (step <= peakStep) return cosineAnneal(initialRate, maxRate, fraction(0, peakStep));
  return cosineAnneal(maxRate, finalRate, fraction(peakStep, lastStep));
}
