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
//   npx tsx bench/winograd.ts [--runs 10]     (npm run bench:winograd)
//       writes bench/results/winograd.json
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

import { openDevice } from "../runtime/device.js";
import { initWeights, randomNormalTensor } from "../runtime/init.js";
import { profilePlan } from "../runtime/profile.js";
import { compileSource } from "../src/compile.js";
import { buildPlan } from "../src/pipeline.js";
import { runReference } from "../src/reference/interpret.js";
import { winogradTolerance } from "../src/schedule/kinds/winograd.js";
import type { Tensor } from "../src/tensor.js";
import { createExecutor } from "../runtime/executor.js";

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
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** The direct conv's FLOPs over the median time. */
  gflops: number;
  maxAbsErrorVsReference: number;
  tolerance: { atol: number; rtol: number };
}

function maxAbs(tensor: Tensor): number {
  return tensor.data.reduce((largest, value) => Math.max(largest, Math.abs(value)), 0);
}

/** The largest |actual - expected|; throws when an element is out of tolerance (NaN included). */
function checkAgainstReference(what: string, actual: Tensor, expected: Tensor, tolerance: { atol: number; rtol: number }): number {
  let maxAbsError = 0;
  for (let i = 0; i < expected.data.length; i++) {
    const error = Math.abs(actual.data[i]! - expected.data[i]!);
    if (!(error <= tolerance.atol + tolerance.rtol * Math.abs(expected.data[i]!))) {
      throw new Error(`${what}: output element ${i} is ${actual.data[i]}, the float64 reference says ${expected.data[i]}`);
    }
    maxAbsError = Math.max(maxAbsError, error);
  }
  return maxAbsError;
}

async function main(args: readonly string[]): Promise<void> {
  const runsIndex = args.indexOf("--runs");
  const runs = runsIndex < 0 ? 10 : Number(args[runsIndex + 1]);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs needs a positive integer, got \`${args[runsIndex + 1] ?? ""}\``);
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
      const rows: Row[] = [];
      for (const kind of KINDS) {
        const plan = buildPlan(graph, batch, { schedule: { all: kind }, maxStorageBindings: gpu.limits.maxStorageBuffersPerShaderStage });
        const tolerance = kind === "winograd" ? winogradTolerance(CHANNELS, maxAbs(weights.get("conv.weight")!), maxAbs(input)) : directTolerance;
        const executor = await createExecutor(gpu, plan, weights);
        let error: number;
        try {
          error = checkAgainstReference(kind, (await executor.run(inputs)).get("conv")!, expected, tolerance);
        } finally {
          executor.destroy();
        }
        const profile = await profilePlan(gpu, plan, weights, { inputs, runs });
        const times = profile.kernels.reduce((total, kernel) => ({ median: total.median + kernel.medianMs, min: total.min + kernel.minMs, max: total.max + kernel.maxMs }), { median: 0, min: 0, max: 0 });
        const row: Row = {
          schedule: kind,
          kernels: plan.steps.map((step) => step.name),
          medianMs: Number(times.median.toFixed(3)),
          minMs: Number(times.min.toFixed(3)),
          maxMs: Number(times.max.toFixed(3)),
          gflops: Number((flops / times.median / 1e6).toFixed(3)),
          maxAbsErrorVsReference: error,
          tolerance,
        };
        rows.push(row);
        console.log(`  ${kind.padEnd(9)} median ${row.medianMs.toFixed(2)} ms (min ${row.minMs.toFixed(2)}, max ${row.maxMs.toFixed(2)}), ${row.gflops.toFixed(2)} GFLOP/s, max error ${error.toExponential(2)}  (${profile.method})`);
      }
      results.push({ layer: { batch, inChannels: CHANNELS, outChannels: CHANNELS, height: size, width: size, kernel: 3, padding: 1, bias: true }, directFlops: flops, rows });
    }
    const result = {
      adapter: gpu.description,
      timed: "the conv's kernels, GPU-synchronized, warm-up runs excluded (runtime/profile.ts)",
      gflops: "the direct conv's FLOPs (2 * K * C * 9 * N * OH * OW) over the median time, for every schedule",
      runs,
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
