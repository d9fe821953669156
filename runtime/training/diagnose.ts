// Naming where a training step first went non-finite. The loss kernel records the first step whose
// loss was NaN or Inf, and from then on the update kernels skip their work, so the parameters are
// still those that produced it. This replays that step (its batch, labels and hyper-parameters), one
// kernel at a time without the updates, reading back what each kernel writes, and names the first
// layer whose activation (forward) or gradient (backward) holds a non-finite value, and any parameter
// that already held one.
import type { KernelStep } from "../../src/codegen/plan.js";
import type { Trainer, TrainingBatch } from "./trainer.js";

function firstNonFinite(values: Float32Array): number {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return i;
  return -1;
}

export interface NonFiniteReport {
  step: number;
  /** The first kernel writing a non-finite value, its layer and phase; undefined if the replay stayed finite. */
  kernel: KernelStep | undefined;
  value: number | undefined;
  /** Parameters and buffers (running statistics) holding a non-finite value before the step. */
  parameters: string[];
}

export async function diagnoseNonFinite(trainer: Trainer, batch: TrainingBatch, step: number): Promise<NonFiniteReport> {
  const weights = await trainer.readWeights();
  const parameters = [...weights].filter(([, tensor]) => firstNonFinite(tensor.data) >= 0).map(([name]) => name);
  const inputs = trainer.prepareReplay(batch, step);
  let found: { kernel: KernelStep; value: number } | undefined;
  await trainer.trainExecutor.runStepByStep(
    inputs,
    (candidate) => candidate.phase !== "update",
    (kernel, written) => {
      // Parameters and running statistics are reported apart (they held the value before the step).
      for (const { buffer, values } of written) {
        if (trainer.trainPlan.buffers[buffer]!.role === "param") continue;
        const index = firstNonFinite(values);
        if (index >= 0) {
          found = { kernel, value: values[index]! };
          return false;
        }
      }
      return true;
    },
  );
  return { step, kernel: found?.kernel, value: found?.value, parameters };
}

/** The report in words, for the error that stops training. */
export function nonFiniteStepMessage(report: NonFiniteReport): string {
  const parts = [`the loss became non-finite at step ${report.step + 1}`];
  if (report.kernel !== undefined) {
    const what = report.kernel.phase === "forward" ? "activation" : report.kernel.phase === "loss" ? "loss gradient" : "gradient";
    parts.push(`the first non-finite value (${report.value}) is the ${what} of layer ${report.kernel.layer} (kernel ${report.kernel.name})`);
  }
  if (report.parameters.length > 0) parts.push(`weights already non-finite before it: ${report.parameters.join(", ")}`);
  return parts.join("; ");
}
