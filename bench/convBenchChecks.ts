// What the conv benches share: whole-number options and the tolerance of a conv output against
// cnnc's float64 reference (checked by referenceCheck.ts before any time counts), and the timed runs.
import type { PlanExecutor } from "../runtime/executor.js";
import type { Tensor } from "../src/tensor.js";

/** float32 against float64 over a 576-term reduction of values around 1. */
export const CONV_TOLERANCE = { rtol: 1e-4, atol: 1e-4 };

/** The whole-number value of `--name` (at least 1; 0 allowed for `--warmup`), or `fallback`. */
export function wholeOption(args: readonly string[], name: string, fallback: number): number {
  const index = args.indexOf(name);
  if (index < 0) return fallback;
  const value = Number(args[index + 1]);
  if (!Number.isInteger(value) || value < (name === "--warmup" ? 0 : 1)) throw new Error(`${name} needs a positive integer, got \`${args[index + 1] ?? ""}\``);
  return value;
}

/**
 * Runs the plan's `conv` output `warmup` times (the first compiles the shaders), then `runs` timed
 * runs as a caller waits for them (upload the input, run, read back): each run's ms and the last output.
 */
export async function timeConvRuns(executor: PlanExecutor, inputs: Map<string, Tensor>, warmup: number, runs: number): Promise<{ timesMs: number[]; output: Tensor }> {
  let output = (await executor.run(inputs)).get("conv")!;
  for (let i = 1; i < warmup; i++) await executor.run(inputs);
  const timesMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    output = (await executor.run(inputs)).get("conv")!;
    timesMs.push(performance.now() - started);
  }
  return { timesMs, output };
}
