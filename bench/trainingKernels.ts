/// <reference types="@webgpu/types" />
// Steady-state time of the dense-layer training kernels (src/codegen/training/) at the shapes of the
// FashionCNN training net at batch 64: fc1 (1568 -> 64) and fc2 (64 -> 10) backward, the pool and
// activation backward passes and dropout. Each kernel runs REPEATS times in one submission after a
// warm-up, the best of SAMPLES such submissions counting; prints ms per dispatch and GFLOP/s for the GEMMs, and writes bench/results/training-kernels.json.
//
//   EGL_PLATFORM=surfaceless npx tsx bench/trainingKernels.ts
import { mkdirSync, writeFileSync } from "node:fs";
import type { PoolAttrs } from "../src/ir/graph.js";
import { activationBackward } from "../src/codegen/training/activationBackward.js";
import { dropoutForward } from "../src/codegen/training/dropout.js";
import { fcBackwardBias, fcBackwardData, fcBackwardWeight } from "../src/codegen/training/fcBackward.js";
import { maxPoolForwardWithSwitches, poolBackward } from "../src/codegen/training/poolTraining.js";
import { trainingKernelStep, type TrainingKernels } from "../src/codegen/training/trainingKernel.js";
import { fcDataGemmKind, fcDataGemmScheduleOf } from "../src/schedule/kinds/fcDataGemm.js";
import { fcWeightGemmKind, fcWeightGemmScheduleOf } from "../src/schedule/kinds/fcWeightGemm.js";
import { PORTABLE_TARGET } from "../src/schedule/types.js";
import { openDevice } from "../runtime/device.js";
import { pipelineFor } from "../runtime/pipelineCache.js";
import { bindGroup, timeDispatches } from "./coldCompile.js";

const REPEATS = 20;
const SAMPLES = 5;
const RESULT_PATH = "bench/results/training-kernels.json";
const BATCH = 64;

interface Case {
  label: string;
  generated: TrainingKernels;
  /** Multiply-adds per run (0 for data movement). */
  macs: number;
}

function maxPool(window: number, stride: number, pad: number): PoolAttrs {
  const padding = { top: pad, bottom: pad, left: pad, right: pad };
  return { op: "pool", kind: "max", spatialRank: 2, window: [window, window], stride: [stride, stride], padding, rounding: "floor", countPadding: true };
}
/** The fc backward GEMMs under their kinds' default schedules (what choose-schedules gives them). */
function fcData(shape: { batch: number; inFeatures: number; outFeatures: number }): TrainingKernels {
  return fcBackwardData(shape, fcDataGemmScheduleOf(fcDataGemmKind.defaultSchedule({ op: "fc_backward_data", ...shape }, PORTABLE_TARGET), "bench"));
}
function fcWeight(shape: { batch: number; inFeatures: number; outFeatures: number }): TrainingKernels {
  return fcBackwardWeight(shape, fcWeightGemmScheduleOf(fcWeightGemmKind.defaultSchedule({ op: "fc_backward_weight", ...shape }, PORTABLE_TARGET), "bench"));
}
const pool = maxPool(2, 2, 0);
const overlapping = maxPool(3, 2, 1);
const cases: Case[] = [
  { label: "fc1 backward data 64x1568x64", generated: fcData({ batch: BATCH, inFeatures: 1568, outFeatures: 64 }), macs: BATCH * 1568 * 64 },
  { label: "fc1 backward weight 64x1568x64", generated: fcWeight({ batch: BATCH, inFeatures: 1568, outFeatures: 64 }), macs: BATCH * 1568 * 64 },
  { label: "fc1 backward bias", generated: fcBackwardBias({ batch: BATCH, outFeatures: 64 }), macs: 0 },
  { label: "fc2 backward data 64x64x10", generated: fcData({ batch: BATCH, inFeatures: 64, outFeatures: 10 }), macs: BATCH * 64 * 10 },
  { label: "fc2 backward weight 64x64x10", generated: fcWeight({ batch: BATCH, inFeatures: 64, outFeatures: 10 }), macs: BATCH * 64 * 10 },
  { label: "maxpool2 forward with switches 16x28x28", generated: maxPoolForwardWithSwitches({ batch: BATCH, attrs: pool, inputShape: [16, 28, 28], outputShape: [16, 14, 14] }), macs: 0 },
  { label: "maxpool2 backward 16x28x28", generated: poolBackward({ batch: BATCH, attrs: pool, inputShape: [16, 28, 28], outputShape: [16, 14, 14] }), macs: 0 },
  { label: "maxpool 3x3 stride 2 pad 1 backward 16x28x28 (gather)", generated: poolBackward({ batch: BATCH, attrs: overlapping, inputShape: [16, 28, 28], outputShape: [16, 14, 14] }), macs: 0 },
  { label: "relu backward 16x28x28", generated: activationBackward({ elements: BATCH * 16 * 28 * 28, attrs: { op: "relu" }, from: "output" }), macs: 0 },
  { label: "dropout forward 16x28x28", generated: dropoutForward({ elements: BATCH * 16 * 28 * 28, p: 0.5, salt: 1 }), macs: 0 },
];

/** Generous buffer sizes: the largest operand of the cases, in floats. */
const BUFFER_FLOATS = BATCH * 16 * 28 * 28;

async function main(): Promise<void> {
  const gpu = await openDevice();
  const device = gpu.device;
  const results = [];
  for (const { label, generated, macs } of cases) {
    const names = [...new Set(generated.kernels.flatMap((kernel) => kernel.bindings.map((binding) => binding.name)))];
    const buffers = names.map(() => device.createBuffer({ size: BUFFER_FLOATS * 4, usage: GPUBufferUsage.STORAGE }));
    const dispatches = [];
    for (const kernel of generated.kernels) {
      const step = trainingKernelStep(kernel, { name: `bench.${kernel.kernel}`, node: 0, layer: "bench" }, (name) => names.indexOf(name));
      const { pipeline, layout } = await pipelineFor(device, step);
      dispatches.push({ pipeline, group: bindGroup(device, layout, step, buffers), step });
    }
    await timeDispatches(device, dispatches, 2);
    // The best of SAMPLES submissions: the machine is shared, and noise only ever adds time.
    const samples: number[] = [];
    for (let sample = 0; sample < SAMPLES; sample++) samples.push((await timeDispatches(device, dispatches, REPEATS)) / REPEATS);
    const ms = Math.min(...samples);
    const gflops = macs === 0 ? undefined : (2 * macs) / (ms * 1e6);
    results.push({ label, ms, gflops });
    process.stdout.write(`${label}: ${ms.toFixed(3)} ms${gflops === undefined ? "" : `, ${gflops.toFixed(1)} GFLOP/s`}\n`);
    for (const buffer of buffers) buffer.destroy();
  }
  mkdirSync("bench/results", { recursive: true });
  writeFileSync(RESULT_PATH, `${JSON.stringify({ repeats: REPEATS, samples: SAMPLES, results }, null, 2)}\n`);
}

await main();
