// `cnnc profile MODEL.cnn [--batch N] [--runs N] [--schedule SPEC] [--no-fuse] [--seed S] [--backend B]`:
// the time of every kernel of the network's plan, mapped back to the source layers it implements,
// longest first, with its share of the total; then the total and images/s. Random inputs and seeded
// weights, as `cnnc run --random-input --seed S`.
import type { Command } from "commander";
import { openDevice, parseBackend } from "../../runtime/device.js";
import { initWeights } from "../../runtime/init.js";
import { DEFAULT_PROFILE_RUNS, profilePlan, PROFILE_WARMUP_RUNS, type PlanProfile } from "../../runtime/profile.js";
import { compileFile } from "../compile.js";
import { CnncUserError } from "../errors.js";
import type { Graph } from "../ir/graph.js";
import { formatDecimal } from "../ir/format.js";
import { graphInputs } from "../networkInputs.js";
import { buildPlan } from "../pipeline.js";
import { reportCompilation } from "./diagnosticsOutput.js";
import type { CliContext } from "./io.js";
import { checkRandomInputs, drawRandomInputs } from "./runInputs.js";
import { progressListener } from "./runResults.js";
import { parseScheduleOption, SCHEDULE_OPTION_HELP } from "./scheduleOption.js";
import { parseCountOption } from "./wholeNumber.js";
import { targetOf } from "../../runtime/target.js";

export interface ProfileCliOptions {
  batch?: string;
  runs?: string;
  schedule?: string;
  fuse?: boolean;
  seed?: string;
  backend?: string;
}

const HEADERS = ["kernel", "layers", "program", "median ms", "(min..max)", "share"] as const;
/** Columns aligned right (numbers). */
const RIGHT_ALIGNED = new Set([3, 4, 5]);

function milliseconds(value: number): string {
  return value.toFixed(3);
}

/**
 * The profile as an aligned table, then the layers no kernel computes (`unmapped`: inputs, and views
 * such as flatten, which share their input's buffer), the totals, and how the times were taken.
 */
export function renderProfile(profile: PlanProfile, adapter: string, unmapped: readonly string[]): string {
  const rows = profile.kernels.map((row) => [
    row.kernels.join(", "),
    row.layers.join("+"),
    row.programs.join(", "),
    milliseconds(row.medianMs),
    `(${milliseconds(row.minMs)}..${milliseconds(row.maxMs)})`,
    `${(row.share * 100).toFixed(1)}%`,
  ]);
  const widths = HEADERS.map((header, column) => rows.reduce((width, row) => Math.max(width, row[column]!.length), header.length));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (RIGHT_ALIGNED.has(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join("  ")
      .trimEnd();
  const kernelCount = profile.kernels.reduce((count, row) => count + row.kernels.length, 0);
  const lines = [
    `adapter: ${adapter}`,
    `${profile.network} at batch ${profile.batch}: ${kernelCount} kernels, median of ${profile.runs} runs after ${PROFILE_WARMUP_RUNS} warm-up runs`,
    "",
    line(HEADERS),
    ...rows.map(line),
    "",
    ...(unmapped.length === 0 ? [] : [`no kernel (inputs and views, which share their input's buffer): ${unmapped.join(", ")}`]),
    `total of kernels: ${milliseconds(profile.totalMs)} ms per batch of ${profile.batch} (median per run): ${formatDecimal(Math.round(profile.imagesPerSecond * 10) / 10)} images/s`,
    `timing: ${profile.method}`,
  ];
  return `${lines.join("\n")}\n`;
}

/** The graph's layers (node names) that no row of the profile lists, in graph order. */
export function layersWithoutKernel(graph: Graph, profile: PlanProfile): string[] {
  const mapped = new Set(profile.kernels.flatMap((row) => row.layers));
  return graph.nodes.map((node) => node.name).filter((name) => !mapped.has(name));
}

export async function profileModel(file: string, options: ProfileCliOptions, context: CliContext): Promise<void> {
  try {
    const backend = parseBackend(options.backend ?? "auto");
    const batch = parseCountOption(options.batch ?? "1", "--batch", 1);
    const runs = parseCountOption(options.runs ?? String(DEFAULT_PROFILE_RUNS), "--runs", 1, "10");
    const seed = parseCountOption(options.seed ?? "0", "--seed", 0);
    const schedule = options.schedule === undefined ? undefined : parseScheduleOption(options.schedule);
    const graph = reportCompilation(file, compileFile(file), context);
    if (graph === undefined) return;
    const buildOptions = { fuse: options.fuse !== false, ...(schedule === undefined ? {} : { schedule }) };
    // Built for the portable target first: a bad option or an index range is reported before a device opens.
    buildPlan(graph, batch, buildOptions);
    checkRandomInputs(graphInputs(graph), batch);
    const weights = initWeights(graph, seed);
    const gpu = await openDevice({ backend });
    try {
      const plan = buildPlan(graph, batch, { ...buildOptions, target: targetOf(gpu) });
      const inputs = drawRandomInputs(graphInputs(graph), batch, seed);
      const profile = await profilePlan(gpu, plan, weights, { inputs, runs, progress: progressListener(context.io) });
      context.io.status?.(undefined);
      context.io.stdout(renderProfile(profile, gpu.description, layersWithoutKernel(graph, profile)));
    } finally {
      context.io.status?.(undefined);
      gpu.destroy();
    }
  } catch (error) {
    if (!(error instanceof CnncUserError)) throw error;
    context.io.stderr(`${error.describe()}\n`);
    context.setExitCode(1);
  }
}

export function registerProfile(program: Command, context: CliContext): void {
  program
    .command("profile")
    .description("time every kernel of the network on the GPU, mapped back to its layers, longest first")
    .argument("<model>", "the .cnn file")
    .option("--batch <n>", "batch size", "1")
    .option("--runs <n>", `timed runs (the median is shown), after ${PROFILE_WARMUP_RUNS} warm-up runs`, String(DEFAULT_PROFILE_RUNS))
    .option("--schedule <spec>", SCHEDULE_OPTION_HELP)
    .option("--no-fuse", "one kernel per layer (what the fusion passes are compared against)")
    .option("--seed <n>", "seed of the weights and of the random input", "0")
    .option("--backend <name>", "auto, vulkan or opengles", "auto")
    .action((model: string, options: ProfileCliOptions) => profileModel(model, options, context));
}
