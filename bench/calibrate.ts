// `npm run calibrate`: fits the cost model (src/schedule/costModel.ts) to this machine's adapter.
// Every candidate schedule (src/schedule/candidates.ts) of a set of workloads (the conv and fc
// kernels of examples/*.cnn at batch 1 and 16, bounded in size: bench/schedule/calibrationWorkloads.ts)
// is timed on the device (runtime/tuning/measure.ts); the coefficients are the non-negative
// least-squares fit of the model's terms to those times (relative error); the fit's quality is each
// measured vs predicted time and how often the model's pick measures within 10% of the fastest.
//
//   npm run calibrate [-- --max-macs 60e6] [--per-network 3] [--candidates 10] [--runs 5] [--seconds 480]
//       writes src/schedule/calibration/<adapter slug>.json, and the raw measurements (workloads,
//       schedules, every timed run) to bench/results/calibration-<adapter slug>.json
//   npm run calibrate -- --refit bench/results/calibration-<adapter slug>.json
//       fits again from those measurements without the device (after a change to the model's terms)
//
// The kinds are the registry's (src/schedule/registry.ts).
import { readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, hostname, loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { openDevice } from "../runtime/device.js";
import { measureSchedules } from "../runtime/tuning/measure.js";
import { adapterSlug, calibrationDirectory, type Calibration, type CalibrationFit } from "../src/schedule/calibration/calibration.js";
import { fitCoefficients, type TimedTerms } from "../src/schedule/calibration/fit.js";
import { candidateSchedules, scheduleText } from "../src/schedule/candidates.js";
import { workCounts } from "../src/schedule/costFormulas.js";
import { costTerms, secondsOf } from "../src/schedule/costModel.js";
import { calibrationWorkloads } from "./schedule/calibrationWorkloads.js";
import { concurrentInvocations } from "./schedule/concurrency.js";
import { targetOf } from "../runtime/target.js";
import type { Schedule } from "../src/ir/graph.js";
import type { Workload } from "../src/schedule/types.js";
import { CnncUserError } from "../src/errors.js";
import { SCHEDULE_KINDS } from "../src/schedule/registry.js";

const WARMUP_RUNS = 2;

const { values: flags } = parseArgs({
  options: {
    "max-macs": { type: "string", default: "60e6" },
    "per-network": { type: "string", default: "3" },
    candidates: { type: "string", default: "10" },
    runs: { type: "string", default: "5" },
    seconds: { type: "string", default: "480" },
    refit: { type: "string" },
  },
});
const maxMacs = Number(flags["max-macs"]);
const perNetwork = Number(flags["per-network"]);
const candidateLimit = Number(flags.candidates);
const runs = Number(flags.runs);
const budgetSeconds = Number(flags.seconds);

interface Measured {
  label: string;
  rows: { schedule: string; kind: string; terms: TimedTerms["terms"]; seconds: number }[];
}

/** What the device measured, with where and how (as a Calibration states it): enough to fit again without it (`--refit`). */
type Measurements = Pick<Calibration, "adapter" | "description" | "machine" | "date" | "command" | "concurrentInvocations"> & {
  workloads: { label: string; workload: Workload; timings: { schedule: Schedule; medianMs: number; samples: number[] }[] }[];
};

async function measure(): Promise<Measurements> {
  const started = performance.now();
  // The machine may be shared: its load when the measurements began is part of what they mean.
  const machine = `${hostname()}: ${availableParallelism()} x ${cpus()[0]?.model ?? "unknown CPU"}, load average ${loadavg()[0]!.toFixed(2)} at the start`;
  const gpu = await openDevice();
  const target = targetOf(gpu);
  const concurrent = concurrentInvocations(target);
  const workloads = calibrationWorkloads("examples", maxMacs, perNetwork);
  console.log(`${target.description}: ${workloads.length} workloads, kinds ${SCHEDULE_KINDS.map((kind) => kind.kind).join(", ")}, ${concurrent} invocations at once`);
  const measured: Measurements["workloads"] = [];
  const identity = {
    adapter: target.adapter,
    description: target.description,
    machine,
    date: new Date().toISOString(),
    command: `npm run calibrate -- --max-macs ${flags["max-macs"]} --per-network ${perNetwork} --candidates ${candidateLimit} --runs ${runs} --seconds ${budgetSeconds}`,
    concurrentInvocations: concurrent,
  };
  const rawPath = measurementsPath(target.adapter);
  console.log(`measurements go to ${rawPath}`);
  try {
    for (const { label, workload } of workloads) {
      const elapsed = (performance.now() - started) / 1000;
      if (elapsed > budgetSeconds) {
        console.log(`time budget of ${budgetSeconds} s spent: ${workloads.length - measured.length} workloads left out`);
        break;
      }
      const schedules = candidateSchedules(workload, target, SCHEDULE_KINDS, candidateLimit);
      let timings: Awaited<ReturnType<typeof measureSchedules>>;
      try {
        timings = await measureSchedules(gpu, workload, schedules, { warmupRuns: WARMUP_RUNS, runs });
      } catch (error) {
        // A workload too large for this adapter (a buffer past its limits) is left out, said so.
        if (!(error instanceof CnncUserError)) throw error;
        console.log(`${label}: left out: ${error.message}`);
        continue;
      }
      measured.push({ label, workload, timings: timings.map(({ schedule, medianMs, samples }) => ({ schedule, medianMs, samples })) });
      // Written after every workload, so that a run cut short keeps what it measured (--refit reads it).
      writeFileSync(rawPath, `${JSON.stringify({ ...identity, workloads: measured })}\n`);
      const best = timings.reduce((a, b) => (b.medianMs < a.medianMs ? b : a));
      console.log(`${label}: ${timings.length} schedules, fastest ${scheduleText(best.schedule)} ${best.medianMs.toFixed(3)} ms (${elapsed.toFixed(0)} s)`);
    }
  } finally {
    gpu.destroy();
  }
  return { ...identity, workloads: measured };
}

/** Where the raw measurements of an adapter go (bench/results/calibration-<adapter slug>.json). */
function measurementsPath(adapter: string): string {
  return join("bench", "results", `calibration-${adapterSlug(adapter)}.json`);
}

/** The cache capacities the fit tries for the spilled-bytes term (costModel.ts), in MiB. */
const CACHE_CAPACITIES_MIB = [1, 2, 4, 8, 16, 32, 64];

/**
 * The calibration of `measurements`: for each cache capacity the least-squares coefficients, keeping
 * the capacity whose model picks best among the kinds at their default knobs (what a build uses), then
 * the lower RMS error.
 */
function fit(measurements: Measurements): Calibration {
  const { workloads: _, ...identity } = measurements;
  const fits = CACHE_CAPACITIES_MIB.map((mib): Calibration => {
    const cacheBytes = mib * 1024 * 1024;
    const measured: Measured[] = measurements.workloads.map(({ label, workload, timings }) => ({
      label,
      rows: timings.map(({ schedule, medianMs }) => {
        const definition = SCHEDULE_KINDS.find((kind) => kind.kind === schedule.kind);
        if (definition === undefined) throw new Error(`the measurements name schedule kind "${schedule.kind}", which cnnc no longer has: measure again (npm run calibrate)`);
        const terms = costTerms(workCounts(workload, schedule, definition), schedule.kind, workload.op, measurements.concurrentInvocations, cacheBytes);
        return { schedule: scheduleText(schedule), kind: schedule.kind, terms, seconds: medianMs / 1000 };
      }),
    }));
    const { coefficients, unmeasured } = fitCoefficients(measured.flatMap(({ rows }) => rows.map(({ terms, seconds }) => ({ terms, seconds }))));
    const quality = fitQuality(measured, (terms) => secondsOf(terms, coefficients));
    console.log(`cache ${mib} MiB: rms ${(quality.rmsRelativeError * 100).toFixed(1)}%, kind pick within 10% on ${(quality.kindPickWithin10Percent * 100).toFixed(0)}%`);
    return { ...identity, cacheBytes, coefficients, unmeasured, fit: quality };
  });
  return fits.reduce((best, candidate) => {
    const a = best.fit!;
    const b = candidate.fit!;
    return b.kindPickWithin10Percent > a.kindPickWithin10Percent || (b.kindPickWithin10Percent === a.kindPickWithin10Percent && b.rmsRelativeError < a.rmsRelativeError) ? candidate : best;
  });
}

async function main(): Promise<void> {
  let measurements: Measurements;
  if (flags.refit !== undefined) {
    measurements = JSON.parse(readFileSync(flags.refit, "utf8")) as Measurements;
  } else {
    measurements = await measure();
  }
  const calibration = fit(measurements);
  const path = join(calibrationDirectory(), `${adapterSlug(calibration.adapter)}.json`);
  writeFileSync(path, `${JSON.stringify(calibration, null, 2)}\n`);
  const { fit: quality } = calibration;
  console.log(
    `cache ${calibration.cacheBytes / 1024 / 1024} MiB; rms relative error ${(quality!.rmsRelativeError * 100).toFixed(1)}%; ` +
      `model pick within 10% of the fastest for ${(quality!.pickWithin10Percent * 100).toFixed(0)}% of ${quality!.workloads.length} workloads; ` +
      `among the kinds' defaults for ${(quality!.kindPickWithin10Percent * 100).toFixed(0)}% of the ${quality!.kindPickWorkloads} with several kinds`,
  );
  console.log(`wrote ${path}`);
}

function fitQuality(measured: readonly Measured[], predict: (terms: TimedTerms["terms"]) => number): CalibrationFit {
  let squares = 0;
  let count = 0;
  let within = 0;
  let kindWithin = 0;
  let kindWorkloads = 0;
  const workloads = measured.map(({ label, rows }) => {
    const candidates = rows.map(({ schedule, terms, seconds }) => {
      const predicted = predict(terms);
      squares += ((predicted - seconds) / seconds) ** 2;
      count += 1;
      return { schedule, measuredMs: seconds * 1000, predictedMs: predicted * 1000 };
    });
    const fastest = candidates.reduce((a, b) => (b.measuredMs < a.measuredMs ? b : a));
    const pick = candidates.reduce((a, b) => (b.predictedMs < a.predictedMs ? b : a));
    if (pick.measuredMs <= 1.1 * fastest.measuredMs) within += 1;
    // Each kind's default is its first candidate (candidateSchedules puts every legal kind's default first).
    const defaults = candidates.filter((_, index) => rows.findIndex((row) => row.kind === rows[index]!.kind) === index);
    if (defaults.length > 1) {
      kindWorkloads += 1;
      const fastestDefault = defaults.reduce((a, b) => (b.measuredMs < a.measuredMs ? b : a));
      const kindPick = defaults.reduce((a, b) => (b.predictedMs < a.predictedMs ? b : a));
      if (kindPick.measuredMs <= 1.1 * fastestDefault.measuredMs) kindWithin += 1;
    }
    return { workload: label, candidates, modelPick: pick.schedule, fastest: fastest.schedule };
  });
  return {
    rmsRelativeError: Math.sqrt(squares / count),
    pickWithin10Percent: within / measured.length,
    kindPickWithin10Percent: kindWorkloads === 0 ? 0 : kindWithin / kindWorkloads,
    kindPickWorkloads: kindWorkloads,
    workloads,
  };
}

await main();
