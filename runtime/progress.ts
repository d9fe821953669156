// Progress of the slow first use of a plan: Dawn builds each kernel's pipeline when the executor is
// prepared, and Mesa compiles the shader again at its first dispatch, so a large network's first run
// is silent for many seconds without this. Listeners hear of each kernel as it starts, per phase, and
// once more when the phase is over.
import type { KernelStep } from "../src/codegen/plan.js";

export interface KernelProgress {
  /** `compiling`: building the pipelines; `first run`: each kernel's first dispatch. */
  phase: "compiling" | "first run";
  /** 1-based position of the kernel now being worked on (of the last one, once finished). */
  position: number;
  total: number;
  kernel: string;
  layer: string;
  /** True for the one event after the phase's last kernel is done. */
  finished: boolean;
}

export type ProgressListener = (progress: KernelProgress) => void;

/** Tells `listener` that step `index` starts (or, with `finished`, that the last one is done). */
export function reportStep(listener: ProgressListener | undefined, phase: KernelProgress["phase"], steps: readonly KernelStep[], index: number, finished = false): void {
  const step = steps[index];
  if (listener === undefined || step === undefined) return;
  listener({ phase, position: index + 1, total: steps.length, kernel: step.name, layer: step.layer, finished });
}

/** `compiling kernels 37/93 layer3.1.conv2`: the one-line form a terminal shows. */
export function describeProgress(progress: KernelProgress): string {
  const what = progress.phase === "compiling" ? "compiling kernels" : "first run, kernel";
  return `${what} ${progress.position}/${progress.total} ${progress.layer}`;
}
