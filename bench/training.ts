// Training speed on this machine's adapter: images/s of a whole training step (forward, loss, backward,
// optimizer update) at batch 64, for each network fused and `--no-fuse` (one kernel per layer), side
// by side in one process. Each round times `--steps` steps of every configuration (the order flipping
// every round, so that the machine's noise hits both alike), synchronized by reading the metrics back
// (the GPU has then finished every step). Warm-up steps (shader compilation) are excluded. Verdicts are
// medians across rounds with their range, and the fused/unfused ratio of each round (paired).
//
//   npx tsx bench/training.ts [--rounds 5] [--steps 20] [--batch 64] [NET.cnn ...]
//       networks default to examples/fashion_cnn.cnn and examples/lenet5_fashion.cnn
//       writes bench/results/training.json
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname } from "node:path";
import { compileFile } from "../src/compile.js";
import { formatDiagnostics } from "../grammar/diagnostics.js";
import type { Graph } from "../src/ir/graph.js";
import { shapeSize } from "../src/ir/graph.js";
import { openDevice, type GpuContext } from "../runtime/device.js";
import { initWeights, randomNormalTensor } from "../runtime/init.js";
import { Trainer } from "../runtime/training/trainer.js";

const RESULT_PATH = "bench/results/training.json";
const WARM_UP_STEPS = 3;

interface Options {
  rounds: number;
  steps: number;
  batch: number;
  networks: string[];
}

function parseArguments(args: string[]): Options {
  const options: Options = { rounds: 5, steps: 20, batch: 64, networks: [] };
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    const value = (): number => {
      const parsed = Number(args[++index]);
      if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`${arg} takes a positive integer`);
      return parsed;
    };
    if (arg === "--rounds") options.rounds = value();
    else if (arg === "--steps") options.steps = value();
    else if (arg === "--batch") options.batch = value();
    else if (arg.startsWith("--")) throw new Error(`unknown option ${arg}`);
    else options.networks.push(arg);
  }
  if (options.networks.length === 0) options.networks = ["examples/fashion_cnn.cnn", "examples/lenet5_fashion.cnn"];
  return options;
}

function compileNetwork(path: string): Graph {
  const result = compileFile(path);
  if (result.graph === undefined) throw new Error(formatDiagnostics(result.diagnostics, result.sources));
  return result.graph;
}

interface Spread {
  median: number;
  min: number;
  max: number;
}

function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  const median = sorted.length % 2 === 1 ? sorted[Math.floor(middle)]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

async function makeTrainer(gpu: GpuContext, graph: Graph, batch: number, fuse: boolean): Promise<{ trainer: Trainer; kernels: number; compileSeconds: number }> {
  const train = graph.train;
  const started = performance.now();
  const trainer = await Trainer.create(gpu, graph, initWeights(graph, 1), {
    loss: train?.loss ?? "cross_entropy",
    optimizer: train?.optimizer ?? { kind: "sgd", momentum: 0.9 },
    learningRate: train?.learningRate ?? 0.01,
    schedule: train?.schedule ?? { kind: "constant" },
    warmupEpochs: 0,
    batch,
    seed: 1,
    stepsPerEpoch: 1000,
    totalSteps: 1000,
    fuse,
  });
  const input = graph.nodes[graph.inputs[0]!]!;
  const images = randomNormalTensor([batch, ...input.shape], 2, "bench").data;
  const classes = shapeSize(graph.nodes[graph.outputs[0]!]!.shape);
  const labels = Int32Array.from({ length: batch }, (_, n) => n % classes);
  for (let step = 0; step < WARM_UP_STEPS; step++) await trainer.step({ images, labels });
  await trainer.metrics();
  return { trainer, kernels: trainer.trainPlan.steps.length, compileSeconds: (performance.now() - started) / 1000 };
}

async function timeSteps(trainer: Trainer, graph: Graph, batch: number, steps: number): Promise<number> {
  const input = graph.nodes[graph.inputs[0]!]!;
  const images = randomNormalTensor([batch, ...input.shape], 3, "bench").data;
  const classes = shapeSize(graph.nodes[graph.outputs[0]!]!.shape);
  const labels = Int32Array.from({ length: batch }, (_, n) => (n * 3) % classes);
  const started = performance.now();
  for (let step = 0; step < steps; step++) await trainer.step({ images, labels });
  const metrics = await trainer.metrics();
  const seconds = (performance.now() - started) / 1000;
  if (!Number.isFinite(metrics.loss)) throw new Error(`the loss went non-finite while timing ${graph.name}`);
  return (steps * batch) / seconds;
}

async function main(): Promise<void> {
  const options = parseArguments(process.argv.slice(2));
  const gpu = await openDevice();
  const results = [];
  for (const path of options.networks) {
    const graph = compileNetwork(path);
    const configurations = [];
    for (const fuse of [true, false]) configurations.push({ fuse, ...(await makeTrainer(gpu, graph, options.batch, fuse)), samples: [] as number[] });
    const ratios: number[] = [];
    for (let round = 0; round < options.rounds; round++) {
      const order = round % 2 === 0 ? configurations : [...configurations].reverse();
      for (const configuration of order) configuration.samples.push(await timeSteps(configuration.trainer, graph, options.batch, options.steps));
      ratios.push(configurations[0]!.samples[round]! / configurations[1]!.samples[round]!);
      process.stderr.write(`${graph.name} round ${round + 1}: fused ${configurations[0]!.samples[round]!.toFixed(0)} img/s, unfused ${configurations[1]!.samples[round]!.toFixed(0)} img/s\n`);
    }
    for (const configuration of configurations) await configuration.trainer.destroy();
    results.push({
      network: graph.name,
      file: path,
      batch: options.batch,
      configurations: configurations.map(({ fuse, kernels, compileSeconds, samples }) => ({
        fused: fuse,
        kernelsPerStep: kernels,
        compileAndWarmUpSeconds: Number(compileSeconds.toFixed(2)),
        imagesPerSecond: spread(samples),
      })),
      fusedOverUnfused: spread(ratios),
    });
  }
  const record = {
    benchmark: "training step images/s, fused vs --no-fuse",
    command: `npx tsx bench/training.ts ${process.argv.slice(2).join(" ")}`.trim(),
    date: new Date().toISOString(),
    machine: { adapter: gpu.description, backend: gpu.backend, node: process.version, loadAverage: loadavg() },
    rounds: options.rounds,
    stepsPerRound: options.steps,
    results,
  };
  mkdirSync(dirname(RESULT_PATH), { recursive: true });
  writeFileSync(RESULT_PATH, `${JSON.stringify(record, null, 2)}\n`);
  for (const result of results) {
    const [fused, unfused] = result.configurations;
    process.stdout.write(
      `${result.network} batch ${result.batch}: fused ${fused!.imagesPerSecond.median.toFixed(0)} img/s (${fused!.kernelsPerStep} kernels/step), ` +
        `unfused ${unfused!.imagesPerSecond.median.toFixed(0)} img/s (${unfused!.kernelsPerStep}), ratio ${result.fusedOverUnfused.median.toFixed(2)} ` +
        `[${result.fusedOverUnfused.min.toFixed(2)}, ${result.fusedOverUnfused.max.toFixed(2)}]\n`,
    );
  }
  gpu.device.destroy();
}

await main();
