/// <reference types="@webgpu/types" />
// Cold compile time of every distinct program of a network's plan, slowest first: which kernels make a
// network's first run slow on a JIT-compiling driver such as llvmpipe.
//
//   npx tsx bench/programCompile.ts NET.cnn[@CxHxW] [--batch 1] [--no-fuse] [--schedule KIND] [--samples 1] [--top 15]
//
// Each sample is a cold compile (coldCompile.ts): shader module, pipeline, and the first dispatch's
// extra time over a second one (llvmpipe JITs at first dispatch).
import { readFileSync } from "node:fs";

import { formatDiagnostics, hasErrors } from "../grammar/diagnostics.js";
import { openDevice } from "../runtime/device.js";
import type { KernelStep } from "../src/codegen/plan.js";
import { compileSource } from "../src/compile.js";
import { buildPlan } from "../src/pipeline.js";
import { compileSample } from "./coldCompile.js";

// Read by Mesa when the driver loads, which happens in openDevice (Dawn is imported lazily).
process.env.MESA_SHADER_CACHE_DISABLE ??= "true";

const INPUT_LINE = /^(\s*input\s+\w+\s*:\s*)\d+(?:x\d+)*/gm;
const USAGE = "usage: npx tsx bench/programCompile.ts NET.cnn[@CxHxW] [--batch 1] [--no-fuse] [--schedule KIND] [--samples 1] [--top 15]";

interface Options {
  file: string;
  input: string | undefined;
  batch: number;
  fuse: boolean;
  samples: number;
  top: number;
  /** `--schedule` for every conv (`direct`, `im2col`), or the default rule. */
  schedule: string | undefined;
}

function parseOptions(args: readonly string[]): Options {
  let spec: string | undefined;
  const options: Omit<Options, "file" | "input"> = { batch: 1, fuse: true, samples: 1, top: 15, schedule: undefined };
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    const value = (): number => {
      const number = Number(args[++index]);
      if (!Number.isInteger(number) || number < 1) throw new Error(`${arg} needs a positive integer; ${USAGE}`);
      return number;
    };
    if (arg === "--batch") options.batch = value();
    else if (arg === "--samples") options.samples = value();
    else if (arg === "--top") options.top = value();
    else if (arg === "--no-fuse") options.fuse = false;
    else if (arg === "--schedule" && index + 1 < args.length) options.schedule = args[++index];
    else if (spec === undefined && !arg.startsWith("--")) spec = arg;
    else throw new Error(`unexpected argument ${arg}; ${USAGE}`);
  }
  if (spec === undefined) throw new Error(USAGE);
  const [file, input] = spec.split("@");
  return { ...options, file: file!, input };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  let text = readFileSync(options.file, "utf8");
  if (options.input !== undefined) text = text.replace(INPUT_LINE, `$1${options.input}`);
  const result = compileSource(text, options.file);
  if (hasErrors(result.diagnostics) || result.graph === undefined) throw new Error(formatDiagnostics(result.diagnostics, result.sources));
  const plan = buildPlan(result.graph, options.batch, { fuse: options.fuse, ...(options.schedule === undefined ? {} : { schedule: { all: options.schedule } }) });
  const gpu = await openDevice();
  try {
    const { device } = gpu;
    const buffers = plan.buffers.map((buffer) => device.createBuffer({ size: buffer.bytes, usage: GPUBufferUsage.STORAGE }));
    const firstStepOf = new Map<string, KernelStep>();
    for (const step of plan.steps) if (!firstStepOf.has(step.program)) firstStepOf.set(step.program, step);
    // The device's first pipeline pays one-time driver setup: keep it out of the first program's time.
    const [warmUp] = firstStepOf.values();
    if (warmUp !== undefined) await compileSample(device, warmUp, buffers);
    const rows: { program: string; layer: string; chars: number; ms: number }[] = [];
    for (const [program, step] of firstStepOf) {
      const samples: number[] = [];
      for (let sample = 0; sample < options.samples; sample++) samples.push((await compileSample(device, step, buffers)).totalMs);
      rows.push({ program, layer: step.layer, chars: step.wgsl.length, ms: median(samples) });
    }
    const total = rows.reduce((sum, row) => sum + row.ms, 0);
    console.log(`${gpu.description}; MESA_SHADER_CACHE_DISABLE=${process.env.MESA_SHADER_CACHE_DISABLE}`);
    console.log(
      `${options.file}${options.input === undefined ? "" : `@${options.input}`} batch ${options.batch} ${options.fuse ? "fused" : "unfused"}: ` +
        `${rows.length} programs, cold compile ${(total / 1000).toFixed(1)} s in all (median of ${options.samples} per program)`,
    );
    rows.sort((a, b) => b.ms - a.ms);
    for (const row of rows.slice(0, options.top)) {
      console.log(`${row.ms.toFixed(0).padStart(6)} ms  ${String(row.chars).padStart(6)} chars  ${row.program}  (${row.layer})`);
    }
    for (const buffer of buffers) buffer.destroy();
  } finally {
    gpu.destroy();
  }
}

await main();
