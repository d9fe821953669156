// `cnnc run MODEL.cnn`: compile, run forward on the GPU, print the adapter, the output shape and a
// preview, write outputs and weights when asked, and with --check compare against the CPU reference.
import type { Command } from "commander";

import { statSync } from "node:fs";

import { readWeightsFile } from "../../runtime/training/checkpoint.js";
import { checkSessionInputs, createSession, type Session } from "../../runtime/session.js";
import { CHECK_TOLERANCE_TEXT } from "../../runtime/compareOutputs.js";
import { parseBackend } from "../../runtime/device.js";
import { buildPlan } from "../pipeline.js";
import { compileFile } from "../compile.js";
import { CnncUserError } from "../errors.js";
import type { Graph } from "../ir/graph.js";
import { graphInputs } from "../networkInputs.js";
import { checkReferenceFits } from "../reference/value.js";
import type { Tensor, WeightMap } from "../tensor.js";
import { checkOutputs } from "./checkOutputs.js";
import { reportCompilation } from "./diagnosticsOutput.js";
import { processIo, type CliContext, type CliIo } from "./io.js";
import { linesTo, type LineOutput } from "./lineOutput.js";
import { type FileRead, type OutputFiles, planOutputFiles } from "./outputFiles.js";
import { runPlanDirectory } from "./runPlan.js";
import { checkInputChoice, checkRandomInputs, drawRandomInputs, type InputFile, matchInputFiles, readInputFiles } from "./runInputs.js";
import { progressListener, reportRunResults } from "./runResults.js";
import { parseScheduleOption, SCHEDULE_OPTION_HELP } from "./scheduleOption.js";
import { parseCountOption } from "./wholeNumber.js";

export interface RunOptions {
  weights?: string;
  /** `X.npy` for a one-input network, `name=X.npy` per input otherwise. */
  input?: string[];
  randomInput?: boolean;
  batch?: string;
  seed?: string;
  output?: string;
  saveWeights?: string;
  check?: boolean;
  backend?: string;
  schedule?: string;
  /** false with --no-fuse: one kernel per layer. */
  fuse?: boolean;
}

/** Every file this run reads, so that no output overwrites one. */
function filesRead(modelPath: string, sources: Iterable<string>, inputs: readonly InputFile[], options: RunOptions): FileRead[] {
  return [
    { path: modelPath, role: "the model source" },
    ...[...sources].filter((path) => path !== modelPath).map((path) => ({ path, role: "a file the model `use`s" })),
    ...inputs.map(({ path }) => ({ path, role: "the --input file" })),
    ...(options.weights === undefined ? [] : [{ path: options.weights, role: "the --weights file" }]),
  ];
}

/** The given inputs, or undefined for --random-input (drawn once the device is ready). */
type GivenInputs = Map<string, Tensor> | undefined;

async function runWithSession(
  graph: Graph,
  session: Session,
  given: GivenInputs,
  batch: number,
  seed: number,
  options: RunOptions,
  files: OutputFiles,
  output: LineOutput,
): Promise<number> {
  output.out(`adapter: ${session.adapterDescription}`);
  // The device's limits are checked as the executor is prepared, before random inputs are drawn.
  const prepareStarted = performance.now();
  await session.prepare(batch);
  const prepareMilliseconds = performance.now() - prepareStarted;
  const inputs = given ?? drawRandomInputs(graphInputs(graph), batch, seed);
  const started = performance.now();
  const outputs = await session.run(inputs);
  const milliseconds = prepareMilliseconds + performance.now() - started;
  const kernels = session.planFor(batch).steps.length;
  const scans = reportRunResults({ network: graph.name, batch, kernels, milliseconds, outputs, weights: session.weights }, files, output, {
    checking: options.check === true,
  });
  if (options.check !== true) return 0;
  return (await checkOutputs(session, inputs, outputs, output, scans)) ? 0 : 1;
}

/** Runs the command and returns the exit code (0 ok, 1 user error or failed --check). */
export async function runModel(modelPath: string, options: RunOptions, io: CliIo = processIo): Promise<number> {
  const output = linesTo(io);
  let compileStatus = 0;
  try {
    const backend = parseBackend(options.backend ?? "auto");
    const seed = options.seed === undefined ? 0 : parseCountOption(options.seed, "--seed", 0);
    const batchOption = options.batch === undefined ? undefined : parseCountOption(options.batch, "--batch", 1);
    const compilation = compileFile(modelPath);
    const compiled = reportCompilation(modelPath, compilation, {
      io,
      setExitCode: (code) => (compileStatus = Math.max(compileStatus, code)),
    });
    if (compiled === undefined) return Math.max(compileStatus, 1);
    const graph = compiled;
    // --schedule is choose-schedules' option: validated (with every bad entry named) as the plan is built.
    const schedule = options.schedule === undefined ? undefined : parseScheduleOption(options.schedule);
    const buildOptions = { fuse: options.fuse !== false, ...(schedule === undefined ? {} : { schedule }) };
    checkInputChoice(graphInputs(graph), options);
    const inputFiles = matchInputFiles(graph.name, graphInputs(graph), options.input ?? []);
    // Where the results go is checked before any work, so a bad path costs nothing.
    const outputNames = graph.outputs.map((id) => graph.nodes[id]!.name);
    const files = planOutputFiles(options, outputNames, filesRead(modelPath, compilation.sources.keys(), inputFiles, options));

    // Bad files and sizes are reported before a device is opened and weights are drawn.
    let weights: WeightMap | undefined;
    if (options.weights !== undefined) weights = readWeightsFile(options.weights);
    const given = inputFiles.length === 0 ? undefined : readInputFiles(inputFiles, batchOption);
    const batch = given === undefined ? (batchOption ?? 1) : checkSessionInputs(graph, given).batch;
    // The kernels' index range and the schedule option are checked before the device, for the portable
    // target; the session then builds its plan for the device's.
    buildPlan(graph, batch, buildOptions);
    if (given === undefined) checkRandomInputs(graphInputs(graph), batch);
    if (options.check === true) checkReferenceFits(graph, batch);

    const progress = progressListener(io);
    const session = await createSession(graph, { weights, weightsSource: options.weights, seed, backend, progress, ...buildOptions });
    try {
      return await runWithSession(graph, session, given, batch, seed, options, files, output);
    } finally {
      io.status?.(undefined);
      session.destroy();
    }
  } catch (error) {
    if (!(error instanceof CnncUserError)) throw error;
    output.err(error.describe());
    return 1;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false; // compiling it reports what is wrong with the path
  }
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Adds `cnnc run MODEL.cnn [options]`; output and exit status go through `context` when given. */
export function registerRun(program: Command, context?: CliContext): void {
  program
    .command("run")
    .description("run a network forward on the GPU (and check it against the CPU reference with --check)")
    .argument("<model>", "the .cnn file, or a directory `cnnc build` wrote")
    .option("--weights <file>", "weights in safetensors (PyTorch state_dict names); default: initialized from --seed")
    .option("--input <file>", "input .npy (float32, NCHW); `name=file.npy` per input for several inputs", collect)
    .option("--random-input", "use a random normal input (from --seed) instead of --input")
    .option("--batch <n>", "batch size of --random-input (with --input: must match the file)")
    .option("--seed <n>", "seed of the initial weights and of --random-input", "0")
    .option("--output <file>", "write the output as .npy (several outputs: <file>.<name>.npy)")
    .option("--save-weights <file>", "write the weights used as safetensors")
    .option("--check", `compare with the CPU reference; fail on NaN/Inf or above the tolerance (${CHECK_TOLERANCE_TEXT})`)
    .option("--backend <name>", "auto, vulkan or opengles", "auto")
    .option("--schedule <spec>", SCHEDULE_OPTION_HELP)
    .option("--no-fuse", "one kernel per layer (what the fusion passes are compared against)")
    .action(async (model: string, options: RunOptions) => {
      const io = context?.io ?? processIo;
      const code = isDirectory(model) ? await runPlanDirectory(model, options, io) : await runModel(model, options, io);
      if (context === undefined) process.exitCode = Math.max(code, Number(process.exitCode ?? 0));
      else context.setExitCode(code);
    });
}
