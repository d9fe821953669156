// `cnnc run DIR`: runs a plan `cnnc build` wrote, through the same executor and with the same options
// as `cnnc run MODEL.cnn`, without the compiler: the plan lists its weights (names, shapes and
// initialization, so --seed gives the weights `cnnc run MODEL.cnn --seed S` does), its inputs and
// outputs. The batch is the built one; --check and --schedule need the model, so they are refused.
import { join } from "node:path";

import { openDevice, parseBackend } from "../../runtime/device.js";
import { PlanExecutor } from "../../runtime/executor.js";
import { initWeightsFrom } from "../../runtime/init.js";
import { checkWeights } from "../../runtime/weightMismatch.js";
import { readWeightsFile } from "../../runtime/training/checkpoint.js";
import { checkNetworkInputs } from "../../runtime/session.js";
import type { Plan } from "../codegen/plan.js";
import { CnncUserError } from "../errors.js";
import { planInputs } from "../networkInputs.js";
import { loadPlanDirectory, planFileOf } from "../planFile/loadPlanDirectory.js";
import { kernelFileOf } from "../planFile/planFormat.js";
import type { WeightMap } from "../tensor.js";
import { processIo, type CliIo } from "./io.js";
import { linesTo } from "./lineOutput.js";
import { type FileRead, planOutputFiles } from "./outputFiles.js";
import type { RunOptions } from "./run.js";
import { checkInputChoice, checkRandomInputs, drawRandomInputs, matchInputFiles, readInputFiles } from "./runInputs.js";
import { progressListener, reportRunResults } from "./runResults.js";
import { parseCountOption } from "./wholeNumber.js";

/** The options that need the model source, refused for a built plan. */
function refuseModelOptions(dir: string, options: RunOptions): void {
  if (options.check === true) {
    throw new CnncUserError(`--check does not apply to a built plan (\`${dir}\`): it compares with the CPU reference, which runs the model source`, {
      hint: "run the model itself with `cnnc run MODEL.cnn --check` (same --seed, --weights and --input)",
    });
  }
  if (options.fuse === false) {
    throw new CnncUserError(`--no-fuse does not apply to a built plan (\`${dir}\`): its kernels were fused or not when it was built`, {
      hint: `build it again without fusion: \`cnnc build MODEL.cnn -o ${dir} --no-fuse\``,
    });
  }
  if (options.schedule !== undefined) {
    throw new CnncUserError(`--schedule does not apply to a built plan (\`${dir}\`): its kernels were generated when it was built`, {
      hint: `build it again with the schedule: \`cnnc build MODEL.cnn -o ${dir} --schedule ${options.schedule}\``,
    });
  }
}

/** A batch other than the built one is an error saying how to build for it. */
function checkBatch(dir: string, plan: Plan, batch: number, source: string): void {
  if (batch === plan.batch) return;
  throw new CnncUserError(`${source} is ${batch}, but the plan in \`${dir}\` was built for batch ${plan.batch}`, {
    hint: `a built plan runs its batch only: build one for batch ${batch} with \`cnnc build MODEL.cnn -o DIR --batch ${batch}\``,
  });
}

/** Every file this run reads (the plan, its kernels, inputs, weights), so that no output overwrites one. */
function filesRead(dir: string, plan: Plan, inputs: readonly { path: string }[], options: RunOptions): FileRead[] {
  return [
    { path: planFileOf(dir), role: "the plan" },
    ...plan.programs.map((program) => ({ path: join(dir, kernelFileOf(program.key)), role: "a kernel of the plan" })),
    ...inputs.map(({ path }) => ({ path, role: "the --input file" })),
    ...(options.weights === undefined ? [] : [{ path: options.weights, role: "the --weights file" }]),
  ];
}

/** The given weights, checked against the plan's list, or the seeded initialization of that list. */
function planRunWeights(plan: Plan, options: RunOptions, seed: number): WeightMap {
  if (options.weights === undefined) return initWeightsFrom(plan.weights, seed, plan.network);
  const weights = readWeightsFile(options.weights);
  checkWeights(plan.weights, weights, options.weights);
  return weights;
}

/** Runs the plan in `dir` and returns the exit code (0 ok, 1 user error). */
export async function runPlanDirectory(dir: string, options: RunOptions, io: CliIo = processIo): Promise<number> {
  const output = linesTo(io);
  try {
    refuseModelOptions(dir, options);
    const backend = parseBackend(options.backend ?? "auto");
    const seed = options.seed === undefined ? 0 : parseCountOption(options.seed, "--seed", 0);
    const batchOption = options.batch === undefined ? undefined : parseCountOption(options.batch, "--batch", 1);
    const plan = loadPlanDirectory(dir);
    if (batchOption !== undefined) checkBatch(dir, plan, batchOption, "--batch");
    const networkInputs = planInputs(plan);
    checkInputChoice(networkInputs, options);
    const inputFiles = matchInputFiles(plan.network, networkInputs, options.input ?? []);
    // Where the results go is checked before any work, so a bad path costs nothing.
    const outputNames = plan.outputs.map((each) => each.name);
    const files = planOutputFiles(options, outputNames, filesRead(dir, plan, inputFiles, options));

    // Bad files and sizes are reported before a device is opened.
    const given = inputFiles.length === 0 ? undefined : readInputFiles(inputFiles, undefined);
    if (given !== undefined) {
      const batch = checkNetworkInputs(plan.network, networkInputs, given).batch;
      checkBatch(dir, plan, batch, "the inputs' batch (first) dimension");
    } else {
      checkRandomInputs(networkInputs, plan.batch);
    }
    const weights = planRunWeights(plan, options, seed);

    const gpu = await openDevice({ backend });
    try {
      output.out(`adapter: ${gpu.description}`);
      const started = performance.now();
      const executor = await PlanExecutor.create(gpu, plan, weights, progressListener(io));
      try {
        const inputs = given ?? drawRandomInputs(networkInputs, plan.batch, seed);
        const outputs = await executor.run(inputs);
        const milliseconds = performance.now() - started;
        reportRunResults({ network: plan.network, batch: plan.batch, kernels: plan.steps.length, milliseconds, outputs, weights }, files, output, {
          checking: false,
          nonFiniteHelp: "run the model with `cnnc run MODEL.cnn --check` (same --seed, --weights and --input) to find the layer that first produces them",
        });
        return 0;
      } finally {
        executor.destroy();
      }
    } finally {
      io.status?.(undefined);
      gpu.destroy();
    }
  } catch (error) {
    if (!(error instanceof CnncUserError)) throw error;
    output.err(error.describe());
    return 1;
  }
}
