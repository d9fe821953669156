// `cnnc export MODEL.cnn --pytorch net.py`: the network in another framework's terms. Each format is
// one option naming its output file (--onnx is the next); at least one is required, and all of them
// are checked (writable, not a file the model reads) before anything is written.
import { resolve } from "node:path";
import type { Command } from "commander";

import { checkWritable, writeFileAtomically } from "../../runtime/writeUserFile.js";
import { compileFile } from "../compile.js";
import { formatDiagnosticReport } from "../diagnosticReport.js";
import { CnncUserError } from "../errors.js";
import { exportPyTorch } from "../export/pytorch/exportPyTorch.js";
import { reportCompilation } from "./diagnosticsOutput.js";
import type { CliContext } from "./io.js";

export interface ExportOptions {
  pytorch?: string;
}

/** The formats, by option: a new format is one entry here and one option below. */
const FORMAT_OPTIONS: readonly { key: keyof ExportOptions; flag: string }[] = [{ key: "pytorch", flag: "--pytorch" }];

export function registerExport(program: Command, context: CliContext): void {
  program
    .command("export")
    .description("write the network for another framework: a PyTorch module (--pytorch net.py) whose state_dict loads cnnc's weights")
    .argument("<file>", "the .cnn file")
    .option("--pytorch <file>", "write a self-contained PyTorch module (.py): layers, forward, safetensors weight loading, training loop")
    .action((file: string, options: ExportOptions) => {
      const chosen = FORMAT_OPTIONS.filter(({ key }) => options[key] !== undefined);
      if (chosen.length === 0) {
        throw new CnncUserError("cnnc export needs a format to write", {
          hint: `give ${FORMAT_OPTIONS.map(({ flag }) => `${flag} FILE`).join(" or ")}, e.g. cnnc export ${file} --pytorch net.py`,
        });
      }
      const compiled = compileFile(file, { verify: true });
      const graph = reportCompilation(file, compiled, context);
      if (graph === undefined) return;
      for (const { key, flag } of chosen) {
        const path = options[key]!;
        checkWritable(path, flag);
        if ([...compiled.sources.keys()].some((source) => resolve(source) === resolve(path))) {
          throw new CnncUserError(`${flag} \`${path}\` is a source file of the model: cnnc will not overwrite it`, { hint: `give ${flag} another file name` });
        }
      }
      if (options.pytorch !== undefined) {
        const exported = exportPyTorch(graph, file);
        if (!exported.ok) {
          context.io.stderr(`${formatDiagnosticReport(exported.diagnostics, compiled.sources)}\n`);
          context.io.stderr(`error: ${graph.name} cannot be exported to PyTorch exactly; nothing was written\n`);
          context.setExitCode(1);
          return;
        }
        writeFileAtomically(options.pytorch, [new TextEncoder().encode(exported.text)]);
        context.io.stdout(`wrote ${options.pytorch}: ${graph.name} as a PyTorch module (class ${exported.className})\n`);
      }
    });
}
