// Profiles of a plan: aggregation of per-kernel times (medians, spread, shares, sorting, the mapping to
// layers) with injected timings, and profilePlan's runs (warm-up runs left out) through a fake clock.
import { describe, expect, it } from "vitest";

import type { KernelClock } from "../../runtime/kernelClock.js";
import { median, PROFILE_WARMUP_RUNS, profilePlan, summarizeKernelTimes } from "../../runtime/profile.js";
import { initWeights } from "../../runtime/init.js";
import type { KernelProgress } from "../../runtime/progress.js";
import { compileSource } from "../../src/compile.js";
import type { Graph } from "../../src/ir/graph.js";
import { buildPlan } from "../../src/pipeline.js";
import { makeTensor } from "../../src/tensor.js";
import { testGpu } from "../codegen/gpuHarness.js";

function graphOf(source: string): Graph {
  const { graph, diagnostics } = compileSource(source, "net.cnn");
  if (graph === undefined) throw new Error(diagnostics.map((diagnostic) => diagnostic.message).join("\n"));
  return graph;
}

const graph = graphOf(`network Net {
  input x: 3x8x8
  c1 = conv(4, 3, pad=1) -> relu
  p1 = maxpool(2)
  c2 = conv(4, 3, pad=1, bias=false) -> batchnorm as bn2 -> relu
  flat = flatten
  out = fc(5)
}
`);

describe("median", () => {
  it("is the middle value, or the mean of the two middle ones", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(/no values/);
  });
});

describe("summarizeKernelTimes", () => {
  it("takes each kernel's median and spread, sorts longest first, and shares add up to 1", () => {
    const plan = buildPlan(graph, 2);
    const names = plan.steps.map((step) => step.name);
    expect(names.length).toBeGreaterThanOrEqual(3);
    // Kernel i takes i + 1 ms in every run but one outlier each, so medians are i + 1.
    const samples = [0, 1, 2, 3, 4].map((run) => names.map((_, index) => (run === index ? 100 : index + 1)));
    const profile = summarizeKernelTimes(plan, samples, "fake");
    expect(profile.kernels.map((row) => row.kernels.join())).toEqual([...names].reverse());
    expect(profile.kernels.map((row) => row.medianMs)).toEqual(names.map((_, index) => index + 1).reverse());
    const last = profile.kernels.at(-1)!;
    expect([last.minMs, last.maxMs]).toEqual([1, 100]);
    const sumOfMedians = (names.length * (names.length + 1)) / 2;
    expect(profile.kernels.reduce((sum, row) => sum + row.share, 0)).toBeCloseTo(1, 12);
    expect(profile.kernels[0]!.share).toBeCloseTo(names.length / sumOfMedians, 12);
    // Per run, the total is the kernels' sum; its median over the runs.
    expect(profile.totalMs).toBe(median(samples.map((run) => run.reduce((sum, time) => sum + time, 0))));
    expect(profile.imagesPerSecond).toBeCloseTo((2 * 1000) / profile.totalMs, 9);
    expect(profile).toMatchObject({ network: "Net", batch: 2, runs: 5, method: "fake" });
  });

  it("maps every layer to exactly one row: fused layers with their kernel, a layer's kernels together", () => {
    const plan = buildPlan(graph, 1, { schedule: { all: "im2col" } });
    const c1Steps = plan.steps.filter((step) => step.layer.split("+").includes("c1")).map((step) => step.name);
    expect(c1Steps.length).toBe(2); // im2col and gemm
    const profile = summarizeKernelTimes(plan, [plan.steps.map(() => 1)], "fake");
    const c1 = profile.kernels.find((row) => row.layers.includes("c1"))!;
    expect(c1.kernels).toEqual(c1Steps);
    expect(c1.medianMs).toBe(2);
    expect(c1.programs.length).toBe(2);
    const layers = profile.kernels.flatMap((row) => row.layers);
    expect(new Set(layers).size).toBe(layers.length);
    expect(layers).toEqual(expect.arrayContaining(["c1", "p1", "c2", "bn2", "out"]));
    expect(profile.kernels.flatMap((row) => row.kernels).sort()).toEqual(plan.steps.map((step) => step.name).sort());
    // Equal times keep plan order.
    const unfused = buildPlan(graph, 1, { fuse: false });
    const even = summarizeKernelTimes(unfused, [unfused.steps.map(() => 1)], "fake");
    expect(even.kernels.map((row) => row.kernels[0])).toEqual(unfused.steps.map((step) => step.name));
    expect(even.kernels.every((row) => row.share === 1 / unfused.steps.length)).toBe(true);
  });

  it("refuses a time that is not a duration, naming the kernel", () => {
    const plan = buildPlan(graph, 1);
    const times = plan.steps.map(() => 1);
    times[1] = Number.NaN;
    expect(() => summarizeKernelTimes(plan, [times], "fake")).toThrow(new RegExp(`kernel ${plan.steps[1]!.name.replace(".", "\\.")} is NaN ms`));
    expect(() => summarizeKernelTimes(plan, [[1]], "fake")).toThrow(/1 kernel times for/);
  });
});

describe("profilePlan", () => {
  it("builds the kernels (telling the listener), runs the warm-up runs, then times `runs` runs with the clock it is given", async () => {
    const gpu = await testGpu();
    const plan = buildPlan(graph, 1);
    let run = 0;
    const clock: KernelClock = {
      method: "fake clock",
      timeSteps: (executor) => {
        expect(executor.plan).toBe(plan);
        run++;
        // Warm-up runs are slow (shader compilation): they must not count.
        return Promise.resolve(plan.steps.map((_, index) => (run <= PROFILE_WARMUP_RUNS ? 1000 : run + index)));
      },
      destroy: () => undefined,
    };
    const inputs = new Map([["x", makeTensor([1, 3, 8, 8])]]);
    const compiled: string[] = [];
    const progress = (event: KernelProgress) => {
      if (!event.finished) compiled.push(event.kernel);
    };
    const profile = await profilePlan(gpu, plan, initWeights(graph, 0), { inputs, runs: 3, clock, progress });
    expect(compiled).toEqual(plan.steps.map((step) => step.name));
    expect(run).toBe(PROFILE_WARMUP_RUNS + 3);
    expect(profile.method).toBe("fake clock");
    expect(profile.runs).toBe(3);
    const last = plan.steps.length - 1;
    // Timed runs are 3, 4 and 5: the median of kernel i is 4 + i.
    expect(profile.kernels[0]).toMatchObject({ kernels: [plan.steps[last]!.name], medianMs: 4 + last, minMs: 3 + last, maxMs: 5 + last });
  });

  it("times every kernel on the device with the default clock", async () => {
    const gpu = await testGpu();
    const plan = buildPlan(graph, 2);
    const inputs = new Map([["x", makeTensor([2, 3, 8, 8])]]);
    const profile = await profilePlan(gpu, plan, initWeights(graph, 0), { inputs, runs: 2 });
    expect(profile.kernels.flatMap((row) => row.kernels).sort()).toEqual(plan.steps.map((step) => step.name).sort());
    expect(profile.kernels.every((row) => row.medianMs >= 0 && row.minMs <= row.medianMs && row.medianMs <= row.maxMs)).toBe(true);
    expect(profile.method).toMatch(gpu.device.features.has("timestamp-query") ? /timestamp queries/ : /per-kernel submissions/);
  });
});
