// `cnnc tune MODEL.cnn [--batch N] [--tune-cache PATH] [--backend B] [--no-fuse] [--retune]`: times
// the candidate schedules of every tunable kernel of the network on the device, keeps the fastest in
// the tuning cache, and prints per kernel its layers, each candidate's median time, the winner and
// its speedup over the cost model's pick (the first candidate); a finalist's time is from the
// tuner's finals (src/schedule/tune/tuner.ts). Cached kernels are not measured
// again unless --retune.
import type { Command } from "commander";
import { parseBackend } from "../../runtime/device.js";
import { compileFile } from "../compile.js";
import { CnncUserError } from "../errors.js";
import type { Schedule } from "../ir/graph.js";
import type { TunedWorkload } from "../schedule/tune/tuner.js";
import { reportCompilation } from "./diagnosticsOutput.js";
import type { CliContext } from "./io.js";
import { parseScheduleOption, SCHEDULE_OPTION_HELP } from "./scheduleOption.js";
import { type KernelWorkload, TUNE_CACHE_HELP, tuneNetwork, type TuneRun, type TuningBackend } from "./tuning.js";
import { parseCountOption } from "./wholeNumber.js";

export interface TuneCliOptions {
  batch?: string;
  tuneCache?: string;
  backend?: string;
  schedule?: string;
  fuse?: boolean;
  retune?: boolean;
}

function milliseconds(value: number): string {
  return value.toFixed(3);
}

/** One kernel's block: its layers, its candidates with their times, the winner and the speedup over the model's pick. */
function renderKernel(kernel: KernelWorkload, result: TunedWorkload, scheduleText: (schedule: Schedule) => string): string[] {
  const modelPick = result.candidates[0]!;
  const speedup = modelPick.medianMs / result.medianMs;
  // By name: a first-round time may equal the winner's, and equal times may tie.
  const winnerText = scheduleText(result.winner);
  const winnerIndex = result.candidates.findIndex((candidate) => candidate.scheduleText === winnerText);
  const width = Math.max(...result.candidates.map((candidate) => candidate.scheduleText.length), "candidate".length);
  const timeWidth = Math.max(...result.candidates.map((candidate) => milliseconds(candidate.medianMs).length), "median ms".length);
  const rows = result.candidates.map((candidate, index) => {
    const marks = [index === 0 ? "model's pick" : "", candidate.finalist === true ? "finalist" : "", index === winnerIndex ? "winner" : ""].filter((mark) => mark !== "").join(", ");
    return `  ${candidate.scheduleText.padEnd(width)}  ${milliseconds(candidate.medianMs).padStart(timeWidth)}${marks === "" ? "" : `  ${marks}`}`;
  });
  const speedupText = Number.isFinite(speedup) ? `${speedup.toFixed(2)}x the model's pick` : "the model's pick took 0 ms";
  return [
    `${kernel.kernel} (${kernel.layers.join("+")})${result.cached ? " [cached]" : ""}: ${result.candidates[winnerIndex]?.scheduleText ?? "?"}, ${milliseconds(result.medianMs)} ms, ${speedupText}`,
    `  ${"candidate".padEnd(width)}  ${"median ms".padStart(timeWidth)}`,
    ...rows,
  ];
}

/** The report of a tuning run: the adapter, then one block per kernel, then what was measured and where it is kept. */
export function renderTuneReport(
  network: string,
  batch: number,
  run: Pick<TuneRun, "kernels" | "results" | "measured"> & { adapter: string; cachePath: string },
  scheduleText: (schedule: Schedule) => string,
): string {
  const lines = [`adapter: ${run.adapter}`, `${network} at batch ${batch}: ${run.kernels.length} kernel${run.kernels.length === 1 ? "" : "s"} with a schedule to tune`, ""];
  run.kernels.forEach((kernel, index) => lines.push(...renderKernel(kernel, run.results[index]!, scheduleText), ""));
  const cached = run.results.filter((result) => result.cached).length;
  lines.push(
    run.measured === 0
      ? `nothing measured: ${cached === 0 ? "no kernel to tune" : "every workload was in the tuning cache"} (${run.cachePath})`
      : `measured ${run.measured} workload${run.measured === 1 ? "" : "s"}${cached > 0 ? ` (${cached} kernel${cached === 1 ? "" : "s"} from the cache)` : ""}; saved in ${run.cachePath}`,
  );
  return `${lines.join("\n")}\n`;
}

export async function tuneModel(file: string, options: TuneCliOptions, context: CliContext, backend: TuningBackend, cnncVersion: string): Promise<void> {
  try {
    const backendChoice = parseBackend(options.backend ?? "auto");
    const batch = parseCountOption(options.batch ?? "1", "--batch", 1);
    const schedule = options.schedule === undefined ? undefined : parseScheduleOption(options.schedule);
    const graph = reportCompilation(file, compileFile(file), context);
    if (graph === undefined) return;
    const run = await tuneNetwork(
      graph,
      {
        batch,
        backend: backendChoice,
        fuse: options.fuse !== false,
        retune: options.retune === true,
        cnncVersion,
        ...(schedule === undefined ? {} : { schedule }),
        ...(options.tuneCache === undefined ? {} : { cachePath: options.tuneCache }),
      },
      context.io,
      backend,
    );
    try {
      context.io.stdout(renderTuneReport(graph.name, batch, { ...run, adapter: run.device.description, cachePath: run.cache.path }, (schedule) => backend.scheduleText(schedule)));
    } finally {
      run.device.destroy();
    }
  } catch (error) {
    if (!(error instanceof CnncUserError)) throw error;
    context.io.stderr(`${error.describe()}\n`);
    context.setExitCode(1);
  }
}

/** Adds `cnnc tune MODEL.cnn [options]`. */
export function registerTune(program: Command, context: CliContext, backend: TuningBackend, cnncVersion: string): void {
  program
    .command("tune")
    .description("time the candidate schedules of every conv and fc kernel on the GPU and keep the fastest in the tuning cache, for `cnnc build --tune`")
    .argument("<model>", "the .cnn file")
    .option("--batch <n>", "the batch size to tune for", "1")
    .option("--tune-cache <path>", TUNE_CACHE_HELP)
    .option("--backend <name>", "auto, vulkan or opengles", "auto")
    .option("--schedule <spec>", `${SCHEDULE_OPTION_HELP} (those layers are not tuned)`)
    .option("--no-fuse", "one kernel per layer: no fusion passes")
    .option("--retune", "measure again what the cache already holds for this adapter")
    .action((model: string, options: TuneCliOptions) => tuneModel(model, options, context, backend, cnncVersion));
}
