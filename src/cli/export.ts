// `cnnc export MODEL.cnn --pytorch net.py --onnx net.onnx [--weights W.safetensors]`: the network in
// other frameworks' terms. Each format is one option naming its output file; at least one is required,
// and all of them are checked (writable, not a file the model reads) before anything is written.
import { realpathSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";

import { checkWritable, writeFileAtomically } from "../../runtime/writeUserFile.js";
import { compileFile } from "../compile.js";
import { formatDiagnosticReport } from "../diagnosticReport.js";
import { CnncUserError } from "../errors.js";
import { exportPyTorch } from "../export/pytorch/exportPyTorch.js";
import { exportOnnx, ONNX_OPSET } from "../export/onnx/exportOnnx.js";
import { formatBytes } from "../ir/format.js";
import { readWeightsFile } from "../../runtime/training/checkpoint.js";
import { reportCompilation } from "./diagnosticsOutput.js";
import type { CliContext } from "./io.js";

export interface ExportOptions {
  pytorch?: string;
  onnx?: string;
  weights?: string;
}

/** The formats, by option: a new format is one entry here and one option below. */
const FORMAT_OPTIONS: readonly { key: "pytorch" | "onnx"; flag: string }[] = [
  { key: "pytorch", flag: "--pytorch" },
  { key: "onnx", flag: "--onnx" },
];

/** Whether two paths name one file: resolved, and through symbolic links where the file exists. */
function sameFile(a: string, b: string): boolean {
  const real = (path: string): string => {
    try {
      return realpathSync(path);
    } catch {
      return resolve(path);
    }
  };
  return resolve(a) === resolve(b) || real(a) === real(b);
}

export function registerExport(program: Command, context: CliContext, cnncVersion: string): void {
  program
    .command("export")
    .description("write the network for other frameworks: a PyTorch module (--pytorch net.py) whose state_dict loads cnnc's weights, an ONNX model (--onnx net.onnx)")
    .argument("<file>", "the .cnn file")
    .option("--pytorch <file>", "write a self-contained PyTorch module (.py): layers, forward, safetensors weight loading, training loop")
    .option("--onnx <file>", "write an ONNX model (opset 17, symbolic batch) with the weights as initializers")
    .option("--weights <file>", "the ONNX model's weights (.safetensors, as cnnc train saves them); without it, cnnc run's seeded initial weights")
    .action((file: string, options: ExportOptions) => {
      const chosen = FORMAT_OPTIONS.filter(({ key }) => options[key] !== undefined);
      if (chosen.length === 0) {
        throw new CnncUserError("cnnc export needs a format to write", {
          hint: `give ${FORMAT_OPTIONS.map(({ flag }) => `${flag} FILE`).join(" or ")}, e.g. cnnc export ${file} --pytorch net.py`,
        });
      }
      if (options.weights !== undefined && options.onnx === undefined) {
        throw new CnncUserError("--weights goes into the ONNX model only: give --onnx FILE too", {
          hint: "the PyTorch module reads its weights when it runs: model.load_state_dict(load_safetensors(W))",
        });
      }
      const compiled = compileFile(file, { verify: true });
      const graph = reportCompilation(file, compiled, context);
      if (graph === undefined) return;
      // No output may replace a file this run reads (the model's sources, the weights) or another output.
      const read = [...[...compiled.sources.keys()].map((source) => ({ path: source, what: "a source file of the model" })), ...(options.weights === undefined ? [] : [{ path: options.weights, what: "the --weights file" }])];
      const written: { path: string; flag: string }[] = [];
      for (const { key, flag } of chosen) {
        const path = options[key]!;
        checkWritable(path, flag);
        const clash = read.find((file) => sameFile(file.path, path));
        if (clash !== undefined) throw new CnncUserError(`${flag} \`${path}\` is ${clash.what}: cnnc will not overwrite it`, { hint: `give ${flag} another file name` });
        const other = written.find((file) => sameFile(file.path, path));
        if (other !== undefined) throw new CnncUserError(`${flag} and ${other.flag} name the same file \`${path}\``, { hint: `give each format its own file, e.g. net.py and net.onnx` });
        written.push({ path, flag });
      }
      // Every format is produced before any is written, so an error in one (weights that do not match,
      // a layer PyTorch cannot name) leaves no file behind.
      const files: { path: string; bytes: Uint8Array; message: string }[] = [];
      if (options.pytorch !== undefined) {
        const exported = exportPyTorch(graph, file);
        if (!exported.ok) {
          context.io.stderr(`${formatDiagnosticReport(exported.diagnostics, compiled.sources)}\n`);
          context.io.stderr(`error: ${graph.name} cannot be exported to PyTorch exactly; nothing was written\n`);
          context.setExitCode(1);
          return;
        }
        files.push({ path: options.pytorch, bytes: new TextEncoder().encode(exported.text), message: `${graph.name} as a PyTorch module (class ${exported.className})` });
      }
      if (options.onnx !== undefined) {
        const weights = options.weights === undefined ? undefined : readWeightsFile(options.weights);
        const bytes = exportOnnx(graph, weights, { ...(options.weights === undefined ? {} : { weightsSource: options.weights }), producerVersion: cnncVersion });
        const source = options.weights === undefined ? "cnnc run's initial weights (seed 0)" : `weights from ${options.weights}`;
        files.push({ path: options.onnx, bytes, message: `${graph.name} as an ONNX model (opset ${ONNX_OPSET}, ${formatBytes(bytes.length)}, ${source})` });
      }
      for (const { path, bytes, message } of files) {
        writeFileAtomically(path, [bytes]);
        context.io.stdout(`wrote ${path}: ${message}\n`);
      }
    });
}
