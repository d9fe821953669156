// `cnnc explain`'s candidate table under a scheduled kernel: every candidate schedule of its workload
// with the cost model's estimate and, when the tuner has timed them, the measured times; the kernel's
// own schedule marked `*`. Sorted by estimate, fastest first.
import type { Schedule } from "../ir/graph.js";
import { cachedCalibration, type LoadedCalibration } from "../schedule/calibration/calibration.js";
import { candidateSchedules, scheduleText } from "../schedule/candidates.js";
import { estimateCost } from "../schedule/costModel.js";
import { workloadOfKernel } from "../schedule/workloadOf.js";
import { SCHEDULE_KINDS } from "../schedule/registry.js";
import { workloadKey, type ScheduleKindDefinition, type Target } from "../schedule/types.js";
import type { KernelGraph, KernelNode } from "./kernelGraph.js";

export interface ExplainScheduleOptions {
  target: Target;
  /** The tuner's times of a workload (by workloadKey): milliseconds per scheduleText. */
  tunedTimes?: (workloadKey: string) => Map<string, number> | undefined;
  /** Default: the registry's kinds. */
  kinds?: readonly ScheduleKindDefinition[];
  /** Default: the shipped calibration for the target. */
  calibration?: LoadedCalibration;
}

/**
 * The line saying which calibration the estimates use, and the coefficients it could not measure
 * (they count 0 in the estimates: a workgroup-memory schedule's barriers when none was timed).
 */
export function calibrationLine(options: ExplainScheduleOptions): string {
  const loaded = options.calibration ?? cachedCalibration(options.target);
  const unmeasured = loaded.calibration.unmeasured ?? [];
  return `schedule estimates: ${loaded.note}${unmeasured.length === 0 ? "" : `; not measured, 0 in the estimates: ${unmeasured.join(", ")}`}`;
}

function formatMs(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3);
}

/** The table's lines (unindented) for `kernel` at `batch`; none for a kernel without schedule kinds. */
export function candidateLines(graph: KernelGraph, kernel: KernelNode, batch: number, options: ExplainScheduleOptions): string[] {
  const workload = (kernel.workload ?? workloadOfKernel(graph, kernel, batch, true));
  if (workload === undefined) return [];
  const kinds = options.kinds ?? SCHEDULE_KINDS;
  const calibration = (options.calibration ?? cachedCalibration(options.target)).calibration;
  const schedules: Schedule[] = candidateSchedules(workload, options.target, kinds);
  if (schedules.length === 0) return [];
  const own = kernel.schedule === undefined ? undefined : scheduleText(kernel.schedule);
  if (kernel.schedule !== undefined && !schedules.some((schedule) => scheduleText(schedule) === own)) schedules.push(kernel.schedule);
  const tuned = options.tunedTimes?.(workloadKey(workload));
  const rows = schedules
    .map((schedule) => ({ text: scheduleText(schedule), ms: 1000 * estimateCost(workload, options.target, schedule, calibration, kinds).seconds }))
    .sort((a, b) => a.ms - b.ms);
  const width = Math.max(...rows.map((row) => row.text.length));
  const header = `candidates (${rows.length}): model estimate${tuned === undefined ? "" : ", tuned time"}`;
  return [
    header,
    ...rows.map((row) => {
      const time = tuned?.get(row.text);
      return `${row.text === own ? "*" : " "} ${row.text.padEnd(width)}  ${formatMs(row.ms).padStart(8)} ms${time === undefined ? "" : `  ${formatMs(time).padStart(8)} ms tuned`}`;
    }),
  ];
}
