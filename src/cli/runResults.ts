// What both run paths (`cnnc run MODEL.cnn` and `cnnc run DIR`) do with a forward pass's results: the
// timing line, each output's preview, the NaN/Inf warning, the --output and --save-weights files; and
// the progress line shown while kernels compile.
import type { NonFiniteScan } from "../../runtime/nonFinite.js";
import { writeNpyFile } from "../../runtime/npy.js";
import { describeProgress, type KernelProgress } from "../../runtime/progress.js";
import { writeSafetensorsFile } from "../../runtime/safetensors.js";
import type { Tensor, WeightMap } from "../tensor.js";
import { scanOutputs, warnNonFiniteOutputs } from "./checkOutputs.js";
import type { CliIo } from "./io.js";
import type { LineOutput } from "./lineOutput.js";
import type { OutputFiles } from "./outputFiles.js";
import { previewOutput } from "./outputPreview.js";

export interface RunResults {
  network: string;
  batch: number;
  /** Kernel dispatches per forward pass. */
  kernels: number;
  /** The first run's time, compiling the kernels included. */
  milliseconds: number;
  outputs: Map<string, Tensor>;
  /** The weights the run used, for --save-weights. */
  weights: WeightMap;
}

/**
 * Prints what ran and each output's preview, warns about NaN/Inf unless `checking` (--check explains
 * them instead; `nonFiniteHelp` replaces the warning's help), and writes the output and weights files asked for. Returns each output's NaN/Inf scan.
 */
export function reportRunResults(
  results: RunResults,
  files: OutputFiles,
  output: LineOutput,
  options: { checking: boolean; nonFiniteHelp?: string },
): Map<string, NonFiniteScan> {
  const { network, batch, kernels, milliseconds, outputs, weights } = results;
  output.out(`ran ${network} at batch ${batch}: ${kernels} kernels, ${milliseconds.toFixed(0)} ms (first run, includes compiling the kernels)`);
  for (const [name, tensor] of outputs) for (const line of previewOutput(name, tensor)) output.out(line);
  const scans = scanOutputs(outputs);
  // NaN/Inf in an output is a warning (exit 0) for a plain run; --check explains it and fails.
  if (!options.checking) warnNonFiniteOutputs(outputs, output, scans, options.nonFiniteHelp);
  for (const [name, tensor] of outputs) {
    const path = files.outputs.get(name);
    if (path === undefined) continue;
    writeNpyFile(path, tensor);
    output.out(`wrote ${path}`);
  }
  if (files.weights !== undefined) {
    writeSafetensorsFile(files.weights, weights, { network });
    output.out(`wrote ${files.weights} (${weights.size} tensors)`);
  }
  return scans;
}

/**
 * The progress listener of a run on `io`'s status line (none where io has no status line, e.g. piped
 * output): the line is cleared after the last kernel's first run, before the run's own lines.
 */
export function progressListener(io: CliIo): ((event: KernelProgress) => void) | undefined {
  const status = io.status?.bind(io);
  if (status === undefined) return undefined;
  return (event: KernelProgress) => {
    if (!event.finished) status(describeProgress(event));
    else if (event.phase === "first run") status(undefined);
  };
}
