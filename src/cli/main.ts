// The cnnc command line. Each command lives in its own file and registers itself here (one line per
// command). User errors exit 1 with diagnostics on stderr; anything else escaping is our bug: exit 2.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Command, CommanderError } from "commander";
import { escapeUnsafe } from "../../grammar/displayText.js";
import { CnncUserError } from "../errors.js";
import { registerBuild } from "./build.js";
import { registerCheck } from "./check.js";
import { registerDoctor } from "./doctor.js";
import { registerExplain } from "./explain.js";
import { registerExport } from "./export.js";
import { type CliContext, type CliIo, processIo } from "./io.js";
import { registerProfile } from "./profile.js";
import { registerRun } from "./run.js";
import { registerSummary } from "./summary.js";
import { registerTrain } from "./train.js";
import { registerTune } from "./tune.js";
import { registerWeights } from "./weights.js";
import type { TuningBackend } from "./tuning.js";
import { TUNING_BACKEND } from "../../runtime/tuning/tuneGraph.js";

/**
 * Runs `cnnc ARGS...` and returns the exit status. `extraCommands` registers more commands (tests use
 * it to check how an unexpected exception is reported). `tuning` is what `cnnc tune` and `cnnc build
 * --tune` run on (default: the device, runtime/tuning/tuneGraph.ts; tests pass fakes).
 */
export async function runCli(
  args: string[],
  io: CliIo = processIo,
  extraCommands?: (program: Command, context: CliContext) => void,
  tuning: TuningBackend | undefined = TUNING_BACKEND,
): Promise<number> {
  let exitCode = 0;
  const version = packageVersion();
  const context: CliContext = { io, setExitCode: (code) => (exitCode = Math.max(exitCode, code)) };
  const program = new Command("cnnc")
    .description("compile .cnn convolutional networks: check them, summarize them, build them to WGSL kernels, run and train them on the GPU")
    .version(version)
    .exitOverride()
    // Commander quotes the user's arguments in its errors: escaped like everything else cnnc prints.
    .configureOutput({ writeOut: (text) => io.stdout(escapeUnsafe(text, { keepNewlines: true })), writeErr: (text) => io.stderr(escapeUnsafe(text, { keepNewlines: true })) });
  registerCheck(program, context);
  registerSummary(program, context);
  registerWeights(program, context);
  registerBuild(program, context, tuning === undefined ? undefined : { backend: tuning, cnncVersion: version });
  registerRun(program, context);
  registerTrain(program, context);
  registerExplain(program, context);
  registerExport(program, context, version);
  registerProfile(program, context);
  registerDoctor(program, context);
  if (tuning !== undefined) registerTune(program, context, tuning, version);
  extraCommands?.(program, context);
  try {
    await program.parseAsync(args, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 1;
    if (error instanceof CnncUserError) {
      io.stderr(`${error.describe()}\n`);
      return 1;
    }
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.stderr(`internal error (this is a bug in cnnc)\n${escapeUnsafe(detail, { keepNewlines: true })}\n`);
    return 2;
  }
  return exitCode;
}

/** The version in package.json, found from this file both in src/ (tests) and dist/src/ (built). */
function packageVersion(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      const manifest: unknown = JSON.parse(readFileSync(join(directory, "package.json"), "utf8"));
      if (typeof manifest === "object" && manifest !== null && "name" in manifest && manifest.name === "cnnc" && "version" in manifest) {
        return String(manifest.version);
      }
    } catch {
      // not here: look one directory up
    }
    directory = dirname(directory);
  }
  return "unknown";
}
