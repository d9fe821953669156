// `cnnc run MODEL.cnn`: compile, run forward on the GPU, print the adapter, the output shape and a
// preview, write outputs and weights when asked, and with --check compare against the CPU reference.
import type { Command } from "commander";

import { writeNpyFile } from "../../runtime/npy.js";
import { readSafetensorsFile, writeSafetensorsFile } from "../../runtime/safetensors.js";
import { checkSessionInputs, createSession, type Session } from "../../runtime/session.js";
import { CHECK_TOLERANCE_TEXT } from "../../runtime/compareOutputs.js";
import { parseBackend } from "../../runtime/device.js";
import { describeProgress, type KernelProgress } from "../../runtime/progress.js";
import { buildPlan } from "../pipeline.js";
import { compileFile } from "../compile.js";
import { CnncUserError } from "../errors.js";
import type { Graph } from "../ir/graph.js";
import { checkReferenceFits } from "../reference/value.js";
import type { Tensor, WeightMap } from "../tensor.js";
import { checkOutputs, scanOutputs, warnNonFiniteOutputs } from "./checkOutputs.js";
import { reportCompilation } from "./diagnosticsOutput.js";
import { processIo, type CliContext, type CliIo } from "./io.js";
import { linesTo, type LineOutput } from "./lineOutput.js";
import { type FileRead, type OutputFiles, planOutputFiles } from "./outputFiles.js";
import { previewOutput } from "./outputPreview.js";
import { checkRandomInputs, drawRandomInputs, type InputFile, matchInputFiles, readInputFiles } from "./runInputs.js";
import { applyScheduleOption, SCHEDULE_OPTION_HELP } from "./scheduleOption.js";
import { parseWholeNumber } from "./wholeNumber.js";

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
}

/** A whole-number option's value (see parseWholeNumber), or a CnncUserError naming it. */
function parseCount(text: string, option: string, minimum: number): number {
  const parsed = parseWholeNumber(text, minimum);
  if ("requirement" in parsed) throw new CnncUserError(`${option} must be ${parsed.requirement}, got \`${text}\``);
  return parsed.value;
}

/** --input or --random-input: exactly one of them. */
function checkInputChoice(graph: Graph, options: RunOptions): void {
  const files = options.input ?? [];
  if (files.length > 0 && options.randomInput === true) {
    throw new CnncUserError("--input and --random-input exclude each other", { hint: "give one of them" });
  }
  if (files.length === 0 && options.randomInput !== true) {
    const first = graph.nodes[graph.inputs[0]!]!;
    throw new CnncUserError("no input given", {
      hint: `pass --input X.npy (float32, shape [N, ${first.shape.join(", ")}]) or --random-input`,
    });
  }
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
  const inputs = given ?? drawRandomInputs(graph, batch, seed);
  const started = performance.now();
  const outputs = await session.run(inputs);
  const milliseconds = prepareMilliseconds + performance.now() - started;
  output.out(
    `ran ${graph.name} at batch ${batch}: ${session.planFor(batch).steps.length} kernels, ${milliseconds.toFixed(0)} ms (first run, includes compiling the kernels)`,
  );
  for (const [name, tensor] of outputs) for (const line of previewOutput(name, tensor)) output.out(line);
  const scans = scanOutputs(outputs);
  // NaN/Inf in an output is a warning (exit 0) for a plain run; --check explains it and fails.
  if (options.check !== true) warnNonFiniteOutputs(outputs, output, scans);
  for (const [name, tensor] of outputs) {
    const path = files.outputs.get(name);
    if (path === undefined) continue;
    writeNpyFile(path, tensor);
    output.out(`wrote ${path}`);
  }
  if (files.weights !== undefined) {
    writeSafetensorsFile(files.weights, session.weights, { network: graph.name });
    output.out(`wrote ${files.weights} (${session.weights.size} tensors)`);
  }
  if (options.check !== true) return 0;
  return (await checkOutputs(session, inputs, outputs, output, scans)) ? 0 : 1;
}

/** Runs the command and returns the exit code (0 ok, 1 user error or failed --check). */
export async function runModel(modelPath: string, options: RunOptions, io: CliIo = processIo): Promise<number> {
  const output = linesTo(io);
  let compileStatus = 0;
  try {
    const backend = parseBackend(options.backend ?? "auto");
    const seed = options.seed === undefined ? 0 : parseCount(options.seed, "--seed", 0);
    const batchOption = options.batch === undefined ? undefined : parseCount(options.batch, "--batch", 1);
    const compilation = compileFile(modelPath);
    const compiled = reportCompilation(modelPath, compilation, {
      io,
      setExitCode: (code) => (compileStatus = Math.max(compileStatus, code)),
    });
    if (compiled === undefined) return Math.max(compileStatus, 1);
    const graph = options.schedule === undefined ? compiled : applyScheduleOption(compiled, options.schedule);
    checkInputChoice(graph, options);
    const inputFiles = matchInputFiles(graph, options.input ?? []);
    // Where the results go is checked before any work, so a bad path costs nothing.
    const outputNames = graph.outputs.map((id) => graph.nodes[id]!.name);
    const files = planOutputFiles(options, outputNames, filesRead(modelPath, compilation.sources.keys(), inputFiles, options));

    // Bad files and sizes are reported before a device is opened and weights are drawn.
    let weights: WeightMap | undefined;
    if (options.weights !== undefined) weights = readSafetensorsFile(options.weights);
    const given = inputFiles.length === 0 ? undefined : readInputFiles(inputFiles, batchOption);
    const batch = given === undefined ? (batchOption ?? 1) : checkSessionInputs(graph, given).batch;
    const plan = buildPlan(graph, batch); // the kernels' index range
    if (given === undefined) checkRandomInputs(graph, batch);
    if (options.check === true) checkReferenceFits(graph, batch);

    const status = io.status?.bind(io);
    // The line is cleared after the last kernel's first run, before the run's own lines are printed.
    const progress =
      status === undefined
        ? undefined
        : (event: KernelProgress) => {
            if (!event.finished) status(describeProgress(event));
            else if (event.phase === "first run") status(undefined);
          };
    const session = await createSession(graph, { weights, weightsSource: options.weights, seed, backend, progress, plans: [plan] });
    try {
      return await runWithSession(graph, session, given, batch, seed, options, files, output);
    } finally {
      status?.(undefined);
      session.destroy();
    }
  } catch (error) {
    if (!(error instanceof CnncUserError)) throw error;
    output.err(error.describe());
    return 1;
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
    .argument("<model>", "the .cnn file")
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
    .action(async (model: string, options: RunOptions) => {
      const code = await runModel(model, options, context?.io ?? processIo);
      if (context === undefined) process.exitCode = Math.max(code, Number(process.exitCode ?? 0));
      else context.setExitCode(code);
    });
}
