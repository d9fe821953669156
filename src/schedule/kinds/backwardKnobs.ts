// What the backward GEMM kinds (dataGemm, filterGemm, fcDataGemm, fcWeightGemm) share: reading an
// integer knob off a plain schedule, and the target limits every flat-dispatch kernel must respect.
import type { Schedule } from "../../ir/graph.js";
import { firstProblem, integerKnobProblem, requireKind, workgroupLimit } from "../knobs.js";
import type { Target } from "../types.js";

/** The bounds of one integer knob: the generated code unrolls it, so it stays small. */
export interface IntegerKnobBounds {
  min: number;
  max: number;
}

/** A register block: the product of two knobs, bounded because it unrolls into accumulators. */
export interface RegisterBlock<Knob extends string> {
  knobs: [Knob, Knob];
  max: number;
  /** What the product counts: `accumulators`, `vec4 accumulators`. */
  unit: string;
}

/** Why a schedule's knobs are not integers within `bounds`, or its register block exceeds its maximum. */
export function knobsProblem<Knob extends string>(schedule: Schedule, bounds: Readonly<Record<Knob, IntegerKnobBounds>>, block: RegisterBlock<Knob>): string | undefined {
  const problem = firstProblem(...(Object.entries(bounds) as [Knob, IntegerKnobBounds][]).map(([knob, range]) => () => integerKnobProblem(schedule, knob, range.min, range.max)));
  if (problem !== undefined) return problem;
  const [a, b] = block.knobs;
  const size = (schedule[a] as number) * (schedule[b] as number);
  return size > block.max ? `${schedule.kind} holds ${a} x ${b} = ${size} ${block.unit}, more than ${block.max}` : undefined;
}

/** The knobs of a schedule of `kind`, validated: an internal error naming `what` on a malformed one (no defaults applied). */
export function validatedKnobs<Knob extends string>(schedule: Schedule, kind: string, bounds: Readonly<Record<Knob, IntegerKnobBounds>>, block: RegisterBlock<Knob>, what: string): Record<Knob, number> {
  requireKind(schedule, kind, what);
  const problem = knobsProblem(schedule, bounds, block);
  if (problem !== undefined) throw new Error(`internal: ${what}: ${problem}`);
  return Object.fromEntries(Object.keys(bounds).map((knob) => [knob, schedule[knob] as number])) as Record<Knob, number>;
}

/** Why a flat dispatch of `invocations` in workgroups of `workgroupSize` cannot run on `target`. */
export function dispatchProblem(invocations: number, workgroupSize: number, target: Target): string | undefined {
  const { maxComputeWorkgroupsPerDimension } = target.limits;
  const largest = workgroupLimit(target);
  if (workgroupSize > largest) return `a workgroup of ${workgroupSize} invocations is more than ${target.description} allows (${largest})`;
  const workgroups = Math.ceil(invocations / workgroupSize);
  // foldedDispatch (src/codegen/wgsl.ts) folds the workgroups into x * y.
  if (workgroups > maxComputeWorkgroupsPerDimension ** 2) {
    return `${workgroups} workgroups are more than a 2-D dispatch on ${target.description} holds (${maxComputeWorkgroupsPerDimension}^2)`;
  }
  return undefined;
}

/** Why a buffer of `bytes` (named `what`) cannot be bound on `target`. */
export function bindingProblem(what: string, bytes: number, target: Target): string | undefined {
  const limit = target.limits.maxStorageBufferBindingSize;
  return bytes > limit ? `${what}: ${bytes} bytes, more than one binding on ${target.description} holds (${limit})` : undefined;
}

/** The operation a kind was asked about, when it computes another one. */
export function wrongOp(kind: string, op: string, actual: string): string | undefined {
  return actual === op ? undefined : `${kind} computes ${op}, not ${actual}`;
}
