// Checks of a schedule's knobs shared by the kinds' validators: each kind's `<kind>ScheduleOf` turns a
// malformed knob into an internal error (codegen never guesses), and its `illegalKnobs` reports the
// same problem as text (the tuner and choose-schedules' exact requests use that).
import { MAX_INVOCATIONS_PER_WORKGROUP } from "../codegen/wgsl.js";
import type { Schedule } from "../ir/graph.js";
import type { Target } from "./types.js";

/** Why `schedule[knob]` is not an integer in min..max (undefined: it is). */
export function integerKnobProblem(schedule: Schedule, knob: string, min: number, max: number): string | undefined {
  const value = schedule[knob];
  if (typeof value === "number" && Number.isInteger(value) && value >= min && value <= max) return undefined;
  return `${schedule.kind} needs ${knob} to be an integer in ${min}..${max}, got ${String(value)}`;
}

/** `schedule[knob]` as validated by integerKnobProblem; an internal error naming `what` otherwise. */
export function integerKnob(schedule: Schedule, knob: string, min: number, max: number, what: string): number {
  const problem = integerKnobProblem(schedule, knob, min, max);
  if (problem !== undefined) throw new Error(`internal: ${what}: schedule ${problem}`);
  return schedule[knob] as number;
}

/** An internal error unless `schedule` is of `kind`. */
export function requireKind(schedule: Schedule, kind: string, what: string): void {
  if (schedule.kind !== kind) throw new Error(`internal: ${what}: expected a ${kind} schedule, got "${schedule.kind}"`);
}

/**
 * The most invocations a one-dimensional workgroup may have on `target`: its limits, and at most what
 * the generators lay dispatches out for (codegen/wgsl.ts), however much more a GPU allows.
 */
export function workgroupLimit(target: Target): number {
  return Math.min(target.limits.maxComputeInvocationsPerWorkgroup, target.limits.maxComputeWorkgroupSizeX, MAX_INVOCATIONS_PER_WORKGROUP);
}

/** Why a workgroup of `size` invocations (one-dimensional) cannot run on `target` (undefined: it can). */
export function workgroupSizeProblem(size: number, target: Target): string | undefined {
  const limit = workgroupLimit(target);
  return size > limit ? `a workgroup of ${size} invocations is more than the ${limit} the target allows` : undefined;
}

/** The default kernels' workgroup size, 64 (measured on llvmpipe), within what `target` allows. */
export function defaultWorkgroupSize(target: Target): number {
  return Math.min(64, workgroupLimit(target));
}

/** The first defined problem of `problems` (checked lazily, in order). */
export function firstProblem(...problems: (() => string | undefined)[]): string | undefined {
  for (const problem of problems) {
    const found = problem();
    if (found !== undefined) return found;
  }
  return undefined;
}
