// Runs the CLI in-process with captured output.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import type { CliContext } from "../../src/cli/io.js";
import { runCli } from "../../src/cli/main.js";
import type { TuningBackend } from "../../src/cli/tuning.js";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cnnc(args: string[], extraCommands?: (program: Command, context: CliContext) => void, tuning?: TuningBackend): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) }, extraCommands, tuning);
  return { code, stdout, stderr };
}

/** Writes `text` to a fresh temporary directory and returns the file's path. */
export function tempFile(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "cnnc-cli-")), name);
  writeFileSync(path, text);
  return path;
}
