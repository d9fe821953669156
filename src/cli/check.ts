// `cnnc check FILE [--json]`: compile and report; `ok: Net (N layers, P params)` when it compiles, or
// with --json one JSON document of the diagnostics (diagnosticsJson.ts). The exit status is the same.
import type { Command } from "commander";
import { compileFile } from "../compile.js";
import { countOf } from "../ir/format.js";
import { checkJson, formatCheckJson, networkTotals } from "./diagnosticsJson.js";
import { reportCompilation } from "./diagnosticsOutput.js";
import type { CliContext } from "./io.js";

export function registerCheck(program: Command, context: CliContext): void {
  program
    .command("check")
    .description("check a .cnn file: syntax, names, arguments and every layer's shape")
    .argument("<file>", "the .cnn file")
    .option("--json", "print the diagnostics as one JSON document (for editors)")
    .action((file: string, options: { json?: boolean }) => {
      const result = compileFile(file, { verify: true });
      if (options.json === true) {
        const json = checkJson(file, result.diagnostics, result.graph);
        context.io.stdout(formatCheckJson(json));
        if (!json.ok) context.setExitCode(1);
        return;
      }
      const graph = reportCompilation(file, result, context);
      if (graph === undefined) return;
      const { name, layers, params, outputs } = networkTotals(graph);
      // Several outputs (`outputs a, b`) are named; one is the last statement, as always.
      const named = outputs.length > 1 ? `; outputs ${outputs.join(", ")}` : "";
      context.io.stdout(`ok: ${name} (${countOf(layers, "layer")}, ${countOf(params, "param")}${named})\n`);
    });
}
