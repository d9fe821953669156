// One VGG-style conv layer (3x3, 64 -> 64 channels, pad 1, bias) at batch 1, side by side on cnnc
// (the direct and the im2col + GEMM schedules, through buildPlan and PlanExecutor) and on TensorFlow.js's
// WebGPU backend (bench/peers/tfjsWebgpu.ts), on the same Dawn adapter in this one process.
//
// Each timed run is what a caller waits for: upload the input, run the conv, read the output back (the
// read-back waits for the GPU). After warm-up runs (the first compiles the shaders), the median of
// `--runs` runs. All three outputs are checked against cnnc's float64 reference before any number is
// written; a tfjs run with WebGPU errors on its device does not count.
//
//   npx tsx bench/peerConv.ts [--size 224] [--runs 10] [--warmup 2]     (npm run bench:peer-conv)
//       writes bench/results/peer-conv.json
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

import { openDevice } from "../runtime/device.js";
import { createExecutor } from "../runtime/executor.js";
import { initWeights, randomNormalTensor } from "../runtime/init.js";
import { compileSource } from "../src/compile.js";
import type { ConvAttrs } from "../src/ir/graph.js";
import { buildPlan } from "../src/pipeline.js";
import { runReference } from "../src/reference/interpret.js";
import { openTfjsWebgpu, runTfjsConv2d, tfjsMemory } from "./peers/tfjsWebgpu.js";
import { median } from "../runtime/profile.js";
import { targetOf } from "../runtime/target.js";
import { checkAgainstReference } from "./referenceCheck.js";
import { CONV_TOLERANCE, timeConvRuns, wholeOption } from "./convBenchChecks.js";

process.env.EGL_PLATFORM ??= "surfaceless";


const RESULT_PATH = "bench/results/peer-conv.json";
const CHANNELS = 64;
interface Row {
  peer: string;
  kernels: string[];
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** 2 flops per multiply-add of the conv, over the median time. */
  gflops: number;
  maxAbsErrorVsReference: number;
}

function row(peer: string, kernels: string[], timesMs: number[], flops: number, maxAbsErrorVsReference: number): Row {
  const medianMs = median(timesMs);
  return {
    peer,
    kernels,
    medianMs: Number(medianMs.toFixed(3)),
    minMs: Number(Math.min(...timesMs).toFixed(3)),
    maxMs: Number(Math.max(...timesMs).toFixed(3)),
    gflops: Number((flops / medianMs / 1e6).toFixed(3)),
    maxAbsErrorVsReference,
  };
}

async function main(args: readonly string[]): Promise<void> {
  const size = wholeOption(args, "--size", 224);
  const runs = wholeOption(args, "--runs", 10);
  const warmup = wholeOption(args, "--warmup", 2);
  const source = `network VggConv {\n  input x: ${CHANNELS}x${size}x${size}\n  conv(${CHANNELS}, 3, pad=1) as conv\n}\n`;
  const { graph } = compileSource(source, "vgg_conv.cnn");
  if (graph === undefined) throw new Error(`the VGG-style conv does not compile:\n${source}`);
  const convNode = graph.nodes.find((node) => node.name === "conv")!;
  const attrs = convNode.attrs as ConvAttrs;
  const weights = initWeights(graph, 0);
  const input = randomNormalTensor([1, CHANNELS, size, size], 0, "input:x");
  const inputs = new Map([["x", input]]);
  const flops = 2 * CHANNELS * CHANNELS * 9 * size * size;
  console.log(`float64 reference of conv 3x3 ${CHANNELS} -> ${CHANNELS} on ${size}x${size} ...`);
  const expected = runReference(graph, inputs, weights).outputs.get("conv")!;

  const rows: Row[] = [];
  const gpu = await openDevice();
  try {
    for (const kind of ["direct", "im2col"] as const) {
      const plan = buildPlan(graph, 1, { schedule: { all: kind }, target: targetOf(gpu) });
      const executor = await createExecutor(gpu, plan, weights);
      try {
        const { timesMs, output } = await timeConvRuns(executor, inputs, warmup, runs);
        const error = checkAgainstReference(`cnnc ${kind}`, output, expected, CONV_TOLERANCE);
        rows.push(row(`cnnc ${kind}`, plan.steps.map((step) => step.name), timesMs, flops, error));
      } finally {
        executor.destroy();
      }
    }
  } finally {
    gpu.destroy();
  }

  const peer = await openTfjsWebgpu();
  try {
    const bias = weights.get("conv.bias");
    const memoryBefore = tfjsMemory();
    const result = await runTfjsConv2d(peer, input, { weight: weights.get("conv.weight")!, ...(bias === undefined ? {} : { bias }) }, attrs, { warmup, runs });
    if (result.validationErrors > 0) {
      throw new Error(`tfjs-webgpu reported ${result.validationErrors} WebGPU errors, so its output and times do not count:\n${peer.errorMessages().join("\n")}`);
    }
    const memoryAfter = tfjsMemory();
    if (memoryAfter.numTensors !== memoryBefore.numTensors) throw new Error(`tfjs leaked ${memoryAfter.numTensors - memoryBefore.numTensors} tensors`);
    const error = checkAgainstReference("tfjs-webgpu", result.output, expected, CONV_TOLERANCE);
    rows.push(row("tfjs-webgpu", ["fused.conv2d (NHWC, HWIO)"], result.timesMs, flops, error));
  } finally {
    peer.destroy();
  }

  for (const { peer: name, medianMs, minMs, maxMs, gflops, kernels } of rows) {
    console.log(`${name.padEnd(12)} median ${medianMs.toFixed(2)} ms (min ${minMs.toFixed(2)}, max ${maxMs.toFixed(2)}), ${gflops.toFixed(2)} GFLOP/s  [${kernels.join(", ")}]`);
  }
  const result = {
    adapter: peer.description,
    layer: { batch: 1, inChannels: CHANNELS, outChannels: CHANNELS, height: size, width: size, kernel: 3, padding: 1, bias: true },
    timed: "upload the input, run the conv, read the output back",
    warmup,
    runs,
    rows,
  };
  mkdirSync(dirname(RESULT_PATH), { recursive: true });
  writeFileSync(RESULT_PATH, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote ${RESULT_PATH}`);
}

await main(process.argv.slice(2));
