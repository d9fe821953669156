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
  /** Times `schedules` on the device: one row per schedule, in their order. */
  measure(workload: Workload, schedules: Schedule[]): Promise<ScheduleTiming[]>;
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
 * Tunes every distinct workload key of `requests` that the cache does not hold for `deps.target`
 * (all of them with `retune`), records the winners, and returns one result per request, in order.
 * The winner is the lowest median; on a tie the earlier candidate (the model's order) wins.
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
    const timings = await deps.measure(request.workload, schedules);
    measured.set(request.key, deps.cache.record(adapter, request.key, fastest(request, schedules, timings, deps.scheduleText)));
  }
  return requests.map((request) => {
    const fresh = measured.get(request.key);
    const entry = fresh ?? deps.cache.lookup(adapter, request.key);
    if (entry === undefined) throw new Error(`internal: ${request.label} was neither measured nor cached`);
    return { key: request.key, label: request.label, winner: entry.schedule, medianMs: entry.medianMs, candidates: entry.candidates, cached: fresh === undefined };
  });
}

function fastest(
  request: TuneRequest,
  schedules: readonly Schedule[],
  timings: readonly ScheduleTiming[],
  scheduleText: (schedule: Schedule) => string,
): Pick<TuneCacheEntry, "schedule" | "medianMs" | "candidates"> {
  if (timings.length !== schedules.length) {
    throw new Error(`internal: measuring ${request.label} gave ${timings.length} timings for ${schedules.length} candidates`);
  }
  let best = 0;
  timings.forEach((timing, index) => {
    // A NaN or negative time is a measuring bug, never a winner.
    if (!Number.isFinite(timing.medianMs) || timing.medianMs < 0) throw new Error(`internal: ${request.label} measured ${timing.medianMs} ms`);
    if (timing.medianMs < timings[best]!.medianMs) best = index;
  });
  return {
    schedule: schedules[best]!,
    medianMs: timings[best]!.medianMs,
    candidates: schedules.map((schedule, index) => ({ scheduleText: scheduleText(schedule), medianMs: timings[index]!.medianMs })),
  };
}
