// `cnnc build MODEL.cnn -o DIR [--batch N] [--schedule SPEC] [--no-fuse]`: compiles the model to a plan
// for one batch size and writes it as files (src/planFile/): DIR/kernels/*.wgsl, DIR/plan.json and
// DIR/README.txt, for `cnnc run DIR` (or another runtime) to execute without the compiler.
import { basename, join } from "node:path";
import type { Command } from "commander";

import { buildPlan } from "../pipeline.js";
import { compileFile } from "../compile.js";
import { CnncUserError } from "../errors.js";
import { KERNELS_DIRECTORY } from "../planFile/planFormat.js";
import { writePlanDirectory } from "../planFile/writePlanDirectory.js";
import { reportCompilation } from "./diagnosticsOutput.js";
import { processIo, type CliContext, type CliIo } from "./io.js";
import { linesTo } from "./lineOutput.js";
import { parseScheduleOption, SCHEDULE_OPTION_HELP } from "./scheduleOption.js";
import { parseCountOption } from "./wholeNumber.js";

export interface BuildOptions {
  output: string;
  batch?: string;
  schedule?: string;
  /** false with --no-fuse. */
  fuse?: boolean;
}

/** Runs the command and returns the exit code (0 ok, 1 user error or a model that does not compile). */
export function buildModel(modelPath: string, options: BuildOptions, io: CliIo = processIo): number {
  const output = linesTo(io);
  let compileStatus = 0;
  try {
    const batch = options.batch === undefined ? 1 : parseCountOption(options.batch, "--batch", 1);
    const schedule = options.schedule === undefined ? undefined : parseScheduleOption(options.schedule);
    const compilation = compileFile(modelPath);
    const graph = reportCompilation(modelPath, compilation, { io, setExitCode: (code) => (compileStatus = Math.max(compileStatus, code)) });
    if (graph === undefined) return Math.max(compileStatus, 1);
    const plan = buildPlan(graph, batch, { fuse: options.fuse !== false, ...(schedule === undefined ? {} : { schedule }) });
    const { written, removed } = writePlanDirectory(options.output, plan, basename(modelPath));
    const kernelFiles = written.length - 2;
    output.out(`built ${plan.network} at batch ${plan.batch}: ${plan.steps.length} kernels running ${plan.programs.length} programs${plan.fused ? "" : " (not fused)"}`);
    for (const path of written.slice(kernelFiles)) output.out(`wrote ${path}`);
    output.out(`wrote ${kernelFiles} kernel file${kernelFiles === 1 ? "" : "s"} in ${join(options.output, KERNELS_DIRECTORY)}`);
    if (removed.length > 0) output.out(`removed ${removed.length} kernel file${removed.length === 1 ? "" : "s"} of the previous build: ${removed.join(", ")}`);
    return compileStatus;
  } catch (error) {
    if (!(error instanceof CnncUserError)) throw error;
    output.err(error.describe());
    return 1;
  }
}

/** Adds `cnnc build MODEL.cnn -o DIR [options]`. */
export function registerBuild(program: Command, context?: CliContext): void {
  program
    .command("build")
    .description("compile a network to WGSL kernels and a plan (plan.json) in a directory, for `cnnc run DIR`")
    .argument("<model>", "the .cnn file")
    .requiredOption("-o, --output <dir>", "the directory to write (created; an earlier build there is replaced)")
    .option("--batch <n>", "the batch size the plan runs", "1")
    .option("--schedule <spec>", SCHEDULE_OPTION_HELP)
    .option("--no-fuse", "one kernel per layer: no fusion passes")
    .action((model: string, options: BuildOptions) => {
      const code = buildModel(model, options, context?.io ?? processIo);
      if (context === undefined) process.exitCode = Math.max(code, Number(process.exitCode ?? 0));
      else context.setExitCode(code);
    });
}
