// What fusion buys: each network at each batch, fused against `--no-fuse` (one kernel per layer), on
// this machine's adapter. Static figures from the plan (kernels dispatched, distinct programs,
// activation / parameter / scratch bytes), the first run (building the plan, creating the executor,
// which compiles every pipeline, and the first forward pass, where llvmpipe JITs each shader), and
// steady-state images/s. Every measurement is a fresh process, so that the in-process pipeline cache
// (runtime/pipelineCache.ts) starts cold, with Mesa's on-disk shader cache disabled
// (MESA_SHADER_CACHE_DISABLE=true); each round runs every configuration, fused and unfused
// alternating (the order flipping every round), so that the machine's noise (a shared 2-core VM) hits
// both alike. Verdicts are medians across processes, with their range, and ratios fused/unfused: of
// those medians, and "paired", the median and range of each round's ratio of its two neighbouring
// processes (which share the machine's noise of the moment).
//
//   npx tsx bench/fusion.ts [--rounds 5] [--batches 1,16] [--runs 100] [--seconds 2] [NET.cnn[@CxHxW] ...]
//       networks default to LeNet-5, FashionCNN and ResNet-18 at a 3x64x64 input (@CxHxW rewrites the
//       network's input line in memory); --runs / --seconds: timed runs per process, at most --runs,
//       stopping early after --seconds (never fewer than MIN_RUNS)
//       writes bench/results/fusion.json
//
// One process (internal): `--measure JSON` with a MeasureRequest; prints one line of JSON, a Measurement.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, resolve } from "node:path";

import { formatDiagnostics, hasErrors } from "../grammar/diagnostics.js";
import { randomNormalTensor } from "../runtime/init.js";
import { createSession } from "../runtime/session.js";
import type { PlanMemory } from "../src/codegen/plan.js";
import { compileSource } from "../src/compile.js";
import type { Graph } from "../src/ir/graph.js";

const RESULT_PATH = "bench/results/fusion.json";
const DEFAULT_NETWORKS = ["examples/lenet5.cnn", "examples/fashion_cnn.cnn", "examples/resnet18.cnn@3x64x64"];
const WARM_UP_RUNS = 3;
const MIN_RUNS = 5;
/** A child taking longer than this is killed and reported (a hang is a failure, not a wait). */
const CHILD_TIMEOUT_MS = 300_000;
const INPUT_LINE = /^(\s*input\s+\w+\s*:\s*)\d+(?:x\d+)*/gm;

interface MeasureRequest {
  file: string;
  /** `CxHxW` replacing the shape on the network's input line, or undefined for the file as written. */
  input?: string;
  batch: number;
  fuse: boolean;
  runs: number;
  seconds: number;
}

interface Spread {
  median: number;
  q1: number;
  q3: number;
  min: number;
  max: number;
}

interface Measurement {
  adapter: string;
  kernels: number;
  programs: number;
  memory: PlanMemory;
  /** Building the plan, creating the executor (compiling every pipeline), the first forward pass. */
  firstRunMs: { plan: number; prepare: number; firstForward: number; total: number };
  /** Steady-state forward passes after warm-up. */
  forwardMs: Spread;
  timedRuns: number;
  /** Sum of |output| over every output of the first run: fused and unfused must agree. */
  outputAbsSum: number;
}

function quantile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
}

function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: quantile(sorted, 0.5), q1: quantile(sorted, 0.25), q3: quantile(sorted, 0.75), min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

function loadGraph(file: string, input: string | undefined): Graph {
  let text = readFileSync(file, "utf8");
  if (input !== undefined) {
    const lines = text.match(INPUT_LINE) ?? [];
    if (lines.length !== 1) throw new Error(`${file}: @${input} needs exactly one \`input NAME: CxHxW\` line, found ${lines.length}`);
    text = text.replace(INPUT_LINE, `$1${input}`);
  }
  const result = compileSource(text, file);
  if (hasErrors(result.diagnostics) || result.graph === undefined) {
    throw new Error(`${file}${input === undefined ? "" : ` at input ${input}`} does not compile:\n${formatDiagnostics(result.diagnostics, result.sources)}`);
  }
  return result.graph;
}

async function measure(request: MeasureRequest): Promise<Measurement> {
  const graph = loadGraph(request.file, request.input);
  const { batch } = request;
  const session = await createSession(graph, { seed: 0, fuse: request.fuse });
  try {
    const started = performance.now();
    const plan = session.planFor(batch);
    const planned = performance.now();
    await session.prepare(batch);
    const prepared = performance.now();
    // Made after prepare, which refuses a batch too large for the device before inputs that size exist.
    const inputs = new Map(graph.inputs.map((id) => [graph.nodes[id]!.name, randomNormalTensor([batch, ...graph.nodes[id]!.shape], 0, `input:${id}`)] as const));
    const firstForwardStarted = performance.now();
    const outputs = await session.run(inputs);
    const firstRun = performance.now();
    let outputAbsSum = 0;
    for (const tensor of outputs.values()) for (const value of tensor.data) outputAbsSum += Math.abs(value);
    for (let i = 0; i < WARM_UP_RUNS; i++) await session.run(inputs);
    const times: number[] = [];
    const deadline = performance.now() + request.seconds * 1000;
    while (times.length < request.runs && (times.length < MIN_RUNS || performance.now() < deadline)) {
      const runStarted = performance.now();
      await session.run(inputs);
      times.push(performance.now() - runStarted);
    }
    return {
      adapter: session.adapterDescription,
      kernels: plan.steps.length,
      programs: plan.programs.length,
      memory: plan.memory,
      firstRunMs: { plan: planned - started, prepare: prepared - planned, firstForward: firstRun - firstForwardStarted, total: firstRun - firstForwardStarted + (prepared - started) },
      forwardMs: spread(times),
      timedRuns: times.length,
      outputAbsSum,
    };
  } finally {
    session.destroy();
  }
}

type ChildResult = { ok: true; measurement: Measurement } | { ok: false; error: string };

function measureInChild(request: MeasureRequest): ChildResult {
  const child = spawnSync(process.execPath, ["--import", "tsx", import.meta.filename, "--measure", JSON.stringify(request)], {
    encoding: "utf8",
    timeout: CHILD_TIMEOUT_MS,
    env: { ...process.env, EGL_PLATFORM: process.env.EGL_PLATFORM ?? "surfaceless", MESA_SHADER_CACHE_DISABLE: "true" },
  });
  const line = child.stdout.split("\n").find((text) => text.startsWith("{"));
  if (child.status === 0 && line !== undefined) return { ok: true, measurement: JSON.parse(line) as Measurement };
  const how = child.error !== undefined ? child.error.message : child.signal !== null ? `killed by ${child.signal}` : `exit status ${child.status}`;
  const stderr = child.stderr.trim().split("\n").slice(-20).join("\n");
  return { ok: false, error: `${how}${stderr === "" ? "" : `:\n${stderr}`}` };
}

function option(args: string[], name: string): string | undefined {
  const index = args.indexOf(name);
  if (index < 0) return undefined;
  const [, value] = args.splice(index, 2);
  if (value === undefined) throw new Error(`${name} needs a value`);
  return value;
}

function positiveInteger(text: string, what: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${what} must be a positive integer, got \`${text}\``);
  return value;
}

const rounded = (value: number, digits = 3): number => Number(value.toFixed(digits));
const bytesText = (bytes: number): string => (bytes < 2 ** 20 ? `${(bytes / 2 ** 10).toFixed(1)} KiB` : `${(bytes / 2 ** 20).toFixed(2)} MiB`);
const ratio = (fused: number, unfused: number): number => rounded(fused / unfused);

/** Median across processes, with their range. */
function acrossProcesses(values: readonly number[]): { median: number; min: number; max: number; perProcess: number[] } {
  const { median, min, max } = spread(values);
  return { median: rounded(median), min: rounded(min), max: rounded(max), perProcess: values.map((value) => rounded(value)) };
}

const pairedText = ({ median, min, max }: { median: number; min: number; max: number }): string => `${median.toFixed(2)}, ${min.toFixed(2)}..${max.toFixed(2)}`;

/** What the static figures of a configuration are; they must not differ between processes. */
function staticFigures(measurement: Measurement): { kernels: number; programs: number; memory: PlanMemory } {
  return { kernels: measurement.kernels, programs: measurement.programs, memory: measurement.memory };
}

function summarize(measurements: readonly Measurement[], batch: number) {
  const figures = staticFigures(measurements[0]!);
  const differing = measurements.find((measurement) => JSON.stringify(staticFigures(measurement)) !== JSON.stringify(figures));
  if (differing !== undefined) throw new Error(`the plan differs between processes: ${JSON.stringify(figures)} vs ${JSON.stringify(staticFigures(differing))}`);
  return {
    ...figures,
    firstRunMs: acrossProcesses(measurements.map((measurement) => measurement.firstRunMs.total)),
    firstRunPartsMs: measurements.map(({ firstRunMs }) => ({ plan: rounded(firstRunMs.plan), prepare: rounded(firstRunMs.prepare), firstForward: rounded(firstRunMs.firstForward) })),
    forwardMs: acrossProcesses(measurements.map((measurement) => measurement.forwardMs.median)),
    forwardQuartilesMs: measurements.map(({ forwardMs }) => ({ q1: rounded(forwardMs.q1), q3: rounded(forwardMs.q3), min: rounded(forwardMs.min), max: rounded(forwardMs.max) })),
    imagesPerSecond: acrossProcesses(measurements.map((measurement) => (batch * 1000) / measurement.forwardMs.median)),
    timedRunsPerProcess: measurements.map((measurement) => measurement.timedRuns),
    outputAbsSum: measurements[0]!.outputAbsSum,
  };
}

async function main(args: string[]): Promise<number> {
  if (args[0] === "--measure") {
    process.stdout.write(`${JSON.stringify(await measure(JSON.parse(args[1]!) as MeasureRequest))}\n`);
    return 0;
  }
  const commandLine = `npx tsx bench/fusion.ts ${args.join(" ")}`.trim();
  const rounds = positiveInteger(option(args, "--rounds") ?? "5", "--rounds");
  const batches = (option(args, "--batches") ?? "1,16").split(",").map((text) => positiveInteger(text, "--batches"));
  const runs = positiveInteger(option(args, "--runs") ?? "100", "--runs");
  const secondsText = option(args, "--seconds") ?? "2";
  const seconds = Number(secondsText);
  if (!(seconds >= 0)) throw new Error(`--seconds must be a number of seconds, got \`${secondsText}\``);
  const unknown = args.find((arg) => arg.startsWith("--"));
  if (unknown !== undefined) throw new Error(`unknown option ${unknown}; usage: npx tsx bench/fusion.ts [--rounds 5] [--batches 1,16] [--runs 100] [--seconds 2] [NET.cnn[@CxHxW] ...]`);
  const networks = (args.length > 0 ? args : DEFAULT_NETWORKS).map((spec) => {
    const [file, input] = spec.split("@");
    return { spec, file: resolve(file!), ...(input === undefined ? {} : { input }) };
  });
  for (const network of networks) loadGraph(network.file, network.input); // Bad specs fail before minutes of measuring.
  const configurations = networks.flatMap((network) => batches.map((batch) => ({ network, batch })));
  /** Per configuration, fused and unfused, the measurement of each round that succeeded. */
  const measured = configurations.map(() => ({ fused: new Map<number, Measurement>(), unfused: new Map<number, Measurement>() }));
  const failures: { network: string; batch: number; fuse: boolean; round: number; error: string }[] = [];
  console.log(`MESA_SHADER_CACHE_DISABLE=true in every child; ${rounds} rounds x ${configurations.length * 2} processes`);
  const benchStarted = performance.now();
  // Other processes share this machine's cores: their load is recorded next to the timings.
  const loadAtStart = loadavg();
  for (let round = 0; round < rounds; round++) {
    for (const [index, { network, batch }] of configurations.entries()) {
      for (const fuse of round % 2 === 0 ? [true, false] : [false, true]) {
        const result = measureInChild({ file: network.file, ...(network.input === undefined ? {} : { input: network.input }), batch, fuse, runs, seconds });
        const label = `round ${round + 1}: ${network.spec} batch ${batch} ${fuse ? "fused" : "unfused"}`;
        if (!result.ok) {
          console.error(`FAILED ${label}: ${result.error}`);
          failures.push({ network: network.spec, batch, fuse, round: round + 1, error: result.error });
          continue;
        }
        const { measurement } = result;
        console.log(`${label}: first run ${measurement.firstRunMs.total.toFixed(0)} ms, forward ${measurement.forwardMs.median.toFixed(2)} ms (${measurement.timedRuns} runs)`);
        measured[index]![fuse ? "fused" : "unfused"].set(round, measurement);
      }
    }
  }
  const adapters = new Set(measured.flatMap(({ fused, unfused }) => [...fused.values(), ...unfused.values()].map((measurement) => measurement.adapter)));
  const results = [];
  const table = ["| network | batch | kernels | programs | activations planned (per value) | params | scratch | first run | images/s |", "|---|---|---|---|---|---|---|---|---|"];
  for (const [index, { network, batch }] of configurations.entries()) {
    const { fused, unfused } = measured[index]!;
    if (fused.size === 0 || unfused.size === 0) continue;
    const on = summarize([...fused.values()], batch);
    const off = summarize([...unfused.values()], batch);
    // Fused against the unfused process of the same round, which ran right before or after it.
    const pairs = [...fused].flatMap(([round, measurement]) => {
      const other = unfused.get(round);
      return other === undefined ? [] : [{ fused: measurement, unfused: other }];
    });
    const outputsAgree = Math.abs(on.outputAbsSum - off.outputAbsSum) <= 1e-3 * Math.max(1, Math.abs(off.outputAbsSum));
    if (!outputsAgree) failures.push({ network: network.spec, batch, fuse: true, round: 0, error: `fused and unfused outputs differ: sum |output| ${on.outputAbsSum} vs ${off.outputAbsSum}` });
    const fusedOverUnfused = {
      kernels: ratio(on.kernels, off.kernels),
      programs: ratio(on.programs, off.programs),
      plannedActivationBytes: ratio(on.memory.plannedActivationBytes, off.memory.plannedActivationBytes),
      firstRunMs: ratio(on.firstRunMs.median, off.firstRunMs.median),
      imagesPerSecond: ratio(on.imagesPerSecond.median, off.imagesPerSecond.median),
      pairedByRound: {
        firstRunMs: acrossProcesses(pairs.map((pair) => pair.fused.firstRunMs.total / pair.unfused.firstRunMs.total)),
        imagesPerSecond: acrossProcesses(pairs.map((pair) => pair.unfused.forwardMs.median / pair.fused.forwardMs.median)),
      },
    };
    results.push({ network: network.spec, batch, fused: on, unfused: off, fusedOverUnfused, outputsAgree });
    for (const [name, figures] of [["fused", on], ["unfused", off]] as const) {
      const { memory } = figures;
      table.push(
        `| ${network.spec.replace(/^.*\//, "")} ${name} | ${batch} | ${figures.kernels} | ${figures.programs} | ${bytesText(memory.plannedActivationBytes)} (${bytesText(memory.perValueActivationBytes)}; summary ${bytesText(memory.summaryActivationBytes)}) | ${bytesText(memory.paramBytes)} | ${bytesText(memory.scratchBytes)} | ` +
          `${(figures.firstRunMs.median / 1000).toFixed(2)} s (${(figures.firstRunMs.min / 1000).toFixed(2)}..${(figures.firstRunMs.max / 1000).toFixed(2)}) | ` +
          `${figures.imagesPerSecond.median.toFixed(1)} (${figures.imagesPerSecond.min.toFixed(1)}..${figures.imagesPerSecond.max.toFixed(1)}) |`,
      );
    }
    table.push(
      `| fused/unfused | | ${fusedOverUnfused.kernels} | ${fusedOverUnfused.programs} | ${fusedOverUnfused.plannedActivationBytes} | | | ` +
        `${fusedOverUnfused.firstRunMs} (paired ${pairedText(fusedOverUnfused.pairedByRound.firstRunMs)}) | ${fusedOverUnfused.imagesPerSecond} (paired ${pairedText(fusedOverUnfused.pairedByRound.imagesPerSecond)}) |`,
    );
  }
  const adapter = adapters.size === 0 ? "adapter unknown (no child process succeeded)" : [...adapters].join("; ");
  console.log(`\n${adapter}; node ${process.version}; MESA_SHADER_CACHE_DISABLE=true; medians of ${rounds} processes (range across processes);`);
  console.log(`fused/unfused: ratio of the medians (paired: median and range of the ratios within each round)\n`);
  console.log(table.join("\n"));
  mkdirSync(dirname(RESULT_PATH), { recursive: true });
  const output = {
    command: commandLine,
    date: new Date().toISOString(),
    adapter,
    node: process.version,
    environment: { MESA_SHADER_CACHE_DISABLE: "true", note: "each measurement in a fresh process: in-process pipeline cache and Mesa's disk shader cache both cold" },
    rounds,
    warmUpRuns: WARM_UP_RUNS,
    timedRuns: { max: runs, min: MIN_RUNS, secondsPerProcess: seconds },
    wallSeconds: rounded((performance.now() - benchStarted) / 1000, 1),
    loadAverage: { start: loadAtStart.map((load) => rounded(load, 2)), end: loadavg().map((load) => rounded(load, 2)) },
    results,
    failures,
  };
  writeFileSync(RESULT_PATH, `${JSON.stringify(output, null, 2)}\n`);
  console.log(`\nwrote ${RESULT_PATH}`);
  for (const failure of failures) console.error(`FAILED ${failure.network} batch ${failure.batch} ${failure.fuse ? "fused" : "unfused"}${failure.round > 0 ? ` (round ${failure.round})` : ""}: ${failure.error.split("\n").at(-1)}`);
  return failures.length === 0 ? 0 : 1;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  // A child's error reaches its parent's report through stderr: the message, not a stack trace.
  process.stderr.write(`bench/fusion.ts: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
