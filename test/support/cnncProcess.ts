// Runs the CLI from source (through tsx) in a child process with a time limit, for tests of inputs
// that could block the process for good if a check regressed (a FIFO opened for reading waits for a
// writer): a blocked child is killed at the limit and the test fails instead of hanging.
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "../..");
const MAIN = join(ROOT, "src/cli/main.ts");

export interface ProcessRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The child was killed at the time limit. */
  timedOut: boolean;
}

/**
 * `cnnc ARGS` run in the repository root (pass absolute paths). `stdoutFd`: a file descriptor the
 * child's standard output goes to (as `> file` would), instead of a pipe.
 */
export function cnncProcess(args: string[], options: { timeoutMs?: number; stdoutFd?: number } = {}): ProcessRun {
  const script = `const { runCli } = await import(${JSON.stringify(MAIN)}); process.exitCode = await runCli(${JSON.stringify(args)});`;
  const result = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: ROOT, // where `--import tsx` is resolved
    encoding: "utf8",
    timeout: options.timeoutMs ?? 60_000,
    killSignal: "SIGKILL",
    stdio: ["ignore", options.stdoutFd ?? "pipe", "pipe"],
  });
  return {
    code: result.status,
    stdout: result.stdout ?? "",
    stderr: result.stderr,
    timedOut: result.error !== undefined && (result.error as NodeJS.ErrnoException).code === "ETIMEDOUT",
  };
}
