// The cost model: a schedule's time on a target estimated from its counted work (costFormulas.ts)
// and the target's calibrated coefficients (calibration/), and the model's choice among the
// candidates (candidates.ts). Linear in the coefficients, so that bench/calibrate.ts fits them by
// least squares from measured times.
import type { Schedule } from "../ir/graph.js";
import { cachedCalibration, type Calibration, type CostCoefficients } from "./calibration/calibration.js";
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
 * compute term is divided by the occupancy when below 1: an under-filled target runs no faster.
 */
export interface CostTerms {
  launches: number;
  /** The kind whose secondsPerFlop weighs `computeFlops`. */
  kind: string;
  computeFlops: number;
  bytes: number;
  barrierSteps: number;
}

export function costTerms(counts: WorkCounts, kind: string, concurrentInvocations: number): CostTerms {
  const occupancy = counts.invocations / concurrentInvocations;
  return { launches: counts.launches, kind, computeFlops: counts.paddedFlops / Math.min(1, occupancy), bytes: counts.bytes, barrierSteps: counts.barrierSteps };
}

export function secondsOf(terms: CostTerms, coefficients: CostCoefficients): number {
  const perFlop = coefficients.secondsPerFlop[terms.kind];
  if (perFlop === undefined) throw new Error(`internal: the calibration has no secondsPerFlop for schedule kind "${terms.kind}" (run npm run calibrate)`);
  return (
    terms.launches * coefficients.launchSeconds +
    terms.computeFlops * perFlop +
    terms.bytes * coefficients.secondsPerByte +
    terms.barrierSteps * coefficients.secondsPerBarrier
  );
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
  const terms = costTerms(counts, schedule.kind, calibration.concurrentInvocations);
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
 * calibration's per-kind rates separate kinds far better than knob settings of one kind (measured:
 * the pick among kinds' defaults lands within 10% of the best of them on 14 of the 18 calibration
 * workloads with several legal kinds, among all candidates on 12), so knobs are left to the tuner.
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
