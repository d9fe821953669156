// The tuner: times the candidate schedules of each workload on the device and keeps the fastest in
// the tuning cache. The candidates, the measurement and the schedule text come in as functions, so
// the tuner is pure bookkeeping (tests inject fake timings); runtime/tuning/tuneGraph.ts wires the
// real ones (candidateSchedules, measureSchedules on the device, scheduleText).
import type { Schedule } from "../../ir/graph.js";
import type { Target, Workload } from "../types.js";
import type { TuneCacheEntry, TunedCandidate } from "./cache.js";

/** One workload to tune; `label` names it in progress lines (`conv3`, `layer1.0.conv1+relu`). */
export interface TuneRequest {
  key: string;
  workload: Workload;
  label: string;
}

/** Which timing of a workload: every candidate once, or the finals (the near-fastest again). */
export type TuningStage = "candidates" | "finals";

/** One candidate's timing (measureSchedules' rows carry more: min, max, samples). */
export interface ScheduleTiming {
  schedule: Schedule;
  medianMs: number;
}

/** What the tuner needs of the cache (TuneCache). */
export interface TuningStore {
  lookup(adapter: string, workloadKey: string): TuneCacheEntry | undefined;
  record(adapter: string, workloadKey: string, measured: Pick<TuneCacheEntry, "schedule" | "medianMs" | "candidates">): TuneCacheEntry;
}

export interface TunerDeps {
  /** The legal candidates of `workload` on the target, the cost model's pick first. */
  candidates(workload: Workload): Schedule[];
  /**
   * Times `schedules` on the device: one row per schedule, in their order. `stage` says whether these
   * are all the candidates or the finals, which a backend times with FINALS_RUNS_FACTOR times the runs.
   */
  measure(workload: Workload, schedules: Schedule[], stage: TuningStage): Promise<ScheduleTiming[]>;
  /** A schedule as one line (`implicit_gemm tile=32x32 ...`): how the cache and `cnnc tune` name candidates. */
  scheduleText(schedule: Schedule): string;
  cache: TuningStore;
  target: Target;
  /** Measure again even what the cache holds (`cnnc tune --retune`). */
  retune?: boolean;
  /** Progress lines (`tuning 3/12 conv3 (5 candidates)…`). */
  log?(line: string): void;
}

export interface TunedWorkload {
  key: string;
  label: string;
  winner: Schedule;
  medianMs: number;
  /** Every candidate's time, in the order tried (the first is the model's pick). */
  candidates: TunedCandidate[];
  /** True when the winner came from the cache (nothing measured now). */
  cached: boolean;
}

/**
 * Candidates measuring within this share of the fastest are timed again, head to head, before the
 * winner is named: one round over many candidates moves a median by about this much on a shared
 * machine (measured on llvmpipe: 4-13% between two rounds of the same schedules), and a near-tie is
 * exactly where that noise picks the wrong one.
 */
export const FINALS_MARGIN = 0.1;
/** At most this many finalists (the fastest first): the finals cost their runs again. */
export const MAX_FINALISTS = 4;
/**
 * The finals take this many times the first round's runs: a median of 7 runs still moves by 5-10%
 * between two timings of the same kernel on llvmpipe (scratch timings of VGG 3x3 3->64 at batch 16),
 * more than the difference the finals decide.
 */
export const FINALS_RUNS_FACTOR = 3;

/**
 * Tunes every distinct workload key of `requests` that the cache does not hold for `deps.target`
 * (all of them with `retune`), records the winners, and returns one result per request, in order.
 * Every candidate is timed once; those within FINALS_MARGIN of the fastest are timed again together
 * (the finals), and the winner is the lowest median of the finals (of the first round when only one
 * candidate was that close). On a tie the earlier candidate (the model's order) wins.
 */
export async function tuneWorkloads(requests: readonly TuneRequest[], deps: TunerDeps): Promise<TunedWorkload[]> {
  const adapter = deps.target.adapter;
  const distinct = new Map<string, TuneRequest>();
  for (const request of requests) if (!distinct.has(request.key)) distinct.set(request.key, request);
  const toMeasure = [...distinct.values()].filter((request) => deps.retune === true || deps.cache.lookup(adapter, request.key) === undefined);
  const measured = new Map<string, TuneCacheEntry>();
  for (const [index, request] of toMeasure.entries()) {
    const schedules = deps.candidates(request.workload);
    if (schedules.length === 0) throw new Error(`internal: no candidate schedules for ${request.label} (${request.key})`);
    deps.log?.(`tuning ${index + 1}/${toMeasure.length} ${request.label} (${schedules.length} candidate${schedules.length === 1 ? "" : "s"})…`);
    const times = checkedTimes(request, schedules, await deps.measure(request.workload, schedules, "candidates"));
    const finalists = finalistsOf(times);
    const finalTimes = new Map<number, number>();
    if (finalists.length > 1) {
      deps.log?.(`  finals of ${request.label}: ${finalists.length} candidates within ${FINALS_MARGIN * 100}% of the fastest, timed again…`);
      const finalSchedules = finalists.map((candidate) => schedules[candidate]!);
      const rerun = checkedTimes(request, finalSchedules, await deps.measure(request.workload, finalSchedules, "finals"));
      finalists.forEach((candidate, position) => finalTimes.set(candidate, rerun[position]!));
    }
    const timeOf = (candidate: number): number => finalTimes.get(candidate) ?? times[candidate]!;
    const contenders = finalists.length > 1 ? finalists : times.map((_, candidate) => candidate);
    const winner = contenders.reduce((best, candidate) => (timeOf(candidate) < timeOf(best) || (timeOf(candidate) === timeOf(best) && candidate < best) ? candidate : best));
    measured.set(
      request.key,
      deps.cache.record(adapter, request.key, {
        schedule: schedules[winner]!,
        medianMs: timeOf(winner),
        candidates: schedules.map((schedule, candidate) => ({
          scheduleText: deps.scheduleText(schedule),
          medianMs: timeOf(candidate),
          ...(finalTimes.has(candidate) ? { finalist: true } : {}),
        })),
      }),
    );
  }
  return requests.map((request) => {
    const fresh = measured.get(request.key);
    const entry = fresh ?? deps.cache.lookup(adapter, request.key);
    if (entry === undefined) throw new Error(`internal: ${request.label} was neither measured nor cached`);
    return { key: request.key, label: request.label, winner: entry.schedule, medianMs: entry.medianMs, candidates: entry.candidates, cached: fresh === undefined };
  });
}

/** The candidates (indices) within FINALS_MARGIN of the fastest, fastest first, at most MAX_FINALISTS. */
function finalistsOf(times: readonly number[]): number[] {
  const fastest = Math.min(...times);
  return times
    .map((time, candidate) => ({ time, candidate }))
    .filter(({ time }) => time <= fastest * (1 + FINALS_MARGIN))
    .sort((a, b) => a.time - b.time || a.candidate - b.candidate)
    .slice(0, MAX_FINALISTS)
    .map(({ candidate }) => candidate);
}

/** The medians of `timings`, one per schedule; a count mismatch, NaN or negative time is a measuring bug. */
function checkedTimes(request: TuneRequest, schedules: readonly Schedule[], timings: readonly ScheduleTiming[]): number[] {
  if (timings.length !== schedules.length) {
    throw new Error(`internal: measuring ${request.label} gave ${timings.length} timings for ${schedules.length} candidates`);
  }
  return timings.map((timing) => {
    // A NaN or negative time is a measuring bug, never a winner.
    if (!Number.isFinite(timing.medianMs) || timing.medianMs < 0) throw new Error(`internal: ${request.label} measured ${timing.medianMs} ms`);
    return timing.medianMs;
  });
}
