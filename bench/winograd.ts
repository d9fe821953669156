// Winograd F(2x2, 3x3) against the direct and im2col + GEMM schedules on VGG's 3x3 64 -> 64 conv
// (pad 1, bias), at 56x56 batch 1 and 32x32 batch 16, on this machine's adapter.
//
// Each schedule's plan is built with `--schedule KIND` for the conv, its output checked against the
// float64 reference (Winograd within winogradTolerance, the others within the direct conv's float32
// bound), then its kernels timed by the profiler (runtime/profile.ts: GPU timestamp queries where the
// adapter has them, else per-kernel submissions waited for; the warm-up runs that compile are not
// counted). GFLOP/s counts the direct conv's FLOPs (2 * K * C * 9 * N * OH * OW) for every schedule,
// so Winograd's fewer multiplies show as a higher rate, as in the literature's "effective" GFLOP/s.
//
// Rounds alternate the three schedules (each round: warm-up, then `--runs` timed runs of each), and a
// row's time is the median over the rounds of each round's median.
//
//   npx tsx bench/winograd.ts [--runs 10] [--rounds 3]     (npm run bench:winograd)
//       writes bench/results/winograd.json
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

import { openDevice } from "../runtime/device.js";
import { targetOf } from "../runtime/target.js";
import { initWeights, randomNormalTensor } from "../runtime/init.js";
import { median, profilePlan } from "../runtime/profile.js";
import { compileSource } from "../src/compile.js";
import { buildPlan } from "../src/pipeline.js";
import { runReference } from "../src/reference/interpret.js";
import { winogradTolerance } from "../src/schedule/kinds/winograd.js";
import type { Tensor } from "../src/tensor.js";
import { createExecutor } from "../runtime/executor.js";
import { wholeOption } from "./convBenchChecks.js";
import { checkAgainstReference } from "./referenceCheck.js";

process.env.EGL_PLATFORM ??= "surfaceless";

const RESULT_PATH = "bench/results/winograd.json";
const CHANNELS = 64;
const CASES = [
  { size: 56, batch: 1 },
  { size: 32, batch: 16 },
];
const KINDS = ["direct", "im2col", "winograd"] as const;

interface Row {
  schedule: string;
  kernels: string[];
  /** Over the rounds, of each round's median kernel time (runtime/profile.ts's totalMs). */
  medianMs: number;
  minMs: number;
  maxMs: number;
  roundsMs: number[];
  /** The direct conv's FLOPs over the median time. */
  gflops: number;
  maxAbsErrorVsReference: number;
  tolerance: { atol: number; rtol: number };
}

function maxAbs(tensor: Tensor): number {
  return tensor.data.reduce((largest, value) => Math.max(largest, Math.abs(value)), 0);
}

async function main(args: readonly string[]): Promise<void> {
  const runs = wholeOption(args, "--runs", 10);
  const rounds = wholeOption(args, "--rounds", 3);
  const gpu = await openDevice();
  const results = [];
  try {
    for (const { size, batch } of CASES) {
      const source = `network VggConv {\n  input x: ${CHANNELS}x${size}x${size}\n  conv(${CHANNELS}, 3, pad=1) as conv\n}\n`;
      const { graph } = compileSource(source, "vgg_conv.cnn");
      if (graph === undefined) throw new Error(`the VGG-style conv does not compile:\n${source}`);
      const weights = initWeights(graph, 0);
      const input = randomNormalTensor([batch, CHANNELS, size, size], 0, "input:x");
      const inputs = new Map([["x", input]]);
      const flops = 2 * CHANNELS * CHANNELS * 9 * size * size * batch;
      console.log(`float64 reference of conv 3x3 ${CHANNELS} -> ${CHANNELS} on ${size}x${size}, batch ${batch} ...`);
      const expected = runReference(graph, inputs, weights).outputs.get("conv")!;
      // The direct conv's float32 bound (test/codegen/kernelHarness.ts) scaled by the values' magnitudes.
      const scale = maxAbs(weights.get("conv.weight")!) * maxAbs(input);
      const directTolerance = { atol: 4e-5 * Math.sqrt(CHANNELS * 9) * scale, rtol: 1e-4 };
      const plans = KINDS.map((kind) => ({ kind, plan: buildPlan(graph, batch, { schedule: { all: kind }, target: targetOf(gpu) }) }));
      const errors = new Map<string, { error: number; tolerance: { atol: number; rtol: number } }>();
      for (const { kind, plan } of plans) {
        const tolerance = kind === "winograd" ? winogradTolerance(CHANNELS, maxAbs(weights.get("conv.weight")!), maxAbs(input)) : directTolerance;
        const executor = await createExecutor(gpu, plan, weights);
        try {
          errors.set(kind, { error: checkAgainstReference(kind, (await executor.run(inputs)).get("conv")!, expected, tolerance), tolerance });
        } finally {
          executor.destroy();
        }
      }
      // Rounds alternate the schedules, so that the load of a shared machine falls on each alike.
      const roundTimes = new Map<string, number[]>(KINDS.map((kind) => [kind, []]));
      let method = "";
      for (let round = 0; round < rounds; round++) {
        for (const { kind, plan } of plans) {
          const profile = await profilePlan(gpu, plan, weights, { inputs, runs });
          roundTimes.get(kind)!.push(profile.totalMs);
          method = profile.method;
        }
      }
      const rows: Row[] = plans.map(({ kind, plan }) => {
        const times = roundTimes.get(kind)!;
        const medianMs = median(times);
        const row: Row = {
          schedule: kind,
          kernels: plan.steps.map((step) => step.name),
          medianMs: Number(medianMs.toFixed(3)),
          minMs: Number(Math.min(...times).toFixed(3)),
          maxMs: Number(Math.max(...times).toFixed(3)),
          roundsMs: times.map((time) => Number(time.toFixed(3))),
          gflops: Number((flops / medianMs / 1e6).toFixed(3)),
          maxAbsErrorVsReference: errors.get(kind)!.error,
          tolerance: errors.get(kind)!.tolerance,
        };
        console.log(`  ${kind.padEnd(9)} median ${row.medianMs.toFixed(2)} ms (rounds ${row.roundsMs.map((time) => time.toFixed(1)).join(", ")}), ${row.gflops.toFixed(2)} GFLOP/s, max error ${row.maxAbsErrorVsReference.toExponential(2)}`);
        return row;
      });
      console.log(`  (${method})`);
      results.push({ layer: { batch, inChannels: CHANNELS, outChannels: CHANNELS, height: size, width: size, kernel: 3, padding: 1, bias: true }, directFlops: flops, method, rows });
    }
    const result = {
      adapter: gpu.description,
      timed: "the conv's kernels, GPU-synchronized, warm-up runs excluded (runtime/profile.ts)",
      gflops: "the direct conv's FLOPs (2 * K * C * 9 * N * OH * OW) over the median time, for every schedule",
      runs,
      rounds,
      cases: results,
    };
    mkdirSync(dirname(RESULT_PATH), { recursive: true });
    writeFileSync(RESULT_PATH, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`wrote ${RESULT_PATH}`);
  } finally {
    gpu.destroy();
  }
}

await main(process.argv.slice(2));
