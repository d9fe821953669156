// `cnnc build MODEL.cnn -o DIR [--batch N] [--schedule SPEC] [--no-fuse] [--tune [--tune-cache PATH]]`:
// compiles the model to a plan for one batch size and writes it as files (src/planFile/):
// DIR/kernels/*.wgsl, DIR/plan.json and DIR/README.txt, for `cnnc run DIR` (or another runtime) to
// execute without the compiler. Without --tune the schedules come from the cost model alone (the same
// plan on every machine, no device opened); with --tune the device is opened, the kernels the tuning
// cache lacks for this adapter are measured, and the plan uses the cached winners.
import { basename, join } from "node:path";
import type { Command } from "commander";
import { parseBackend } from "../../runtime/device.js";
import type { Plan } from "../codegen/plan.js";

import { buildPlan } from "../pipeline.js";
import { compileFile } from "../compile.js";
import { CnncUserError } from "../errors.js";
import { KERNELS_DIRECTORY } from "../planFile/planFormat.js";
import { writePlanDirectory } from "../planFile/writePlanDirectory.js";
import { reportCompilation } from "./diagnosticsOutput.js";
import { processIo, type CliContext, type CliIo } from "./io.js";
import { linesTo } from "./lineOutput.js";
import { parseScheduleOption, SCHEDULE_OPTION_HELP } from "./scheduleOption.js";
import { TUNE_CACHE_HELP, tuneNetwork, type TuningBackend } from "./tuning.js";
import { parseCountOption } from "./wholeNumber.js";

export interface BuildOptions {
  output: string;
  batch?: string;
  schedule?: string;
  /** false with --no-fuse. */
  fuse?: boolean;
  tune?: boolean;
  tuneCache?: string;
  backend?: string;
}

/** What --tune needs (see tuning.ts); without it `cnnc build` has no --tune. */
export interface BuildTuning {
  backend: TuningBackend;
  cnncVersion: string;
}

type Output = ReturnType<typeof linesTo>;

function reportWritten(output: Output, plan: Plan, directory: string, modelPath: string): void {
  const { written, removed } = writePlanDirectory(directory, plan, basename(modelPath));
  const kernelFiles = written.length - 2;
  output.out(`built ${plan.network} at batch ${plan.batch}: ${plan.steps.length} kernels running ${plan.programs.length} programs${plan.fused ? "" : " (not fused)"}`);
  for (const path of written.slice(kernelFiles)) output.out(`wrote ${path}`);
  output.out(`wrote ${kernelFiles} kernel file${kernelFiles === 1 ? "" : "s"} in ${join(directory, KERNELS_DIRECTORY)}`);
  if (removed.length > 0) output.out(`removed ${removed.length} kernel file${removed.length === 1 ? "" : "s"} of the previous build: ${removed.join(", ")}`);
}

/** The options that only mean something with --tune are refused without it. */
function requireTuneFor(options: BuildOptions): void {
  if (options.tune === true) return;
  for (const [given, flag] of [
    [options.tuneCache, "--tune-cache"],
    [options.backend, "--backend"],
  ] as const) {
    if (given !== undefined) throw new CnncUserError(`${flag} is used only with --tune`, { hint: `add --tune (tune the kernels on the device), or drop ${flag}` });
  }
}

/** The options both builds read, then the model compiled (its diagnostics printed; undefined graph: it does not compile). */
function compileForBuild(modelPath: string, options: BuildOptions, io: CliIo, setExitCode: (code: number) => void) {
  const batch = options.batch === undefined ? 1 : parseCountOption(options.batch, "--batch", 1);
  const schedule = options.schedule === undefined ? undefined : parseScheduleOption(options.schedule);
  const graph = reportCompilation(modelPath, compileFile(modelPath), { io, setExitCode });
  return { batch, schedule, graph };
}

/** Runs the command and returns the exit code (0 ok, 1 user error or a model that does not compile). */
export function buildModel(modelPath: string, options: BuildOptions, io: CliIo = processIo): number {
  const output = linesTo(io);
  let compileStatus = 0;
  try {
    if (options.tune === true) throw new Error("internal: build --tune goes through buildModelTuned");
    requireTuneFor(options);
    const { batch, schedule, graph } = compileForBuild(modelPath, options, io, (code) => (compileStatus = Math.max(compileStatus, code)));
    if (graph === undefined) return Math.max(compileStatus, 1);
    const plan = buildPlan(graph, batch, { fuse: options.fuse !== false, ...(schedule === undefined ? {} : { schedule }) });
    reportWritten(output, plan, options.output, modelPath);
    return compileStatus;
  } catch (error) {
    if (!(error instanceof CnncUserError)) throw error;
    output.err(error.describe());
    return 1;
  }
}

/**
 * `cnnc build --tune`: tunes what the cache lacks for this adapter on the device (tuning.ts), then
 * builds with the cached winners. Returns the exit code, as buildModel.
 */
async function buildModelTuned(modelPath: string, options: BuildOptions, io: CliIo, tuning: BuildTuning): Promise<number> {
  const output = linesTo(io);
  let compileStatus = 0;
  try {
    const backend = parseBackend(options.backend ?? "auto");
    const { batch, schedule, graph } = compileForBuild(modelPath, options, io, (code) => (compileStatus = Math.max(compileStatus, code)));
    if (graph === undefined) return Math.max(compileStatus, 1);
    const fuse = options.fuse !== false;
    const run = await tuneNetwork(
      graph,
      {
        batch,
        backend,
        fuse,
        retune: false,
        cnncVersion: tuning.cnncVersion,
        ...(schedule === undefined ? {} : { schedule }),
        ...(options.tuneCache === undefined ? {} : { cachePath: options.tuneCache }),
      },
      io,
      tuning.backend,
    );
    let plan: Plan;
    try {
      const target = run.device.target;
      plan = tuning.backend.buildPlan(graph, batch, {
        fuse,
        target,
        tuned: (key) => run.cache.lookup(target.adapter, key)?.schedule,
        ...(schedule === undefined ? {} : { schedule }),
      });
    } finally {
      run.device.destroy();
    }
    const cached = run.results.filter((result) => result.cached).length;
    output.out(
      `tuned ${run.kernels.length} kernel${run.kernels.length === 1 ? "" : "s"} for ${run.device.description}: ${run.measured} workload${run.measured === 1 ? "" : "s"} measured, ${cached} from the cache ${run.cache.path}`,
    );
    reportWritten(output, plan, options.output, modelPath);
    return compileStatus;
  } catch (error) {
    if (!(error instanceof CnncUserError)) throw error;
    output.err(error.describe());
    return 1;
  }
}

/** Adds `cnnc build MODEL.cnn -o DIR [options]`; with `tuning`, also --tune, --tune-cache and --backend. */
export function registerBuild(program: Command, context?: CliContext, tuning?: BuildTuning): void {
  const command = program
    .command("build")
    .description("compile a network to WGSL kernels and a plan (plan.json) in a directory, for `cnnc run DIR`")
    .argument("<model>", "the .cnn file")
    .requiredOption("-o, --output <dir>", "the directory to write (created; an earlier build there is replaced)")
    .option("--batch <n>", "the batch size the plan runs", "1")
    .option("--schedule <spec>", SCHEDULE_OPTION_HELP)
    .option("--no-fuse", "one kernel per layer: no fusion passes");
  if (tuning !== undefined) {
    command
      .option("--tune", "time the kernels' candidate schedules on the GPU (what the tuning cache lacks for this adapter) and build with the fastest")
      .option("--tune-cache <path>", `with --tune: ${TUNE_CACHE_HELP}`)
      .option("--backend <name>", "with --tune: auto, vulkan or opengles");
  }
  command.action(async (model: string, options: BuildOptions) => {
    const io = context?.io ?? processIo;
    const code = options.tune === true && tuning !== undefined ? await buildModelTuned(model, options, io, tuning) : buildModel(model, options, io);
    if (context === undefined) process.exitCode = Math.max(code, Number(process.exitCode ?? 0));
    else context.setExitCode(code);
  });
}
