// The tuner with injected fake timings: it keeps the fastest candidate (the earlier one on a tie),
// times the near-ties again and names the finals' winner,
// measures each distinct workload once, skips what the cache holds for this adapter (a second run
// measures nothing), ignores other adapters' entries, and measures again with retune.
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Schedule } from "../../../src/ir/graph.js";
import { TuneCache } from "../../../src/schedule/tune/cache.js";
import { MAX_FINALISTS, tuneWorkloads, type TuneRequest, type TunerDeps } from "../../../src/schedule/tune/tuner.js";
import { PORTABLE_TARGET, type Target, type Workload } from "../../../src/schedule/types.js";

const dir = fs.mkdtempSync(join(tmpdir(), "cnnc-tuner-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let fileCount = 0;

const fc = (outFeatures: number): Workload => ({ op: "fc", batch: 1, inFeatures: 8, outFeatures, epilogue: "", constantWeights: true });
const request = (label: string, outFeatures: number): TuneRequest => ({ key: `fc-${outFeatures}`, workload: fc(outFeatures), label });
const target = (adapter: string): Target => ({ ...PORTABLE_TARGET, adapter });

const CANDIDATES: Schedule[] = [{ kind: "gemm", tile: 8 }, { kind: "gemm", tile: 16 }, { kind: "gemm", tile: 32 }];

/** Deps whose measurement returns `times[outFeatures]` per candidate, counting calls. */
function fakeDeps(times: Record<number, number[]>, adapter = "gpu-a", cache = newCache()) {
  const measured: number[] = [];
  const lines: string[] = [];
  const deps: TunerDeps = {
    candidates: () => CANDIDATES,
    measure: async (workload, schedules) => {
      if (workload.op !== "fc") throw new Error("fc only");
      measured.push(workload.outFeatures);
      // By the candidate's place in CANDIDATES: the finals time a subset.
      return schedules.map((schedule) => ({ schedule, medianMs: times[workload.outFeatures]![CANDIDATES.findIndex((candidate) => candidate.tile === schedule.tile)]! }));
    },
    scheduleText: (schedule) => `${schedule.kind} tile=${String(schedule.tile)}`,
    cache,
    target: target(adapter),
    log: (line) => lines.push(line),
  };
  return { deps, measured, lines, cache };
}

function newCache(path = join(dir, `cache${fileCount++}.json`)): TuneCache {
  return TuneCache.load(path, { warn: (line) => { throw new Error(line); }, cnncVersion: "test" });
}

describe("tuneWorkloads", () => {
  it("picks the fastest candidate and reports every candidate's time, in order", async () => {
    const { deps, lines } = fakeDeps({ 10: [0.9, 0.3, 0.5] });
    const [result] = await tuneWorkloads([request("fc1", 10)], deps);
    expect(result!.winner).toEqual({ kind: "gemm", tile: 16 });
    expect(result!.medianMs).toBe(0.3);
    expect(result!.cached).toBe(false);
    expect(result!.candidates).toEqual([
      { scheduleText: "gemm tile=8", medianMs: 0.9 },
      { scheduleText: "gemm tile=16", medianMs: 0.3 },
      { scheduleText: "gemm tile=32", medianMs: 0.5 },
    ]);
    expect(lines).toEqual(["tuning 1/1 fc1 (3 candidates)…"]);
  });

  it("keeps the earlier candidate (the model's order) on a tie", async () => {
    const { deps } = fakeDeps({ 10: [0.7, 0.4, 0.4] });
    const [result] = await tuneWorkloads([request("fc1", 10)], deps);
    expect(result!.winner).toEqual({ kind: "gemm", tile: 16 });
  });

  it("measures each distinct workload once and answers every request", async () => {
    const { deps, measured, lines } = fakeDeps({ 10: [0.2, 0.3, 0.4], 20: [0.5, 0.4, 0.1] });
    const results = await tuneWorkloads([request("fc1", 10), request("fc2", 20), request("fc3", 10)], deps);
    expect(measured).toEqual([10, 20]);
    expect(results.map((result) => [result.label, result.winner.tile])).toEqual([["fc1", 8], ["fc2", 32], ["fc3", 8]]);
    expect(lines).toEqual(["tuning 1/2 fc1 (3 candidates)…", "tuning 2/2 fc2 (3 candidates)…"]);
  });

  it("skips what the cache holds for this adapter: a second run measures nothing", async () => {
    const path = join(dir, `cache${fileCount++}.json`);
    const first = fakeDeps({ 10: [0.9, 0.3, 0.5] }, "gpu-a", newCache(path));
    await tuneWorkloads([request("fc1", 10)], first.deps);
    first.cache.save();
    const second = fakeDeps({ 10: [0.1, 0.9, 0.9] }, "gpu-a", newCache(path));
    const [result] = await tuneWorkloads([request("fc1", 10)], second.deps);
    expect(second.measured).toEqual([]);
    expect(second.lines).toEqual([]);
    expect(result!.cached).toBe(true);
    expect(result!.winner.tile).toBe(16);
  });

  it("ignores another adapter's entries and measures on this one", async () => {
    const path = join(dir, `cache${fileCount++}.json`);
    const other = fakeDeps({ 10: [0.1, 0.9, 0.9] }, "gpu-b", newCache(path));
    await tuneWorkloads([request("fc1", 10)], other.deps);
    other.cache.save();
    const mine = fakeDeps({ 10: [0.9, 0.9, 0.1] }, "gpu-a", newCache(path));
    const [result] = await tuneWorkloads([request("fc1", 10)], mine.deps);
    expect(mine.measured).toEqual([10]);
    expect(result!.winner.tile).toBe(32);
    mine.cache.save();
    expect(newCache(path).lookup("gpu-b", "fc-10")?.schedule.tile).toBe(8);
  });

  it("measures cached workloads again with retune", async () => {
    const { deps, measured } = fakeDeps({ 10: [0.9, 0.3, 0.5] });
    await tuneWorkloads([request("fc1", 10)], deps);
    const [result] = await tuneWorkloads([request("fc1", 10)], { ...deps, retune: true, measure: async (_, schedules) => {
      measured.push(-1);
      return schedules.map((schedule, index) => ({ schedule, medianMs: [0.1, 0.5, 0.5][index]! }));
    } });
    expect(measured).toEqual([10, -1]);
    expect(result!.winner.tile).toBe(8);
    expect(result!.cached).toBe(false);
  });

  it("times the candidates within the margin of the fastest again and keeps the finals' winner", async () => {
    const { deps, measured, lines } = fakeDeps({ 10: [0.5, 0.52, 0.9] });
    let round = 0;
    const finalsOf: string[][] = [];
    const stages: string[] = [];
    const [result] = await tuneWorkloads([request("fc1", 10)], {
      ...deps,
      measure: async (workload, schedules, stage) => {
        round += 1;
        stages.push(stage);
        if (round === 1) return deps.measure(workload, schedules, stage);
        finalsOf.push(schedules.map((schedule) => deps.scheduleText(schedule)));
        measured.push(-1);
        return schedules.map((schedule) => ({ schedule, medianMs: schedule.tile === 8 ? 0.56 : 0.51 }));
      },
    });
    expect(measured).toEqual([10, -1]);
    expect(stages).toEqual(["candidates", "finals"]);
    expect(finalsOf).toEqual([["gemm tile=8", "gemm tile=16"]]);
    expect(result!.winner).toEqual({ kind: "gemm", tile: 16 });
    expect(result!.medianMs).toBe(0.51);
    expect(result!.candidates).toEqual([
      { scheduleText: "gemm tile=8", medianMs: 0.56, finalist: true },
      { scheduleText: "gemm tile=16", medianMs: 0.51, finalist: true },
      { scheduleText: "gemm tile=32", medianMs: 0.9 },
    ]);
    expect(lines).toEqual(["tuning 1/1 fc1 (3 candidates)…", "  finals of fc1: 2 candidates within 10% of the fastest, timed again…"]);
  });

  it("holds no finals when one candidate is clearly fastest, and at most MAX_FINALISTS", async () => {
    const clear = fakeDeps({ 10: [0.5, 0.56, 0.9] });
    await tuneWorkloads([request("fc1", 10)], clear.deps);
    expect(clear.measured).toEqual([10]);
    const many: Schedule[] = Array.from({ length: MAX_FINALISTS + 2 }, (_, index) => ({ kind: "gemm", tile: index + 1 }));
    const sizes: number[] = [];
    await tuneWorkloads([request("fc1", 10)], {
      ...clear.deps,
      retune: true,
      candidates: () => many,
      measure: async (_, schedules) => {
        sizes.push(schedules.length);
        return schedules.map((schedule) => ({ schedule, medianMs: 1 + Number(schedule.tile) / 1000 }));
      },
    });
    expect(sizes).toEqual([MAX_FINALISTS + 2, MAX_FINALISTS]);
  });

  it("treats a NaN time or a short timing list as a bug, never as a winner", async () => {
    await expect(tuneWorkloads([request("fc1", 10)], fakeDeps({ 10: [0.9, Number.NaN, 0.5] }).deps)).rejects.toThrow(/internal: fc1 measured NaN ms/);
    const short = fakeDeps({ 10: [0.9] }).deps;
    await expect(tuneWorkloads([request("fc1", 10)], { ...short, measure: async (_, schedules) => [{ schedule: schedules[0]!, medianMs: 1 }] })).rejects.toThrow(
      /gave 1 timings for 3 candidates/,
    );
  });
});
