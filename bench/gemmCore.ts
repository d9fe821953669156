// The conv schedules on the GEMM core against the direct kernel, on VGG's 3x3 64 -> 64 conv (pad 1,
// bias) at 56x56 batch 1 and 32x32 batch 16: direct, im2col + GEMM, implicit GEMM with register tiles
// (a few tile shapes, to choose the default) and with workgroup memory.
//
// Each variant is built with its exact schedule requested for the conv, checked against
// the float64 reference, then timed as a caller waits for it (upload the input, run, read back) after
// warm-up runs (the first compiles the shaders): the median of `--runs`.
//
//   npx tsx bench/gemmCore.ts [--runs 3] [--warmup 1]      writes bench/results/gemm-core.json
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

import { openDevice } from "../runtime/device.js";
import { createExecutor } from "../runtime/executor.js";
import { initWeights, randomNormalTensor } from "../runtime/init.js";
import { targetOf } from "../runtime/target.js";
import { compileSource } from "../src/compile.js";
import type { Graph, Schedule } from "../src/ir/graph.js";
import { buildKernelGraph, buildPlan } from "../src/pipeline.js";
import type { Target } from "../src/schedule/types.js";
import { runReference } from "../src/reference/interpret.js";
import type { WeightMap } from "../src/tensor.js";
import { CONV_TOLERANCE, timeConvRuns, wholeOption } from "./convBenchChecks.js";
import { checkAgainstReference } from "./referenceCheck.js";
import { median } from "../runtime/profile.js";

process.env.EGL_PLATFORM ??= "surfaceless";

const RESULT_PATH = "bench/results/gemm-core.json";
const CHANNELS = 64;

interface Variant {
  name: string;
  /** The schedule, from the forced kind's default knobs on this conv. */
  schedule(defaultOf: (kind: string) => Schedule): Schedule;
}

const VARIANTS: Variant[] = [
  { name: "direct (default knobs)", schedule: (defaultOf) => defaultOf("direct") },
  { name: "im2col (default knobs)", schedule: (defaultOf) => defaultOf("im2col") },
  { name: "implicit_gemm (default knobs)", schedule: (defaultOf) => defaultOf("implicit_gemm") },
  { name: "implicit_gemm 8x16 vec4", schedule: (defaultOf) => ({ ...defaultOf("implicit_gemm"), tileM: 8, tileN: 16 }) },
  { name: "implicit_gemm 4x8 vec4", schedule: (defaultOf) => ({ ...defaultOf("implicit_gemm"), tileM: 4, tileN: 8 }) },
  { name: "implicit_gemm 8x8 workgroup memory (64)", schedule: (defaultOf) => ({ ...defaultOf("implicit_gemm"), tileM: 8, tileN: 8, workgroupMemory: true }) },
  { name: "implicit_gemm 4x8 workgroup memory (64)", schedule: (defaultOf) => ({ ...defaultOf("implicit_gemm"), tileM: 4, tileN: 8, workgroupMemory: true }) },
];

/** The default knobs of `kind` for the network's conv at `batch` on `target`. */
function defaultScheduleOf(graph: Graph, batch: number, target: Target, kind: string): Schedule {
  const kernels = buildKernelGraph(graph, { schedule: { all: kind }, target, batch });
  return kernels.kernels.find((kernel) => kernel.anchor === "conv")!.schedule!;
}

interface Row {
  variant: string;
  schedule: Schedule;
  kernels: string[];
  medianMs: number;
  minMs: number;
  gflops: number;
  maxAbsErrorVsReference: number;
}

async function measureShape(size: number, batch: number, runs: number, warmup: number, gpu: Awaited<ReturnType<typeof openDevice>>): Promise<Row[]> {
  const source = `network VggConv {\n  input x: ${CHANNELS}x${size}x${size}\n  conv(${CHANNELS}, 3, pad=1) as conv\n}\n`;
  const { graph } = compileSource(source, "vgg_conv.cnn");
  if (graph === undefined) throw new Error(`the VGG-style conv does not compile:\n${source}`);
  const target = targetOf(gpu);
  const weights: WeightMap = initWeights(graph, 0);
  const input = randomNormalTensor([batch, CHANNELS, size, size], 0, "input:x");
  const inputs = new Map([["x", input]]);
  const flops = 2 * CHANNELS * CHANNELS * 9 * size * size * batch;
  const expected = runReference(graph, inputs, weights).outputs.get("conv")!;
  const rows: Row[] = [];
  for (const variant of VARIANTS) {
    const schedule = variant.schedule((kind) => defaultScheduleOf(graph, batch, target, kind));
    const plan = buildPlan(graph, batch, { target, exactSchedules: { conv: schedule } });
    const executor = await createExecutor(gpu, plan, weights);
    try {
      const { timesMs, output } = await timeConvRuns(executor, inputs, warmup, runs);
      const medianMs = median(timesMs);
      const row: Row = {
        variant: variant.name,
        schedule,
        kernels: plan.steps.map((step) => step.name),
        medianMs: Number(medianMs.toFixed(2)),
        minMs: Number(Math.min(...timesMs).toFixed(2)),
        gflops: Number((flops / medianMs / 1e6).toFixed(3)),
        maxAbsErrorVsReference: checkAgainstReference(`${variant.name} at ${size}x${size} batch ${batch}`, output, expected, CONV_TOLERANCE),
      };
      console.log(`${size}x${size} batch ${batch}  ${variant.name.padEnd(40)} median ${row.medianMs} ms, ${row.gflops} GFLOP/s`);
      rows.push(row);
    } finally {
      executor.destroy();
    }
  }
  return rows;
}

async function main(args: readonly string[]): Promise<void> {
  const runs = wholeOption(args, "--runs", 3);
  const warmup = wholeOption(args, "--warmup", 1);
  const gpu = await openDevice();
  try {
    const shapes = [
      { size: 56, batch: 1 },
      { size: 32, batch: 16 },
    ];
    const results = [];
    for (const shape of shapes) results.push({ layer: `conv 3x3 ${CHANNELS} -> ${CHANNELS}, pad 1, bias, ${shape.size}x${shape.size}, batch ${shape.batch}`, rows: await measureShape(shape.size, shape.batch, runs, warmup, gpu) });
    const result = { adapter: gpu.description, timed: "upload the input, run the conv, read the output back", warmup, runs, results };
    mkdirSync(dirname(RESULT_PATH), { recursive: true });
    writeFileSync(RESULT_PATH, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`wrote ${RESULT_PATH}`);
  } finally {
    gpu.destroy();
  }
}

await main(process.argv.slice(2));
