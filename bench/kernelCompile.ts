/// <reference types="@webgpu/types" />
// First-run latency of the conv kernels: how long each shader takes to compile (WGSL -> Tint -> GLSL ->
// Mesa) with a cold shader cache, and how fast the compiled layer runs (GFLOP/s), for a few
// representative convs under their default schedule.
//
//   npx tsx bench/kernelCompile.ts [name]     prints a table, writes bench/results/kernel-compile.json
//                                             (name: only the layers whose name contains it)
//   npx tsx bench/kernelCompile.ts --network examples/googlenet.cnn
//                                             first-run latency of a whole network at batch 1: building
//                                             its executor plus its first run, less a warm run
//
// Compile: `createCheckedShaderModule` + `createComputePipelineAsync`, then the first dispatch's
// extra time over a warm one (a driver may defer its JIT to first use). Each sample compiles a copy of
// the shader with a distinct trailing comment so neither Dawn's in-process cache nor Mesa's (disabled
// via MESA_SHADER_CACHE_DISABLE) can answer it. Run time: the layer's kernels (im2col + GEMM, or direct)
// dispatched back to back, median of several timed submissions after warm-up.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { buildPlan } from "../src/pipeline.js";
import type { Plan } from "../src/codegen/plan.js";
import type { ConvScheduleKind } from "../src/codegen/schedule.js";
import { paramFullName, shapeSize, type Graph } from "../src/ir/graph.js";
import type { Tensor, WeightMap } from "../src/tensor.js";
import { compileFile, compileSource } from "../src/compile.js";
import { openDevice, type GpuContext } from "../runtime/device.js";
import { createExecutor } from "../runtime/executor.js";
import { pipelineFor } from "../runtime/pipelineCache.js";
import { bindGroup, compileSample, timeDispatches, type CompileSample } from "./coldCompile.js";

// Read by Mesa when the driver loads, which happens in openDevice (Dawn is imported lazily).
process.env.MESA_SHADER_CACHE_DISABLE ??= "true";

const RESULT_PATH = "bench/results/kernel-compile.json";
const COMPILE_SAMPLES = 3;
/** Warm-up dispatching before the timed runs (the first runs of a layer are slower). */
const WARMUP_MS = 500;
const TIMED_RUNS = 9;
/** Each timed submission repeats the layer until it takes about this long, so it times reliably. */
const TARGET_RUN_MS = 150;

interface LayerCase {
  name: string;
  /** The conv statement (input `x`, layer `c`). */
  source: string;
  input: string;
  /** Overrides the default schedule kind. */
  kind?: ConvScheduleKind;
}

const LAYERS: LayerCase[] = [
  { name: "3x3 64->64 @56x56", input: "64x56x56", source: "c = conv(64, 3, pad=1)" },
  { name: "1x1 192->64 @28x28", input: "192x28x28", source: "c = conv(64, 1)" },
  { name: "3x3 3->64 @56x56 (R=27)", input: "3x56x56", source: "c = conv(64, 3, pad=1)" },
  { name: "3x3 64->64 @56x56 direct", input: "64x56x56", source: "c = conv(64, 3, pad=1)", kind: "direct" },
];

/** Its times are medians over COMPILE_SAMPLES cold compiles. */
interface KernelCompile extends CompileSample {
  kernel: string;
  wgslChars: number;
}

interface LayerResult {
  layer: string;
  schedule: string;
  kernels: KernelCompile[];
  compileMs: number;
  /** Median and fastest of the timed runs. */
  runMs: number;
  bestRunMs: number;
  gflops: number;
  bestGflops: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function graphOf(layer: LayerCase): Graph {
  const text = `network Bench {\n  input x: ${layer.input}\n  ${layer.source}\n}\n`;
  const result = compileSource(text, "bench.cnn");
  if (result.graph === undefined) {
    throw new Error(`bench layer ${layer.name} does not compile: ${result.diagnostics.map((d) => d.message).join("; ")}`);
  }
  return result.graph;
}

/** 2 FLOPs per multiply-accumulate: 2 * N * (the conv node's MACs per sample, K * OH * OW * C/groups * KH * KW). */
function convFlops(graph: Graph, batch: number): number {
  const node = graph.nodes.find((candidate) => candidate.attrs.op === "conv");
  if (node === undefined) throw new Error("bench graph has no conv");
  return 2 * batch * node.macs;
}

function createBuffers(device: GPUDevice, plan: Plan): GPUBuffer[] {
  let seed = 1;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648 - 0.5;
  };
  return plan.buffers.map((buffer) => {
    const gpuBuffer = device.createBuffer({
      label: buffer.label,
      size: buffer.bytes,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
    });
    if (buffer.role === "input" || buffer.role === "param") {
      const data = Float32Array.from({ length: buffer.bytes / 4 }, random);
      device.queue.writeBuffer(gpuBuffer, 0, data);
    }
    return gpuBuffer;
  });
}

async function measureLayer(device: GPUDevice, layer: LayerCase): Promise<LayerResult> {
  const graph = graphOf(layer);
  // The schedule is choose-schedules' option, as `--schedule` passes it.
  const plan = buildPlan(graph, 1, layer.kind === undefined ? {} : { schedule: { all: layer.kind } });
  const buffers = createBuffers(device, plan);
  const kernels: KernelCompile[] = [];
  for (const step of plan.steps) {
    const samples = [];
    for (let sample = 0; sample < COMPILE_SAMPLES; sample++) samples.push(await compileSample(device, step, buffers));
    kernels.push({
      kernel: step.name.slice(step.name.indexOf(".") + 1),
      wgslChars: step.wgsl.length,
      moduleMs: median(samples.map((s) => s.moduleMs)),
      pipelineMs: median(samples.map((s) => s.pipelineMs)),
      firstDispatchExtraMs: median(samples.map((s) => s.firstDispatchExtraMs)),
      totalMs: median(samples.map((s) => s.totalMs)),
    });
  }
  const dispatches = [];
  for (const step of plan.steps) {
    const { pipeline, layout } = await pipelineFor(device, step);
    dispatches.push({ pipeline, group: bindGroup(device, layout, step, buffers), step });
  }
  let once = Infinity;
  for (let warm = 0; warm < WARMUP_MS; ) {
    const took = await timeDispatches(device, dispatches, 1);
    once = Math.min(once, took);
    warm += took;
  }
  const repeats = Math.max(1, Math.round(TARGET_RUN_MS / once));
  const times = [];
  for (let run = 0; run < TIMED_RUNS; run++) times.push((await timeDispatches(device, dispatches, repeats)) / repeats);
  for (const buffer of buffers) buffer.destroy();
  const runMs = median(times);
  const bestRunMs = Math.min(...times);
  const schedule = plan.steps.map((step) => step.name.slice(step.name.indexOf(".") + 1)).join(" + ");
  return {
    layer: layer.name,
    schedule: layer.kind === undefined ? `default (${schedule})` : `${layer.kind} (${schedule})`,
    kernels,
    compileMs: kernels.reduce((sum, kernel) => sum + kernel.totalMs, 0),
    runMs,
    bestRunMs,
    gflops: convFlops(graph, 1) / (runMs / 1000) / 1e9,
    bestGflops: convFlops(graph, 1) / (bestRunMs / 1000) / 1e9,
  };
}

/** Cold first-run latency of a network: executor creation (shader modules, pipelines) + first run - a warm run. */
async function measureNetwork(gpu: GpuContext, path: string): Promise<void> {
  const graph = compileFile(path).graph;
  if (graph === undefined) throw new Error(`${path} does not compile (run cnnc check on it)`);
  const plan = buildPlan(graph, 1);
  const filled = (shape: readonly number[], value: number): Tensor => ({ shape: [...shape], data: new Float32Array(shapeSize(shape)).fill(value) });
  const weights: WeightMap = new Map();
  for (const node of graph.nodes) for (const param of node.params) weights.set(paramFullName(node, param), filled(param.shape, 0.01));
  const inputs = new Map(plan.inputs.map((input) => [input.name, filled(input.shape, 0.5)]));
  const start = performance.now();
  const executor = await createExecutor(gpu, plan, weights);
  const created = performance.now();
  await executor.run(inputs);
  const firstDone = performance.now();
  await executor.run(inputs);
  const warmRunMs = performance.now() - firstDone;
  executor.destroy();
  const latencyMs = firstDone - start - warmRunMs;
  console.log(`${gpu.description}; MESA_SHADER_CACHE_DISABLE=${process.env.MESA_SHADER_CACHE_DISABLE}`);
  console.log(
    `${path}: ${plan.steps.length} kernels (${new Set(plan.steps.map((step) => step.wgsl)).size} distinct); executor ${(created - start).toFixed(0)} ms, ` +
      `first run ${(firstDone - created).toFixed(0)} ms, warm run ${warmRunMs.toFixed(0)} ms: first-run latency ${(latencyMs / 1000).toFixed(1)} s`,
  );
}

async function main(): Promise<void> {
  const gpu = await openDevice();
  try {
    if (process.argv[2] === "--network") {
      const path = process.argv[3];
      if (path === undefined) throw new Error("--network needs a .cnn file");
      await measureNetwork(gpu, path);
      return;
    }
    // The device's first pipeline pays one-time driver setup; keep that out of the first layer's numbers.
    const warmup = buildPlan(graphOf({ name: "warm-up", input: "4x8x8", source: "c = conv(8, 3, pad=1)" }), 1);
    const warmupBuffers = createBuffers(gpu.device, warmup);
    for (const step of warmup.steps) await compileSample(gpu.device, step, warmupBuffers);

    const results: LayerResult[] = [];
    const only = process.argv[2];
    for (const layer of LAYERS) if (only === undefined || layer.name.includes(only)) results.push(await measureLayer(gpu.device, layer));

    const rows = results.flatMap((result) =>
      result.kernels.map((kernel, index) => [
        index === 0 ? result.layer : "",
        kernel.kernel,
        String(kernel.wgslChars),
        kernel.moduleMs.toFixed(0),
        kernel.pipelineMs.toFixed(0),
        kernel.firstDispatchExtraMs.toFixed(0),
        kernel.totalMs.toFixed(0),
        index === 0 ? result.runMs.toFixed(2) : "",
        index === 0 ? result.gflops.toFixed(2) : "",
        index === 0 ? result.bestGflops.toFixed(2) : "",
      ]),
    );
    const header = ["layer", "kernel", "wgsl chars", "module ms", "pipeline ms", "1st dispatch +ms", "compile ms", "run ms", "GFLOP/s", "best GFLOP/s"];
    const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
    const format = (row: readonly string[]): string => row.map((cell, column) => (column < 2 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join("  ");
    console.log(`${gpu.description}; MESA_SHADER_CACHE_DISABLE=${process.env.MESA_SHADER_CACHE_DISABLE}`);
    console.log(`compile: median of ${COMPILE_SAMPLES} cold compiles; run: median of ${TIMED_RUNS} submissions of ~${TARGET_RUN_MS} ms after ${WARMUP_MS} ms of warm-up`);
    console.log(format(header));
    for (const row of rows) console.log(format(row));

    mkdirSync(dirname(RESULT_PATH), { recursive: true });
    const report = {
      device: gpu.description,
      mesaShaderCacheDisabled: process.env.MESA_SHADER_CACHE_DISABLE,
      compileSamples: COMPILE_SAMPLES,
      timedRuns: TIMED_RUNS,
      targetRunMs: TARGET_RUN_MS,
      warmupMs: WARMUP_MS,
      date: new Date().toISOString(),
      layers: results,
    };
    writeFileSync(RESULT_PATH, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`wrote ${RESULT_PATH}`);
  } finally {
    gpu.destroy();
  }
}

await main();
