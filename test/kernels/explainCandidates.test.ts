import { describe, expect, it } from "vitest";
import { compile } from "../../runtime/compileNetwork.js";
import { explainKernels } from "../../src/kernels/explain.js";
import type { ExplainScheduleOptions } from "../../src/kernels/explainCandidates.js";
import { compilePlan } from "../../src/pipeline.js";
import { scheduleText } from "../../src/schedule/candidates.js";
import { SCHEDULE_KINDS } from "../../src/schedule/registry.js";
import { workloadOfKernel } from "../../src/schedule/workloadOf.js";
import { PORTABLE_TARGET, workloadKey } from "../../src/schedule/types.js";
import { handCalibration } from "../schedule/handCalibration.js";

const graph = compile(`network Small {
  input x: 3x12x12
  c1 = conv(16, 3) -> relu
  f1 = fc(10)
}
`);
const { plan, kernels } = compilePlan(graph, 2);
const conv = kernels.kernels.find((kernel) => kernel.anchor === "conv")!;
const calibration = handCalibration({ launchSeconds: 10e-6, secondsPerByte: 1e-10, secondsPerFlop: { direct: 1e-9, im2col: 0.5e-9, implicit_gemm: 0.5e-9, winograd: 0.5e-9, gemm: 1e-9 } });
const options: ExplainScheduleOptions = {
  target: PORTABLE_TARGET,
  // The registry's kinds: the plan's schedules were chosen among them.
  kinds: SCHEDULE_KINDS,
  calibration: { calibration, exact: false, note: "not calibrated for this adapter: estimates use the test adapter's calibration" },
};

describe("explainKernels with schedule options", () => {
  it("keeps the report as it was without them", () => {
    // The schedule reason may count the model's candidates; the tables and the calibration line are absent.
    expect(explainKernels(kernels, plan)).not.toMatch(/candidates \(\d+\)|schedule estimates/);
  });

  it("says which calibration the estimates use and lists each scheduled kernel's candidates, its own marked", () => {
    const report = explainKernels(kernels, plan, options);
    const lines = report.split("\n");
    expect(lines[2]).toBe("schedule estimates: not calibrated for this adapter: estimates use the test adapter's calibration");
    expect(report.match(/candidates \(\d+\): model estimate\n/g)).toHaveLength(2);
    const own = scheduleText(conv.schedule!);
    const marked = lines.filter((line) => line.trimStart().startsWith("* "));
    expect(marked).toHaveLength(2);
    expect(marked[0]).toContain(own);
    expect(report).toContain(`  * ${own}`);
    expect(report).toMatch(/ {2}\* \S+ .* +\d+\.\d+ ms\n/);
    // The candidates under c1 follow its schedule line, sorted by estimate.
    const start = lines.findIndex((line) => /candidates \(\d+\):/.test(line));
    expect(lines[start - 1]).toMatch(/schedule /);
    const estimates = lines.slice(start + 1).filter((line) => / ms$/.test(line)).slice(0, 5).map((line) => Number(/([\d.]+) ms$/.exec(line)![1]));
    expect(estimates).toEqual([...estimates].sort((a, b) => a - b));
  });

  it("shows tuned times where the tuner has them", () => {
    const key = workloadKey(workloadOfKernel(kernels, conv, 2, true)!);
    const own = scheduleText(conv.schedule!);
    const report = explainKernels(kernels, plan, { ...options, tunedTimes: (workload) => (workload === key ? new Map([[own, 1.25]]) : undefined) });
    expect(report).toMatch(/candidates \(\d+\): model estimate, tuned time\n/);
    expect(report).toContain(`* ${own}`);
    expect(report).toMatch(/ +1\.25 ms tuned\n/);
    expect(report.match(/ms tuned/g)).toHaveLength(1);
  });
});
