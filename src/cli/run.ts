// `cnnc run MODEL.cnn`: compile, run forward on the GPU, print the adapter, the output shape and a
// preview, write outputs and weights when asked, and with --check compare against the CPU reference.
import type { Command } from "commander";

import { randomNormalTensor } from "../../runtime/init.js";
import { readNpy, writeNpyFile } from "../../runtime/npy.js";
import { readSafetensorsFile, writeSafetensorsFile } from "../../runtime/safetensors.js";
import { checkSessionInputs, createSession, type Session } from "../../runtime/session.js";
import { CHECK_TOLERANCE_TEXT } from "../../runtime/compareOutputs.js";
import { parseBackend } from "../../runtime/device.js";
import { describeProgress, type KernelProgress } from "../../runtime/progress.js";
import { compileFile } from "../compile.js";
import { CnncUserError } from "../errors.js";
import { checkHostBatch } from "../hostLimits.js";
import { shapeSize, type Graph } from "../ir/graph.js";
import { checkReferenceFits } from "../reference/value.js";
import type { Tensor, WeightMap } from "../tensor.js";
import { checkOutputs, warnNonFiniteOutputs } from "./checkOutputs.js";
import { reportCompilation } from "./diagnosticsOutput.js";
import { processIo, type CliContext, type CliIo } from "./io.js";
import { linesTo, type LineOutput } from "./lineOutput.js";
import { type FileRead, type OutputFiles, planOutputFiles } from "./outputFiles.js";
import { previewOutput } from "./outputPreview.js";
import { applyScheduleOption, SCHEDULE_OPTION_HELP } from "./scheduleOption.js";

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

function parseCount(text: string, option: string, minimum: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < minimum) {
    throw new CnncUserError(`${option} must be an integer >= ${minimum}, got \`${text}\``);
  }
  return value;
}

/** `X.npy` or `name=X.npy` (a `/` before the `=` makes it part of a path). */
function parseInputSpec(spec: string): { name?: string; path: string } {
  const equals = spec.indexOf("=");
  const named = equals > 0 && !spec.slice(0, equals).includes("/");
  return named ? { name: spec.slice(0, equals), path: spec.slice(equals + 1) } : { path: spec };
}

/**
 * The input tensors by input name, read from the --input files, or undefined for --random-input (made
 * by randomInputs once the batch is known to fit).
 */
function loadInputs(graph: Graph, options: RunOptions): Map<string, Tensor> | undefined {
  const inputNodes = graph.inputs.map((id) => graph.nodes[id]!);
  const files = options.input ?? [];
  if (files.length > 0 && options.randomInput === true) {
    throw new CnncUserError("--input and --random-input exclude each other", { hint: "give one of them" });
  }
  if (files.length === 0 && options.randomInput !== true) {
    throw new CnncUserError("no input given", {
      hint: `pass --input X.npy (float32, shape [N, ${inputNodes[0]!.shape.join(", ")}]) or --random-input`,
    });
  }
  if (options.randomInput === true) return undefined;
  const inputs = new Map<string, Tensor>();
  for (const spec of files) {
    const { path, name: given } = parseInputSpec(spec);
    let name = given;
    if (name === undefined) {
      if (inputNodes.length !== 1) {
        throw new CnncUserError(`the network has ${inputNodes.length} inputs; name each file`, {
          hint: `use ${inputNodes.map((node) => `--input ${node.name}=FILE.npy`).join(" ")}`,
        });
      }
      name = inputNodes[0]!.name;
    }
    if (inputs.has(name)) throw new CnncUserError(`input \`${name}\` is given twice`);
    inputs.set(name, readNpy(path));
  }
  if (options.batch !== undefined) {
    const batch = parseCount(options.batch, "--batch", 1);
    for (const [name, tensor] of inputs) {
      if (tensor.shape[0] !== batch) {
        throw new CnncUserError(`--batch ${batch} does not match input \`${name}\`, whose batch (first) dimension is ${tensor.shape[0]}`, {
          hint: "leave out --batch: the batch is taken from the input file",
        });
      }
    }
  }
  return inputs;
}

/** --random-input: a seeded N(0, 1) tensor per input, each checked against the host's limits first. */
function randomInputs(graph: Graph, batch: number, seed: number): Map<string, Tensor> {
  const nodes = graph.inputs.map((id) => graph.nodes[id]!);
  for (const node of nodes) checkHostBatch(`random input ${node.name} [N, ${node.shape.join(", ")}]`, shapeSize(node.shape), batch, "float32");
  return new Map(nodes.map((node) => [node.name, randomNormalTensor([batch, ...node.shape], seed, `input:${node.name}`)] as const));
}

/** Every file this run reads, so that no output overwrites one. */
function filesRead(modelPath: string, sources: Iterable<string>, options: RunOptions): FileRead[] {
  return [
    { path: modelPath, role: "the model source" },
    ...[...sources].filter((path) => path !== modelPath).map((path) => ({ path, role: "a file the model `use`s" })),
    ...(options.input ?? []).map((spec) => ({ path: parseInputSpec(spec).path, role: "the --input file" })),
    ...(options.weights === undefined ? [] : [{ path: options.weights, role: "the --weights file" }]),
  ];
}

async function runWithSession(
  graph: Graph,
  session: Session,
  inputs: Map<string, Tensor>,
  options: RunOptions,
  files: OutputFiles,
  output: LineOutput,
): Promise<number> {
  output.out(`adapter: ${session.adapterDescription}`);
  const started = performance.now();
  const outputs = await session.run(inputs);
  const milliseconds = performance.now() - started;
  const batch = [...inputs.values()][0]!.shape[0]!;
  output.out(
    `ran ${graph.name} at batch ${batch}: ${session.planFor(batch).steps.length} kernels, ${milliseconds.toFixed(0)} ms (first run, includes compiling the kernels)`,
  );
  for (const [name, tensor] of outputs) for (const line of previewOutput(name, tensor)) output.out(line);
  // NaN/Inf in an output is a warning (exit 0) for a plain run; --check explains it and fails.
  if (options.check !== true) warnNonFiniteOutputs(outputs, output);
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
  return (await checkOutputs(session, inputs, outputs, output)) ? 0 : 1;
}

/** Runs the command and returns the exit code (0 ok, 1 user error or failed --check). */
export async function runModel(modelPath: string, options: RunOptions, io: CliIo = processIo): Promise<number> {
  const output = linesTo(io);
  let compileStatus = 0;
  try {
    const backend = parseBackend(options.backend ?? "auto");
    const seed = options.seed === undefined ? 0 : parseCount(options.seed, "--seed", 0);
    const compilation = compileFile(modelPath);
    const compiled = reportCompilation(modelPath, compilation, {
      io,
      setExitCode: (code) => (compileStatus = Math.max(compileStatus, code)),
    });
    if (compiled === undefined) return Math.max(compileStatus, 1);
    const graph = options.schedule === undefined ? compiled : applyScheduleOption(compiled, options.schedule);
    // Where the results go is checked before any work, so a bad path costs nothing.
    const outputNames = graph.outputs.map((id) => graph.nodes[id]!.name);
    const files = planOutputFiles(options, outputNames, filesRead(modelPath, compilation.sources.keys(), options));

    let weights: WeightMap | undefined;
    if (options.weights !== undefined) weights = readSafetensorsFile(options.weights);
    // Bad inputs are reported before a device is opened.
    const given = loadInputs(graph, options);
    const batch = given === undefined ? parseCount(options.batch ?? "1", "--batch", 1) : checkSessionInputs(graph, given).batch;
    const status = io.status?.bind(io);
    // The line is cleared after the last kernel's first run, before the run's own lines are printed.
    const progress =
      status === undefined
        ? undefined
        : (event: KernelProgress) => {
            if (!event.finished) status(describeProgress(event));
            else if (event.phase === "first run") status(undefined);
          };
    const session = await createSession(graph, { weights, weightsSource: options.weights, seed, backend, progress });
    try {
      // Sizes before allocations: the GPU's buffers and the host's arrays at this batch.
      session.checkBatchFits(batch);
      if (options.check === true) checkReferenceFits(graph, batch);
      const inputs = given ?? randomInputs(graph, batch, seed);
      return await runWithSession(graph, session, inputs, options, files, output);
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
