// `npm run calibrate`: fits the cost model (src/schedule/costModel.ts) to this machine's adapter.
// Every candidate schedule (src/schedule/candidates.ts) of a set of workloads (the conv and fc
// kernels of examples/*.cnn at batch 1 and 16, bounded in size: bench/schedule/calibrationWorkloads.ts)
// is timed on the device (runtime/tuning/measure.ts); the coefficients are the non-negative
// least-squares fit of the model's terms to those times (relative error); the fit's quality is each
// measured vs predicted time and how often the model's pick measures within 10% of the fastest.
//
//   npm run calibrate [-- --max-macs 60e6] [--per-network 3] [--candidates 10] [--runs 5] [--seconds 480]
//       writes src/schedule/calibration/<adapter slug>.json
//
// The kinds are the registry's (src/schedule/registry.ts); while it is empty, today's conv and fc
// schedules described as kinds (bench/schedule/todaysKinds.ts).
import { writeFileSync } from "node:fs";
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
import { SCHEDULE_KINDS } from "../src/schedule/registry.js";

const WARMUP_RUNS = 2;

const { values: flags } = parseArgs({
  options: {
    "max-macs": { type: "string", default: "60e6" },
    "per-network": { type: "string", default: "3" },
    candidates: { type: "string", default: "10" },
    runs: { type: "string", default: "5" },
    seconds: { type: "string", default: "480" },
  },
});
const maxMacs = Number(flags["max-macs"]);
const perNetwork = Number(flags["per-network"]);
const candidateLimit = Number(flags.candidates);
const runs = Number(flags.runs);
const budgetSeconds = Number(flags.seconds);

interface Measured {
  label: string;
  rows: { schedule: string; terms: TimedTerms["terms"]; seconds: number }[];
}

async function main(): Promise<void> {
  const started = performance.now();
  // The machine may be shared: its load when the measurements began is part of what they mean.
  const machine = `${hostname()}: ${availableParallelism()} x ${cpus()[0]?.model ?? "unknown CPU"}, load average ${loadavg()[0]!.toFixed(2)} at the start`;
  const gpu = await openDevice();
  const target = targetOf(gpu);
  const kinds = SCHEDULE_KINDS;
  const concurrent = concurrentInvocations(target);
  const workloads = calibrationWorkloads("examples", maxMacs, perNetwork);
  console.log(`${target.description}: ${workloads.length} workloads, kinds ${kinds.map((kind) => kind.kind).join(", ")}, ${concurrent} invocations at once`);
  const measured: Measured[] = [];
  try {
    for (const { label, workload } of workloads) {
      const elapsed = (performance.now() - started) / 1000;
      if (elapsed > budgetSeconds) {
        console.log(`time budget of ${budgetSeconds} s spent: ${workloads.length - measured.length} workloads left out`);
        break;
      }
      const schedules = candidateSchedules(workload, target, kinds, candidateLimit);
      const timings = await measureSchedules(gpu, workload, schedules, { warmupRuns: WARMUP_RUNS, runs });
      const rows = timings.map(({ schedule, medianMs }) => {
        const definition = kinds.find((kind) => kind.kind === schedule.kind)!;
        return { schedule: scheduleText(schedule), terms: costTerms(workCounts(workload, schedule, definition), schedule.kind, concurrent), seconds: medianMs / 1000 };
      });
      measured.push({ label, rows });
      const best = rows.reduce((a, b) => (b.seconds < a.seconds ? b : a));
      console.log(`${label}: ${rows.length} schedules, fastest ${best.schedule} ${(best.seconds * 1000).toFixed(3)} ms (${elapsed.toFixed(0)} s)`);
    }
  } finally {
    gpu.destroy();
  }
  const { coefficients, unmeasured } = fitCoefficients(measured.flatMap(({ rows }) => rows.map(({ terms, seconds }) => ({ terms, seconds }))));
  const fit = fitQuality(measured, (terms) => secondsOf(terms, coefficients));
  const calibration: Calibration = {
    adapter: target.adapter,
    description: target.description,
    machine,
    date: new Date().toISOString(),
    command: `npm run calibrate -- --max-macs ${flags["max-macs"]} --per-network ${perNetwork} --candidates ${candidateLimit} --runs ${runs} --seconds ${budgetSeconds}`,
    concurrentInvocations: concurrent,
    coefficients,
    unmeasured,
    fit,
  };
  const path = join(calibrationDirectory(), `${adapterSlug(target.adapter)}.json`);
  writeFileSync(path, `${JSON.stringify(calibration, null, 2)}\n`);
  console.log(`rms relative error ${(fit.rmsRelativeError * 100).toFixed(1)}%, model pick within 10% of the fastest for ${(fit.pickWithin10Percent * 100).toFixed(0)}% of ${measured.length} workloads`);
  console.log(`wrote ${path}`);
}

function fitQuality(measured: readonly Measured[], predict: (terms: TimedTerms["terms"]) => number): CalibrationFit {
  let squares = 0;
  let count = 0;
  let within = 0;
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
    return { workload: label, candidates, modelPick: pick.schedule, fastest: fastest.schedule };
  });
  return { rmsRelativeError: Math.sqrt(squares / count), pickWithin10Percent: within / measured.length, workloads };
}

await main();
