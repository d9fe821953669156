import { describe, expect, it } from "vitest";
import { directKind } from "../../../src/schedule/kinds/direct.js";
import { im2colKind } from "../../../src/schedule/kinds/im2col.js";
import type { KernelClock } from "../../../runtime/kernelClock.js";
import { measureSchedules } from "../../../runtime/tuning/measure.js";
import { PORTABLE_TARGET } from "../../../src/schedule/types.js";
import { testGpu } from "../../codegen/gpuHarness.js";
import { convWorkload } from "../../schedule/workloads.js";

const workload = convWorkload({ batch: 2, C: 3, H: 8, K: 8, kernel: 3 });
const schedules = [
  directKind.defaultSchedule(workload, PORTABLE_TARGET),
  im2colKind.defaultSchedule(workload, PORTABLE_TARGET),
  { ...directKind.defaultSchedule(workload, PORTABLE_TARGET), pixelsPerInvocation: 4 },
];

describe("measureSchedules", () => {
  it("times every schedule of a tiny conv on the device, one result per schedule", async () => {
    const gpu = await testGpu();
    const results = await measureSchedules(gpu, workload, schedules, { warmupRuns: 1, runs: 3 });
    expect(results.map((result) => result.schedule)).toEqual(schedules);
    for (const result of results) {
      expect(result.samples).toHaveLength(3);
      expect(result.minMs).toBeGreaterThan(0);
      expect(result.minMs).toBeLessThanOrEqual(result.medianMs);
      expect(result.medianMs).toBeLessThanOrEqual(result.maxMs);
    }
  });

  it("interleaves the candidates round by round, warm-up excluded, in groups that fit the live-memory cap", async () => {
    const gpu = await testGpu();
    const order: number[] = [];
    let calls = 0;
    // A clock whose times say which call it was, and which plan (by its step count) it timed.
    const clock: KernelClock = {
      method: "fake",
      timeSteps: (executor) => {
        calls += 1;
        order.push(executor.plan.steps.length);
        return Promise.resolve(executor.plan.steps.map(() => calls));
      },
      destroy: () => undefined,
    };
    const results = await measureSchedules(gpu, workload, schedules, { warmupRuns: 2, runs: 2, clock });
    // direct (1 step), im2col (2 steps), direct: four rounds, the first two untimed, each round
    // starting one candidate further on.
    expect(order).toEqual([1, 2, 1, 2, 1, 1, 1, 1, 2, 1, 2, 1]);
    expect(results.map((result) => result.samples)).toEqual([[8, 10], [18, 22], [7, 12]]);
    order.length = 0;
    calls = 0;
    await measureSchedules(gpu, workload, schedules, { warmupRuns: 0, runs: 2, clock, maxLiveBytes: 1 });
    expect(order).toEqual([1, 1, 2, 2, 1, 1]);
  });
});
