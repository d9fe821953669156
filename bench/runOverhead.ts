// Per-run overhead of the executor: the steady-state time of a forward pass (upload the inputs, run
// the kernels, read the outputs back) against the time of its kernels alone (the same dispatches
// submitted and awaited, no upload, no read-back). overhead = run - kernels. This checkout against
// another one, each round running every (network, checkout) pair in a fresh process, alternating, so
// that the machine's noise (a shared 2-core VM) hits both alike; verdicts are medians with the spread.
//
//   npx tsx bench/runOverhead.ts --baseline DIR [--rounds 5] [--runs 200] [NET.cnn[:BATCH] ...]
//       DIR: another checkout of cnnc (e.g. a clone at the commit before a change, with node_modules)
//       networks default to LeNet-5 and FashionCNN at batch 1
//       writes bench/results/run-overhead.json
//
// One process (internal): `--measure ROOT NET.cnn BATCH RUNS` imports ROOT's sources, prepares an
// executor, warms it up (the first runs compile the kernels), then alternates RUNS forward passes with
// RUNS kernels-only submissions and prints the medians and ranges of both, and of their differences
// (the overhead of each run against its neighbouring kernels-only submission), as JSON.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";

const RESULT_PATH = "bench/results/run-overhead.json";
const DEFAULT_NETWORKS = ["examples/lenet5.cnn:1", "examples/fashion_cnn.cnn:1"];
const WARM_UP_RUNS = 5;

interface Spread {
  medianMs: number;
  minMs: number;
  maxMs: number;
}

interface ProcessTiming {
  run: Spread;
  kernels: Spread;
  /** Of the differences run - kernels of neighbouring measurements, which share the machine's noise. */
  overhead: Spread;
}

/**
 * What the benchmark needs of an executor's private state, in both checkouts: its bound kernels in
 * plan order. Read through a cast and checked, so that a checkout whose executor differs fails loudly.
 */
interface BoundKernels {
  steps: readonly { pipeline: GPUComputePipeline; bindGroup: GPUBindGroup; step: { workgroups: [number, number, number] } }[];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function spread(values: readonly number[]): Spread {
  return { medianMs: median(values), minMs: Math.min(...values), maxMs: Math.max(...values) };
}

function boundKernels(executor: object): BoundKernels["steps"] {
  const { steps } = executor as Partial<BoundKernels>;
  const usable = Array.isArray(steps) && steps.every((bound) => bound.pipeline !== undefined && bound.bindGroup !== undefined && Array.isArray(bound.step?.workgroups));
  if (!usable) throw new Error("this checkout's PlanExecutor has no `steps` of {pipeline, bindGroup, step.workgroups}: update boundKernels in bench/runOverhead.ts");
  return steps;
}

async function measure(root: string, file: string, batch: number, runs: number): Promise<ProcessTiming> {
  const { compileFile } = (await import(`${root}/src/compile.ts`)) as typeof import("../src/compile.js");
  const { buildPlan } = (await import(`${root}/src/codegen/buildPlan.ts`)) as typeof import("../src/pipeline.js");
  const { openDevice } = (await import(`${root}/runtime/device.ts`)) as typeof import("../runtime/device.js");
  const { createExecutor } = (await import(`${root}/runtime/executor.ts`)) as typeof import("../runtime/executor.js");
  const { initWeights, randomNormalTensor } = (await import(`${root}/runtime/init.ts`)) as typeof import("../runtime/init.js");
  const { graph } = compileFile(file);
  if (graph === undefined) throw new Error(`${file} does not compile in ${root}`);
  const gpu = await openDevice();
  const device = gpu.device;
  const executor = await createExecutor(gpu, buildPlan(graph, batch), initWeights(graph, 0));
  const kernels = boundKernels(executor);
  const inputs = new Map(graph.inputs.map((id) => [graph.nodes[id]!.name, randomNormalTensor([batch, ...graph.nodes[id]!.shape], 0, `input:${id}`)] as const));
  const runKernels = async (): Promise<void> => {
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    for (const { pipeline, bindGroup, step } of kernels) {
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bindGroup);
      pass.dispatchWorkgroups(...step.workgroups);
    }
    pass.end();
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
  };
  for (let i = 0; i < WARM_UP_RUNS; i++) {
    await executor.run(inputs);
    await runKernels();
  }
  const timed = async (work: () => Promise<unknown>): Promise<number> => {
    const started = performance.now();
    await work();
    return performance.now() - started;
  };
  const runTimes: number[] = [];
  const kernelTimes: number[] = [];
  for (let i = 0; i < runs; i++) {
    // Alternating which goes first, so that neither always finds the caches warmed by the other.
    if (i % 2 === 0) {
      runTimes.push(await timed(() => executor.run(inputs)));
      kernelTimes.push(await timed(runKernels));
    } else {
      kernelTimes.push(await timed(runKernels));
      runTimes.push(await timed(() => executor.run(inputs)));
    }
  }
  executor.destroy();
  gpu.destroy();
  return { run: spread(runTimes), kernels: spread(kernelTimes), overhead: spread(runTimes.map((time, i) => time - kernelTimes[i]!)) };
}

function measureInChild(root: string, file: string, batch: number, runs: number): ProcessTiming {
  const child = spawnSync(process.execPath, ["--import", "tsx", import.meta.filename, "--measure", root, file, String(batch), String(runs)], {
    encoding: "utf8",
    env: { ...process.env, EGL_PLATFORM: process.env.EGL_PLATFORM ?? "surfaceless" },
  });
  const line = child.stdout.split("\n").find((text) => text.startsWith("{"));
  if (child.status !== 0 || line === undefined) throw new Error(`measuring ${file} in ${root} failed:\n${child.stderr}`);
  return JSON.parse(line) as ProcessTiming;
}

function option(args: string[], name: string): string | undefined {
  const index = args.indexOf(name);
  if (index < 0) return undefined;
  const [, value] = args.splice(index, 2);
  return value;
}

const rounded = (ms: number): number => Number(ms.toFixed(4));
const describe = (values: readonly number[]): string =>
  `${median(values).toFixed(3)} ms (${Math.min(...values).toFixed(3)}..${Math.max(...values).toFixed(3)})`;

async function main(args: string[]): Promise<void> {
  if (args[0] === "--measure") {
    process.stdout.write(`${JSON.stringify(await measure(args[1]!, args[2]!, Number(args[3]), Number(args[4])))}\n`);
    return;
  }
  const baseline = option(args, "--baseline");
  const rounds = Number(option(args, "--rounds") ?? "5");
  const runs = Number(option(args, "--runs") ?? "200");
  if (baseline === undefined) throw new Error("usage: npx tsx bench/runOverhead.ts --baseline DIR [--rounds 5] [--runs 200] [NET.cnn[:BATCH] ...]");
  const roots = { baseline: resolve(baseline), current: resolve(import.meta.dirname, "..") };
  const results = [];
  for (const spec of args.length > 0 ? args : DEFAULT_NETWORKS) {
    const [file, batchText] = spec.split(":");
    const batch = Number(batchText ?? "1");
    const perProcess = { baseline: [] as ProcessTiming[], current: [] as ProcessTiming[] };
    for (let round = 0; round < rounds; round++) {
      for (const which of ["baseline", "current"] as const) perProcess[which].push(measureInChild(roots[which], resolve(file!), batch, runs));
    }
    const summary = (which: "baseline" | "current") => ({
      runMs: perProcess[which].map((timing) => rounded(timing.run.medianMs)),
      kernelsMs: perProcess[which].map((timing) => rounded(timing.kernels.medianMs)),
      overheadMs: perProcess[which].map((timing) => rounded(timing.overhead.medianMs)),
    });
    const before = summary("baseline");
    const after = summary("current");
    const row = {
      network: file,
      batch,
      baseline: before,
      current: after,
      overheadRatio: rounded(median(after.overheadMs) / median(before.overheadMs)),
      runRatio: rounded(median(after.runMs) / median(before.runMs)),
    };
    console.log(`${file} at batch ${batch} (medians of ${rounds} processes x ${runs} runs, range across processes):`);
    for (const [name, timing] of [["baseline", before], ["current", after]] as const) {
      console.log(`  ${name.padEnd(8)} run ${describe(timing.runMs)}, kernels ${describe(timing.kernelsMs)}, overhead ${describe(timing.overheadMs)}`);
    }
    console.log(`  current/baseline: overhead ${row.overheadRatio.toFixed(3)}, run ${row.runRatio.toFixed(3)}`);
    results.push(row);
  }
  mkdirSync(dirname(RESULT_PATH), { recursive: true });
  writeFileSync(RESULT_PATH, `${JSON.stringify({ baseline: roots.baseline, rounds, runsPerProcess: runs, results }, null, 2)}\n`);
}

await main(process.argv.slice(2));
