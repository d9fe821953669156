// `cnnc tune` and `cnnc build --tune` in-process over a fake tuning backend (fake device, timings
// and workloads; the real cache and plan builder): the table, the cache making a second run measure
// nothing, --retune, the plan built from the cached winners, and the argument errors; and once
// on the device with the real backend (runtime/tuning/tuneGraph.ts), the default.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { TuningBackend } from "../../src/cli/tuning.js";
import type { Schedule } from "../../src/ir/graph.js";
import { loadPlanDirectory } from "../../src/planFile/loadPlanDirectory.js";
import { buildPlan } from "../../src/pipeline.js";
import { PORTABLE_TARGET, workloadKey, type Workload } from "../../src/schedule/types.js";
import { TINY_MODEL } from "../planFile/planFixture.js";
import { cnnc } from "./cliHelpers.js";

const root = mkdtempSync(join(tmpdir(), "cnnc-tune-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const model = join(root, "tiny.cnn");
writeFileSync(model, TINY_MODEL);
let count = 0;
const freshCache = () => join(root, `cache${count++}`, "tune-cache.json");

const CANDIDATES: Schedule[] = [{ kind: "direct", block: 1 }, { kind: "im2col", tile: 16 }, { kind: "implicit_gemm", tile: 32 }];
/** The fake device's time of each candidate: the model's pick (the first) is never the fastest here. */
const TIMES = [0.8, 0.2, 0.4];

/** A backend whose "kernels" are the model's conv and fc layers, with the calls it got. */
function fakeBackend(adapter = "fake-gpu") {
  const calls = { opened: 0, destroyed: 0, measured: 0, tunedLookups: [] as (string | undefined)[] };
  const backend: TuningBackend = {
    openDevice: async (choice) => {
      calls.opened += 1;
      return {
        description: `Fake adapter (${choice})`,
        target: { ...PORTABLE_TARGET, adapter },
        measure: async (_workload, schedules) => {
          calls.measured += 1;
          return schedules.map((schedule, index) => ({ schedule, medianMs: TIMES[index]! }));
        },
        destroy: () => (calls.destroyed += 1),
      };
    },
    kernelWorkloads: (graph, batch) =>
      graph.nodes
        .filter((node) => node.attrs.op === "conv" || node.attrs.op === "fc")
        .map((node, index) => {
          const workload: Workload = { op: "fc", batch, inFeatures: node.id, outFeatures: node.shape[0]!, epilogue: "", constantWeights: true };
          return { kernel: `kernel${index}`, layers: [node.name], key: workloadKey(workload), workload };
        }),
    candidates: () => CANDIDATES,
    scheduleText: (schedule) => Object.entries(schedule).map(([knob, value]) => (knob === "kind" ? String(value) : `${knob}=${String(value)}`)).join(" "),
    buildPlan: (graph, batch, options) => {
      for (const kernel of backend.kernelWorkloads(graph, batch, options)) calls.tunedLookups.push(options.tuned(kernel.key)?.kind);
      return buildPlan(graph, batch, { fuse: options.fuse });
    },
  };
  return { backend, calls };
}

async function tune(args: string[], backend: TuningBackend) {
  return cnnc(["tune", model, ...args], undefined, backend);
}

describe("cnnc tune", () => {
  it("tunes every kernel, prints each one's candidates, winner and speedup, and a second run measures nothing", async () => {
    const cache = freshCache();
    const { backend, calls } = fakeBackend();
    const first = await tune(["--tune-cache", cache, "--batch", "2"], backend);
    expect(first.code).toBe(0);
    expect(first.stderr).toBe("tuning 1/3 kernel0 (conv1) (3 candidates)…\ntuning 2/3 kernel1 (c2) (3 candidates)…\ntuning 3/3 kernel2 (fc1) (3 candidates)…\n");
    expect(first.stdout).toContain("adapter: Fake adapter (auto)\nTiny at batch 2: 3 kernels with a schedule to tune\n");
    expect(first.stdout).toContain(
      [
        "kernel0 (conv1): im2col tile=16, 0.200 ms, 4.00x the model's pick",
        "  candidate              median ms",
        "  direct block=1             0.800  model's pick",
        "  im2col tile=16             0.200  winner",
        "  implicit_gemm tile=32      0.400",
      ].join("\n"),
    );
    expect(first.stdout).toContain(`measured 3 workloads; saved in ${cache}\n`);
    expect([calls.opened, calls.measured, calls.destroyed]).toEqual([1, 3, 1]);
    const saved = JSON.parse(readFileSync(cache, "utf8")) as { entries: Record<string, Record<string, unknown>> };
    expect(Object.keys(saved.entries["fake-gpu"]!)).toHaveLength(3);

    const second = await tune(["--tune-cache", cache, "--batch", "2"], backend);
    expect(second.code).toBe(0);
    expect(second.stderr).toBe("");
    expect(second.stdout).toContain("kernel0 (conv1) [cached]: im2col tile=16, 0.200 ms, 4.00x the model's pick");
    expect(second.stdout).toContain(`nothing measured: every workload was in the tuning cache (${cache})\n`);
    expect(calls.measured).toBe(3);

    const again = await tune(["--tune-cache", cache, "--batch", "2", "--retune"], backend);
    expect(again.stdout).toContain(`measured 3 workloads; saved in ${cache}\n`);
    expect(calls.measured).toBe(6);
  });

  it("tunes again on another adapter, and another batch is another workload", async () => {
    const cache = freshCache();
    await tune(["--tune-cache", cache], fakeBackend("gpu-a").backend);
    const other = fakeBackend("gpu-b");
    await tune(["--tune-cache", cache], other.backend);
    expect(other.calls.measured).toBe(3);
    const batch = fakeBackend("gpu-a");
    await tune(["--tune-cache", cache, "--batch", "4"], batch.backend);
    expect(batch.calls.measured).toBe(3);
  });

  it("warns about a damaged cache, tunes, and rewrites it", async () => {
    const cache = join(root, "damaged.json");
    writeFileSync(cache, "{ not json");
    const result = await tune(["--tune-cache", cache], fakeBackend().backend);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(new RegExp(`^warning: tuning cache \`${cache}\` is not valid JSON \\(.*\\); it is ignored and will be rewritten\n`));
    expect(JSON.parse(readFileSync(cache, "utf8"))).toMatchObject({ format: "cnnc-tune-cache", version: 1 });
  });

  it("refuses bad arguments before opening the device", async () => {
    const { backend, calls } = fakeBackend();
    const cases: [string[], RegExp][] = [
      [["--batch", "0"], /--batch/],
      [["--backend", "metal"], /metal/],
      [["--schedule", "winogrd"], /unknown schedule `winogrd`.*\n.*did you mean `winograd`/],
    ];
    for (const [args, message] of cases) {
      const result = await tune([...args, "--tune-cache", freshCache()], backend);
      expect(result.code, args.join(" ")).toBe(1);
      expect(result.stderr).toMatch(message);
    }
    const missing = await cnnc(["tune", join(root, "missing.cnn")], undefined, backend);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/missing\.cnn/);
    const noModel = await cnnc(["tune"], undefined, backend);
    expect(noModel.code).toBe(1);
    expect(noModel.stderr).toMatch(/missing required argument 'model'/);
    expect(calls.opened).toBe(0);
  });

  it("runs on the device by default, and a second run measures nothing", async () => {
    const cache = freshCache();
    const first = await cnnc(["tune", model, "--tune-cache", cache]);
    expect(first.stderr).toMatch(/^tuning 1\/\d+ /);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^adapter: .+\nTiny at batch 1: \d+ kernels with a schedule to tune\n/);
    expect(first.stdout).toMatch(/ {2}candidate +median ms\n/);
    expect(first.stdout).toContain(`; saved in ${cache}\n`);
    const second = await cnnc(["tune", model, "--tune-cache", cache]);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`nothing measured: every workload was in the tuning cache (${cache})\n`);
  });
});

describe("cnnc build --tune", () => {
  it("tunes what the cache lacks, then builds with the cached winners; a second build measures nothing", async () => {
    const cache = freshCache();
    const dir = join(root, "built");
    const { backend, calls } = fakeBackend();
    const first = await cnnc(["build", model, "-o", dir, "--tune", "--tune-cache", cache], undefined, backend);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`^tuned 3 kernels for Fake adapter \\(auto\\): 3 workloads measured, 0 from the cache ${cache}\nbuilt Tiny at batch 1`));
    expect(calls.tunedLookups).toEqual(["im2col", "im2col", "im2col"]);
    expect(loadPlanDirectory(dir).batch).toBe(1);
    const second = await cnnc(["build", model, "-o", dir, "--tune", "--tune-cache", cache], undefined, backend);
    expect(second.stdout).toContain("3 kernels for Fake adapter (auto): 0 workloads measured, 3 from the cache");
    expect(calls.measured).toBe(3);
    expect([calls.opened, calls.destroyed]).toEqual([2, 2]);
  });

  it("without --tune uses the model only: no device, no cache, and the tuning options are refused", async () => {
    const { backend, calls } = fakeBackend();
    const plain = await cnnc(["build", model, "-o", join(root, "plain")], undefined, backend);
    expect(plain.code).toBe(0);
    for (const args of [["--tune-cache", freshCache()], ["--backend", "vulkan"]]) {
      const result = await cnnc(["build", model, "-o", join(root, "plain"), ...args], undefined, backend);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`error: ${args[0]} is used only with --tune\n  = help: add --tune (tune the kernels on the device), or drop ${args[0]}\n`);
    }
    expect(calls.opened).toBe(0);
  });
});
