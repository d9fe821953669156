// `cnnc explain MODEL.cnn [--batch N] [--schedule SPEC] [--no-fuse] [--dump-ir=PASS] [--backend B] [--tune-cache F]`:
// per source layer, the kernel it ended in, what fused with it, its schedule and why (with the candidates,
// the cost model's estimates on the device and the tuned times cached for it), and why what did not fuse did not.
// `--dump-ir=PASS` prints the kernel graph after that pass instead (`all`: after every pass).
import type { Command } from "commander";
import { closestMatch } from "../../grammar/diagnostics.js";
import { escapeUnsafe } from "../../grammar/displayText.js";
import { BACKEND_CHOICES, openDevice, parseBackend, type BackendChoice } from "../../runtime/device.js";
import { targetOf } from "../../runtime/target.js";
import { compileFile } from "../compile.js";
import { TuneCache, tuneCachePath } from "../schedule/tune/cache.js";
import type { Target } from "../schedule/types.js";
import { TUNE_CACHE_HELP } from "./tuning.js";
import { CnncUserError } from "../errors.js";
import { explainKernels } from "../kernels/explain.js";
import { formatKernelGraph } from "../kernels/format.js";
import { compilePlan, PASS_NAMES } from "../pipeline.js";
import { reportCompilation } from "./diagnosticsOutput.js";
import type { CliContext } from "./io.js";
import { parseScheduleOption, SCHEDULE_OPTION_HELP } from "./scheduleOption.js";
import { parseWholeNumber } from "./wholeNumber.js";

interface ExplainOptions {
  batch?: string;
  schedule?: string;
  fuse?: boolean;
  dumpIr?: string;
  backend?: string;
  tuneCache?: string;
}

function checkPassName(name: string): void {
  if (name === "all" || PASS_NAMES.includes(name)) return;
  const suggestion = closestMatch(name, [...PASS_NAMES, "all"]);
  throw new CnncUserError(`--dump-ir: there is no pass \`${name}\``, {
    hint: `${suggestion === undefined ? "" : `did you mean \`${suggestion}\`? `}the passes are ${PASS_NAMES.join(", ")}, or \`all\``,
  });
}

/** The device's target (its limits decide legality, its calibration the estimates); closed again at once. */
async function deviceTarget(backend: BackendChoice): Promise<Target> {
  const gpu = await openDevice({ backend });
  try {
    return targetOf(gpu);
  } finally {
    gpu.destroy();
  }
}

/** The tuner's times of a workload on this adapter, from the tuning cache (damaged: a warning, no times). */
function tunedTimesOf(target: Target, cachePath: string | undefined, context: CliContext): (key: string) => Map<string, number> | undefined {
  const cache = TuneCache.load(tuneCachePath(cachePath), {
    warn: (message) => context.io.stderr(`warning: ${escapeUnsafe(message)}\n`),
    cnncVersion: "explain",
  });
  return (key) => {
    const entry = cache.lookup(target.adapter, key);
    return entry === undefined ? undefined : new Map(entry.candidates.map((candidate) => [candidate.scheduleText, candidate.medianMs]));
  };
}

export async function explainModel(file: string, options: ExplainOptions, context: CliContext): Promise<void> {
  try {
    const batchParsed = parseWholeNumber(options.batch ?? "1", 1);
    if ("requirement" in batchParsed) throw new CnncUserError(`--batch must be ${batchParsed.requirement}, got \`${options.batch}\``);
    if (options.dumpIr !== undefined) checkPassName(options.dumpIr);
    const backend = parseBackend(options.backend ?? "auto");
    const graph = reportCompilation(file, compileFile(file), context);
    if (graph === undefined) return;
    const target = await deviceTarget(backend);
    const dumps: string[] = [];
    const compiled = compilePlan(graph, batchParsed.value, {
      fuse: options.fuse !== false,
      target,
      ...(options.schedule === undefined ? {} : { schedule: parseScheduleOption(options.schedule) }),
      afterPass: (pass, kernels) => {
        if (options.dumpIr === "all" || options.dumpIr === pass) dumps.push(formatKernelGraph(kernels, pass));
      },
    });
    const report = () => explainKernels(compiled.kernels, compiled.plan, { target, tunedTimes: tunedTimesOf(target, options.tuneCache, context) });
    context.io.stdout(options.dumpIr === undefined ? report() : dumps.join("\n"));
  } catch (error) {
    if (!(error instanceof CnncUserError)) throw error;
    context.io.stderr(`${error.describe()}\n`);
    context.setExitCode(1);
  }
}

export function registerExplain(program: Command, context: CliContext): void {
  program
    .command("explain")
    .description("say, per layer, which kernel computes it, what fused with it and why, and each kernel's schedule")
    .argument("<model>", "the .cnn file")
    .option("--batch <n>", "batch size of the plan (memory figures)", "1")
    .option("--schedule <spec>", SCHEDULE_OPTION_HELP)
    .option("--no-fuse", "one kernel per layer (what the fusion passes are compared against)")
    .option("--dump-ir <pass>", `print the kernel graph after a pass (${PASS_NAMES.join(", ")}, or all)`)
    .option("--backend <backend>", `the GPU whose limits and calibration decide the schedules: ${BACKEND_CHOICES.join(", ")}`, "auto")
    .option("--tune-cache <path>", TUNE_CACHE_HELP)
    .action((model: string, options: ExplainOptions) => explainModel(model, options, context));
}
