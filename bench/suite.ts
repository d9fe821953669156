// The benchmark suite (`npm run bench`): cnnc against TensorFlow.js's WebGPU backend on the same Dawn
// adapter in this one process. Per-layer schedule tables, whole-network inference, training steps and
// the fusion effect, written as JSON, Markdown and an SVG chart with the machine, adapter and versions,
// and the issue's summary checks computed from the data (bench/suite/*.ts).
//
//   npm run bench [-- --quick] [-- --rounds N] [-- --out DIR]
//       writes DIR/<YYYY-MM-DD>-<adapter-slug>.{json,md,svg}; DIR defaults to bench/results, or
//       bench/results/quick (ignored by git) with --quick: 2 layers at batch 1, LeNet-5 and FashionCNN
//       at batch 1, one training comparison, in under 2 minutes (CI runs it without judging times)
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { targetOf } from "../runtime/target.js";

import { openTfjsWebgpu } from "./peers/tfjsWebgpu.js";
import { summaryChecks } from "./suite/checks.js";
import { adapterSlug, suiteEnvironment } from "./suite/environment.js";
import { fusionEffect } from "./suite/fusionEffect.js";
import { LAYER_CASES, measureLayer } from "./suite/layers.js";
import { markdownReport } from "./suite/markdown.js";
import { loadNetwork, measureNetwork, type NetworkCase } from "./suite/networks.js";
import type { SuiteResults } from "./suite/results.js";
import { svgChart } from "./suite/svgChart.js";
import { measureTraining } from "./suite/training.js";

process.env.EGL_PLATFORM ??= "surfaceless";

const FULL_NETWORKS: NetworkCase[] = [
  { name: "LeNet-5", file: "examples/lenet5.cnn", batches: [1, 64] },
  { name: "FashionCNN", file: "examples/fashion_cnn.cnn", batches: [1, 64] },
  { name: "VGG (CIFAR, VGG-11 halved)", file: "bench/networks/vgg_cifar.cnn", batches: [1, 64] },
  { name: "ResNet-18 @64x64", file: "bench/networks/resnet18_64.cnn", batches: [1, 64] },
];
const QUICK_NETWORKS: NetworkCase[] = FULL_NETWORKS.slice(0, 2).map((network) => ({ ...network, batches: [1] }));
const TRAINING_FILES = ["examples/fashion_cnn.cnn", "examples/lenet5_fashion.cnn"];
const LAYER_BATCHES = [1, 16];
const QUICK_LAYERS = ["LeNet-5 C1 5x5 1->6 @32", "VGG 3x3 3->64 @32"];

interface Options {
  quick: boolean;
  rounds: number;
  out: string;
}

function parseArguments(args: readonly string[]): Options {
  const options: Options = { quick: false, rounds: 7, out: "" };
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === "--quick") options.quick = true;
    else if (arg === "--rounds") {
      const value = Number(args[++index]);
      if (!Number.isInteger(value) || value < 1) throw new Error(`--rounds takes a positive integer, got \`${args[index] ?? ""}\``);
      options.rounds = value;
    } else if (arg === "--out") {
      const value = args[++index];
      if (value === undefined || value === "") throw new Error("--out takes a directory");
      options.out = value;
    } else throw new Error(`unknown option ${arg}; usage: npm run bench -- [--quick] [--rounds N] [--out DIR]`);
  }
  if (options.out === "") options.out = options.quick ? "bench/results/quick" : "bench/results";
  if (options.quick && !args.includes("--rounds")) options.rounds = 3;
  return options;
}

const log = (line: string): void => void process.stderr.write(`${line}\n`);

async function main(args: readonly string[]): Promise<number> {
  const options = parseArguments(args);
  const started = performance.now();
  const peer = await openTfjsWebgpu();
  const results: SuiteResults = {
    environment: suiteEnvironment(peer, `npm run bench${args.length === 0 ? "" : ` -- ${args.join(" ")}`}`),
    quick: options.quick,
    rounds: options.rounds,
    wallSeconds: 0,
    layers: [],
    networks: [],
    training: [],
    fusion: [],
    failures: [],
  };
  log(`adapter: ${peer.description}`);
  // A part that throws is recorded and the suite goes on: a failure is reported, never a silent gap.
  const attempt = async (part: string, what: string, work: () => Promise<void>): Promise<void> => {
    try {
      await work();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log(`FAILED ${part} ${what}: ${message}`);
      results.failures.push({ part, what, error: message });
    }
  };
  try {
    const layers = options.quick ? LAYER_CASES.filter((layer) => QUICK_LAYERS.includes(layer.name)) : LAYER_CASES;
    for (const batch of options.quick ? [1] : LAYER_BATCHES) {
      for (const layer of layers) {
        await attempt("layers", `${layer.name} batch ${batch}`, async () => {
          const result = await measureLayer(peer, layer, batch, options.rounds);
          results.layers.push(result);
          const disagreeing = [...result.schedules.filter((schedule) => !schedule.agrees).map((schedule) => `cnnc ${schedule.label}`), ...(result.tfjs.maxAbsError !== undefined && !result.tfjs.agrees ? ["tfjs"] : [])];
          if (disagreeing.length > 0) throw new Error(`outputs disagree: ${disagreeing.join(", ")} (see the table)`);
          log(`layer ${layer.name} @${batch}: ${result.schedules.map((s) => `${s.label} kernels ${s.kernel.medianMs} ms, run ${s.medianMs} ms`).join("; ")}; tfjs run ${result.tfjs.time?.medianMs ?? result.tfjs.note} ms`);
        });
      }
    }
    for (const network of options.quick ? QUICK_NETWORKS : FULL_NETWORKS) {
      for (const batch of network.batches) {
        await attempt("networks", `${network.name} batch ${batch}`, async () => {
          const result = await measureNetwork(peer, network, batch, options.rounds);
          results.networks.push(result);
          const disagreeing = result.configurations.filter((configuration) => configuration.note?.includes("disagrees") === true || configuration.note?.includes("WebGPU errors") === true);
          if (disagreeing.length > 0) throw new Error(disagreeing.map((configuration) => `${configuration.name}: ${configuration.note}`).join("; "));
          log(`network ${network.name} @${batch}: ${result.configurations.map((c) => `${c.name} ${c.time?.imagesPerSecond ?? "-"} img/s`).join(", ")}`);
        });
        await attempt("fusion", `${network.name} batch ${batch}`, async () => {
          results.fusion.push(fusionEffect(loadNetwork(network.file), batch, targetOf(peer.gpu)));
        });
      }
    }
    for (const file of options.quick ? TRAINING_FILES.slice(0, 1) : TRAINING_FILES) {
      await attempt("training", file, async () => {
        const result = await measureTraining(peer, file, 64, options.quick ? 2 : options.rounds, options.quick ? 2 : 5);
        results.training.push(result);
        if (!result.firstLoss.agrees) throw new Error(result.note ?? "the first-step losses differ");
        log(`training ${result.network} @64: cnnc ${result.cnnc.imagesPerSecond} img/s, tfjs ${result.tfjs?.imagesPerSecond ?? result.note} img/s`);
      });
    }
  } finally {
    peer.destroy();
  }
  results.wallSeconds = Number(((performance.now() - started) / 1000).toFixed(1));
  mkdirSync(options.out, { recursive: true });
  const base = join(options.out, `${results.environment.date.slice(0, 10)}-${adapterSlug(results.environment.adapter)}`);
  writeFileSync(`${base}.json`, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(`${base}.md`, markdownReport(results));
  writeFileSync(`${base}.svg`, svgChart(results));
  for (const check of summaryChecks(results)) log(`${check.met ? "met" : "NOT MET"}: ${check.name} (${check.detail})`);
  log(`wrote ${base}.json, .md, .svg in ${results.wallSeconds} s`);
  // Unmet checks are findings, not failures; a part that could not run is a failure.
  return results.failures.length === 0 ? 0 : 1;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`bench/suite.ts: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
}
