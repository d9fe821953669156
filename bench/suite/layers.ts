// Part 1 of the suite: conv layers of the example networks, one at a time, at batch 1 and a training
// batch. Per layer: every candidate schedule's time (median, min..max, GFLOP/s), the model's and the
// tuner's picks (bench/suite/schedules.ts), and the same conv on tfjs-webgpu, checked against cnnc's
// output. Two times per schedule: its kernels' GPU-synchronized time (runtime/tuning/measure.ts, the
// tuner's own instrument), which compares schedules without the upload and read-back that every
// schedule pays alike; and the run time (upload, run, read back) that compares with tfjs, whose
// kernels cannot be timed apart. Candidates and tfjs are timed interleaved round by round (timing.ts).
import { formatDiagnostics, hasErrors } from "../../grammar/diagnostics.js";
import type { GpuContext } from "../../runtime/device.js";
import { compareOutput, CHECK_TOLERANCE_TEXT } from "../../runtime/compareOutputs.js";
import { createExecutor, type PlanExecutor } from "../../runtime/executor.js";
import { initWeights, randomNormalTensor } from "../../runtime/init.js";
import { compileSource } from "../../src/compile.js";
import type { ConvAttrs, Graph } from "../../src/ir/graph.js";
import { buildPlan } from "../../src/pipeline.js";
import type { Tensor } from "../../src/tensor.js";
import { prepareTfjsConv2d, toNchw, tfjsConvUnsupported, type PreparedTfjsConv, type TfjsWebgpu } from "../peers/tfjsWebgpu.js";
import { measureSchedules } from "../../runtime/tuning/measure.js";
import { TUNING_WARMUP_RUNS } from "../../runtime/tuning/tuneGraph.js";
import { candidateSchedulesFor, layerWorkload, modelPick, tunerPick, type SchedulePick } from "./schedules.js";
import { targetOf } from "../../runtime/target.js";
import { round, spreadOf, timeInterleaved, type Contestant, type Spread } from "./timing.js";

/**
 * The kernel times, which decide the default and tune checks, take this many times the suite's
 * rounds: they are cheap next to the whole runs, and a median of 7 moves by 5-10% between two timings
 * of the same kernels on llvmpipe, more than the tune check's 3%.
 */
export const KERNEL_RUNS_FACTOR = 2;

/** Timed rounds of one layer stop past this (after at least MIN_ROUNDS): AlexNet's CONV1 at batch 16 takes seconds a run. */
export const LAYER_BUDGET_SECONDS = 30;

export interface LayerCase {
  /** Where the layer comes from: `VGG 3x3 64->64 @56`. */
  name: string;
  /** The input volume CxHxW. */
  input: [number, number, number];
  /** The conv call in the language: `conv(64, 3, pad=1)`. */
  conv: string;
}

export const LAYER_CASES: readonly LayerCase[] = [
  { name: "LeNet-5 C1 5x5 1->6 @32", input: [1, 32, 32], conv: "conv(6, 5)" },
  { name: "LeNet-5 C3 5x5 6->16 @14", input: [6, 14, 14], conv: "conv(16, 5)" },
  { name: "AlexNet CONV1 11x11/4 3->96 @227", input: [3, 227, 227], conv: "conv(96, 11, stride=4)" },
  { name: "VGG 3x3 3->64 @32", input: [3, 32, 32], conv: "conv(64, 3, pad=1)" },
  { name: "VGG 3x3 64->64 @56", input: [64, 56, 56], conv: "conv(64, 3, pad=1)" },
  { name: "VGG 3x3 128->128 @28", input: [128, 28, 28], conv: "conv(128, 3, pad=1)" },
  { name: "VGG 3x3 256->256 @14", input: [256, 14, 14], conv: "conv(256, 3, pad=1)" },
  { name: "VGG 3x3 512->512 @7", input: [512, 7, 7], conv: "conv(512, 3, pad=1)" },
  { name: "ResNet 3x3/2 64->128 @56", input: [64, 56, 56], conv: "conv(128, 3, stride=2, pad=1, bias=false, rounding=floor)" },
  { name: "ResNet 1x1/2 projection 64->128 @56", input: [64, 56, 56], conv: "conv(128, 1, stride=2, bias=false, rounding=floor)" },
  { name: "GoogLeNet 1x1 192->64 @28", input: [192, 28, 28], conv: "conv(64, 1)" },
  { name: "GoogLeNet 5x5 16->32 @28", input: [16, 28, 28], conv: "conv(32, 5, pad=2)" },
  { name: "depthwise 3x3 32 @56", input: [32, 56, 56], conv: "conv(32, 3, pad=1, groups=32)" },
];

export interface MeasuredSchedule extends Spread {
  label: string;
  gflops: number;
  /** The schedule's kernels' GPU-synchronized time (the spread above is the whole run's). */
  kernel: Spread & { gflops: number };
  /** Its output agrees with the model's pick's output (the model's pick agrees with itself). */
  agrees: boolean;
}

export interface TfjsLayerResult {
  /** Undefined when tfjs cannot run the layer or its output disagreed: then `note` says why. */
  time?: Spread & { gflops: number };
  agrees: boolean;
  maxAbsError?: number;
  note?: string;
}

export interface LayerResult {
  name: string;
  conv: string;
  input: [number, number, number];
  batch: number;
  flops: number;
  schedules: MeasuredSchedule[];
  model: SchedulePick;
  tuner: SchedulePick;
  tfjs: TfjsLayerResult;
}

export function layerGraph(layer: LayerCase): Graph {
  const source = `network Layer {\n  input x: ${layer.input.join("x")}\n  ${layer.conv} as conv\n}\n`;
  const result = compileSource(source, "layer.cnn");
  if (hasErrors(result.diagnostics) || result.graph === undefined) throw new Error(`internal: the layer ${layer.name} does not compile:\n${formatDiagnostics(result.diagnostics, result.sources)}`);
  const graph = result.graph;
  return graph;
}

const gflopsOf = (flops: number, ms: number): number => round(flops / ms / 1e6);

async function runAndRead(executor: PlanExecutor, inputs: Map<string, Tensor>): Promise<Tensor> {
  const output = (await executor.run(inputs)).get("conv");
  if (output === undefined) throw new Error("internal: the layer's plan has no output `conv`");
  return output;
}

/** Measures one layer at one batch on `peer`'s device (cnnc and tfjs share it). */
export async function measureLayer(peer: TfjsWebgpu, layer: LayerCase, batch: number, rounds: number): Promise<LayerResult> {
  const gpu: GpuContext = peer.gpu;
  const graph = layerGraph(layer);
  const node = graph.nodes.find((candidate) => candidate.name === "conv")!;
  const attrs = node.attrs as ConvAttrs;
  const flops = 2 * node.macs * batch;
  const weights = initWeights(graph, 0);
  const input = randomNormalTensor([batch, ...layer.input], 0, "input:x");
  const inputs = new Map([["x", input]]);
  const target = targetOf(gpu);
  const model = modelPick(graph, "conv", batch, target);
  const tuner = await tunerPick(gpu, graph, "conv", batch);
  const candidates = candidateSchedulesFor(graph, "conv", batch, target, [model.schedule, tuner.schedule]);
  const kernelTimes = await measureSchedules(gpu, layerWorkload(graph, "conv", batch, target), candidates.map((candidate) => candidate.schedule), {
    warmupRuns: TUNING_WARMUP_RUNS,
    runs: KERNEL_RUNS_FACTOR * rounds,
  });
  const executors: { label: string; executor: PlanExecutor; output?: Tensor }[] = [];
  let tfjsConv: PreparedTfjsConv | undefined;
  const tfjsUnsupported = tfjsConvUnsupported(attrs, layer.input[0]);
  try {
    for (const candidate of candidates) {
      const plan = buildPlan(graph, batch, { target, exactSchedules: { conv: candidate.schedule } });
      executors.push({ label: candidate.label, executor: await createExecutor(gpu, plan, weights) });
    }
    const contestants: Contestant[] = executors.map((entry) => ({
      name: entry.label,
      run: async () => {
        entry.output = await runAndRead(entry.executor, inputs);
      },
    }));
    let tfjsOutput: { data: Float32Array; shape: [number, number, number, number] } | undefined;
    const errorsBefore = peer.validationErrors();
    if (tfjsUnsupported === undefined) {
      const bias = weights.get("conv.bias");
      const prepared = prepareTfjsConv2d(input, { weight: weights.get("conv.weight")!, ...(bias === undefined ? {} : { bias }) }, attrs);
      tfjsConv = prepared;
      contestants.push({
        name: "tfjs",
        run: async () => {
          tfjsOutput = await prepared.runOnce();
        },
      });
    }
    const times = await timeInterleaved(contestants, rounds, 1, LAYER_BUDGET_SECONDS);
    const reference = executors.find((entry) => entry.label === model.label) ?? executors[0]!;
    const schedules = executors.map((entry, index): MeasuredSchedule => {
      const spread = spreadOf(times.get(entry.label)!);
      const kernel = spreadOf(kernelTimes[index]!.samples);
      return {
        label: entry.label,
        ...spread,
        gflops: gflopsOf(flops, spread.medianMs),
        kernel: { ...kernel, gflops: gflopsOf(flops, kernel.medianMs) },
        agrees: compareOutput(entry.label, entry.output!, reference.output!).passed,
      };
    });
    let tfjs: TfjsLayerResult;
    if (tfjsUnsupported !== undefined) {
      tfjs = { agrees: false, note: `tfjs cannot run it: ${tfjsUnsupported}` };
    } else {
      const errors = peer.validationErrors() - errorsBefore;
      const comparison = compareOutput("tfjs", toNchw(tfjsOutput!.data, tfjsOutput!.shape), reference.output!);
      const spread = spreadOf(times.get("tfjs")!);
      if (errors > 0) tfjs = { agrees: false, note: `${errors} WebGPU errors on tfjs's device: its time does not count (${peer.errorMessages()[0] ?? ""})` };
      else if (!comparison.passed) tfjs = { agrees: false, maxAbsError: comparison.maxAbsError, note: `output disagrees with cnnc's (${comparison.failures} of ${comparison.elements} elements beyond ${CHECK_TOLERANCE_TEXT}): its time does not count` };
      else tfjs = { agrees: true, maxAbsError: comparison.maxAbsError, time: { ...spread, gflops: gflopsOf(flops, spread.medianMs) } };
    }
    return { name: layer.name, conv: layer.conv, input: layer.input, batch, flops, schedules, model, tuner, tfjs };
  } finally {
    for (const { executor } of executors) executor.destroy();
    tfjsConv?.dispose();
  }
}
