// The cost model: a schedule's time on a target estimated from its counted work (costFormulas.ts)
// and the target's calibrated coefficients (calibration/), and the model's choice among the
// candidates (candidates.ts). Linear in the coefficients, so that bench/calibrate.ts fits them by
// least squares from measured times.
import type { Schedule } from "../ir/graph.js";
import { cachedCalibration, COST_RATES, type Calibration, type CostCoefficients } from "./calibration/calibration.js";
import { candidateSchedules } from "./candidates.js";
import { workCounts, type WorkCounts } from "./costFormulas.js";
import { SCHEDULE_KINDS } from "./registry.js";
import type { ScheduleKindDefinition, Target, Workload } from "./types.js";

export interface CostEstimate {
  seconds: number;
  flops: number;
  /** Bytes moved: reads (with the re-reads the tile implies), writes, scratch round trips. */
  bytes: number;
  launches: number;
  invocations: number;
  /** invocations over what the target runs at once; below 1 the target idles. */
  occupancy: number;
  /** The share of the tiles' work that is padding. */
  wasteFraction: number;
}

/**
 * The model's terms of one schedule: the coefficients multiply these (see CostCoefficients). The
 * per-lane terms (FLOPs, operand reads) are divided by the occupancy when below 1: an under-filled
 * target runs no faster. Operand reads are weighed per kind and per operand: each kind computes its
 * operands' addresses its own way (a column buffer read in order, im2col arithmetic and padding
 * checks in the loads, sliding windows), and the weights' side differs from the inputs' side. The
 * column operand's re-reads weigh more once its storage outgrows the target's cache (`cacheBytes`).
 */
export interface CostTerms {
  launches: number;
  /** Which rates weigh the per-kind terms (computeFlops, operand bytes, invocations): see rateKey. */
  kind: string;
  op: Workload["op"];
  computeFlops: number;
  rowOperandBytes: number;
  columnOperandBytes: number;
  /** columnOperandBytes when the column operand's storage is larger than the cache, else 0. */
  spilledColumnOperandBytes: number;
  /** The result's bytes, per kind: each kind stores its tiles in its own pattern. */
  outputBytes: number;
  /** The bytes moved besides the operand reads and the result: scratch round trips, split-K partials. */
  otherBytes: number;
  invocations: number;
  barrierSteps: number;
}

export function costTerms(counts: WorkCounts, kind: string, op: Workload["op"], concurrentInvocations: number, cacheBytes: number): CostTerms {
  const occupancy = Math.min(1, counts.invocations / concurrentInvocations);
  const columnOperandBytes = counts.columnOperandBytes / occupancy;
  return {
    launches: counts.launches,
    kind,
    op,
    computeFlops: counts.paddedFlops / occupancy,
    rowOperandBytes: counts.rowOperandBytes / occupancy,
    columnOperandBytes,
    spilledColumnOperandBytes: counts.columnOperandFootprint > cacheBytes ? columnOperandBytes : 0,
    outputBytes: counts.outputBytes,
    otherBytes: counts.bytes - counts.rowOperandBytes - counts.columnOperandBytes - counts.outputBytes,
    invocations: counts.invocations,
    barrierSteps: counts.barrierSteps,
  };
}

/**
 * The key of the per-kind rates: `kind/op` (the gemm kind computes fc and 1x1 convs, whose operands
 * lie differently in memory), which calibrations fit; a table keyed by kind alone serves every op.
 */
export function rateKey(kind: string, op: Workload["op"]): string {
  return `${kind}/${op}`;
}

function perKind(table: Record<string, number>, name: string, terms: CostTerms): number {
  const value = table[rateKey(terms.kind, terms.op)] ?? table[terms.kind];
  if (value === undefined) throw new Error(`internal: the calibration has no ${name} for schedule kind "${terms.kind}" computing ${terms.op} (run npm run calibrate)`);
  return value;
}

export function secondsOf(terms: CostTerms, coefficients: CostCoefficients): number {
  let seconds = 0;
  for (const rate of COST_RATES) {
    seconds += rate.term(terms) * (rate.perKind ? perKind(coefficients[rate.name], rate.name, terms) : coefficients[rate.name]);
  }
  return seconds;
}

function definitionOf(kinds: readonly ScheduleKindDefinition[], kind: string): ScheduleKindDefinition {
  const definition = kinds.find((candidate) => candidate.kind === kind);
  if (definition === undefined) throw new Error(`internal: no schedule kind "${kind}" among ${kinds.map((known) => known.kind).join(", ") || "no kinds"}`);
  return definition;
}

export function estimateCost(
  workload: Workload,
  target: Target,
  schedule: Schedule,
  calibration: Calibration,
  kinds: readonly ScheduleKindDefinition[] = SCHEDULE_KINDS,
): CostEstimate {
  const definition = definitionOf(kinds, schedule.kind);
  const illegal = definition.illegal(workload, target) ?? definition.illegalKnobs(workload, target, schedule);
  if (illegal !== undefined) throw new Error(`internal: estimating an illegal ${schedule.kind} schedule: ${illegal}`);
  const counts = workCounts(workload, schedule, definition);
  const terms = costTerms(counts, schedule.kind, workload.op, calibration.concurrentInvocations, calibration.cacheBytes);
  return {
    seconds: secondsOf(terms, calibration.coefficients),
    flops: counts.flops,
    bytes: counts.bytes,
    launches: counts.launches,
    invocations: counts.invocations,
    occupancy: counts.invocations / calibration.concurrentInvocations,
    wasteFraction: counts.wasteFraction,
  };
}

export interface ModelChoice {
  schedule: Schedule;
  estimate: CostEstimate;
  /** Every candidate with its estimate, in candidateSchedules' order. */
  candidates: { schedule: Schedule; estimate: CostEstimate }[];
}

/**
 * The candidate with the least estimated time (the first of equals: kinds' order, defaults first).
 * `scope` "kinds" (the default, what a build uses) weighs each legal kind at its default knobs: the
 * calibration's per-kind rates separate kinds better than knob settings of one kind (the shipped
 * llvmpipe fit: the pick among kinds' defaults within 10% of the best of them on 34 of the 36
 * calibration workloads with several legal kinds; among all candidates within 10% of the fastest on
 * 49 of 62), so knobs are left to the tuner.
 * "knobs" weighs every candidate of candidateSchedules.
 */
export function modelChoice(
  workload: Workload,
  target: Target,
  kinds: readonly ScheduleKindDefinition[] = SCHEDULE_KINDS,
  calibration: Calibration = cachedCalibration(target).calibration,
  scope: "kinds" | "knobs" = "kinds",
): ModelChoice {
  const schedules =
    scope === "knobs"
      ? candidateSchedules(workload, target, kinds)
      : kinds
          .filter((definition) => definition.ops.includes(workload.op) && definition.illegal(workload, target) === undefined)
          .map((definition) => definition.defaultSchedule(workload, target));
  const candidates = schedules.map((schedule) => ({
    schedule,
    estimate: estimateCost(workload, target, schedule, calibration, kinds),
  }));
  if (candidates.length === 0) throw new Error(`internal: no legal schedule kind computes a ${workload.op} workload on ${target.description}`);
  const best = candidates.reduce((chosen, candidate) => (candidate.estimate.seconds < chosen.estimate.seconds ? candidate : chosen));
  return { ...best, candidates };
}
